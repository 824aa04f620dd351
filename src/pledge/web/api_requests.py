"""The JSON API for rights requests (/api/v1/requests), for staff and their tools.

Viewers read; privacy officers also file requests for people and act on them. Every write
goes through pledge.rights.workflow, in one transaction with the event that records it,
signed "staff:<username>"; the jobs it queues start once that transaction has committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from pledge.auth.roles import Role
from pledge.errors import PledgeError
from pledge.jobs.queue import enqueue
from pledge.rights.decisions import lift_restriction
from pledge.rights.lifecycle import State
from pledge.rights.mail_again import resend_mails
from pledge.rights.recipients import record_told_by_hand, retry_notice
from pledge.rights.requests import get_request, list_requests, transition
from pledge.rights.workflow import (
    RUN_JOB,
    approve,
    attach_agent_proof,
    close_by_hand,
    deny,
    extend_request,
    proceed,
    review_agent_proof,
    submit_request,
)
from pledge.store.tables import RequestRow
from pledge.web.api_request_models import (
    Approval,
    Move,
    NewRequest,
    ProofReview,
    Reason,
    RequestDetail,
    RequestList,
    RequestSummary,
    ToldByHand,
    request_detail,
)
from pledge.web.auth import Staff, staff_api
from pledge.web.errors import ERROR_RESPONSES, ErrorEnvelope
from pledge.web.state import DeclarationHolder

Viewer = Annotated[Staff, Depends(staff_api(Role.VIEWER))]
Officer = Annotated[Staff, Depends(staff_api(Role.PRIVACY_OFFICER))]

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorEnvelope, "description": "No valid session or API token"},
    403: {"model": ErrorEnvelope, "description": "The role is too low, or the CSRF token wrong"},
}
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorEnvelope, "description": "The request cannot do that (the reason says)"},
    409: {
        "model": ErrorEnvelope,
        "description": "The request is not, or no longer, in a state that allows it",
    },
}


class RequestConflict(PledgeError):
    status_code = 409


def request_api_routes(holder: DeclarationHolder) -> APIRouter:
    router = APIRouter(
        prefix="/api/v1/requests",
        tags=["requests"],
        responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
    )

    def acted(act: Callable[[Session, dt.datetime], str]) -> RequestDetail:
        """Run one staff action (it returns the request's reference) in a write transaction;
        the request as it is after it. The jobs it queued start once it committed."""
        now = dt.datetime.now(dt.UTC)
        with holder.store.session(write=True) as session:
            ref = act(session, now)
            detail = request_detail(session, ref, now)
        holder.wake_jobs()
        return detail

    @router.get("", summary="List requests, overdue first")
    def list_(
        staff: Viewer,
        state: Annotated[State | None, Query(description="only this state")] = None,
        overdue: Annotated[bool, Query(description="only overdue requests")] = False,
        due_within_days: Annotated[
            int | None,
            Query(ge=0, le=366, description="only open requests due within this many days"),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> RequestList:
        now = dt.datetime.now(dt.UTC)
        with holder.store.session() as session:
            rows = list_requests(
                session,
                state=state,
                overdue_only=overdue,
                due_within_days=due_within_days,
                limit=limit,
                offset=offset,
                now=now,
            )
        return RequestList(requests=[RequestSummary.of(row, now) for row in rows])

    @router.get("/{ref}", summary="One request, its timeline and its outcome")
    def show(staff: Viewer, ref: str) -> RequestDetail:
        with holder.store.session() as session:
            return request_detail(session, ref, dt.datetime.now(dt.UTC))

    @router.post(
        "",
        status_code=201,
        summary="File a request for a person",
        responses={400: WRITE_RESPONSES[400]},
    )
    def create(staff: Officer, new: NewRequest) -> RequestDetail:
        now = dt.datetime.now(dt.UTC)
        if new.agent_proof is not None and not (new.agent_name and new.agent_email):
            raise PledgeError(
                "an agent's proof comes with the agent's name and email address",
                "give agent_name and agent_email, or leave agent_proof out",
            )
        with holder.store.session(write=True) as session:
            row = submit_request(
                session,
                holder.current.declaration,
                type=new.type,
                email=new.email,
                jurisdiction=new.jurisdiction,
                identity=new.identity,
                details=new.details,
                language=new.language,
                agent_name=new.agent_name,
                agent_email=new.agent_email,
                actor=staff.actor,
                now=now,
            )
            if new.agent_proof is not None:
                attach_agent_proof(
                    session,
                    row.id,
                    filename=new.agent_proof.filename,
                    content_type=new.agent_proof.content_type,
                    content=new.agent_proof.content(),
                    key=holder.services.keys.package,
                    now=now,
                    actor=staff.actor,
                )
            detail = request_detail(session, row.id, now)
        holder.wake_jobs()
        return detail

    @router.post(
        "/{ref}/approve", summary="Approve a request awaiting approval", responses=WRITE_RESPONSES
    )
    def approve_(staff: Officer, ref: str, body: Approval | None = None) -> RequestDetail:
        def act(session: Session, now: dt.datetime) -> str:
            row = get_request(session, ref)
            if row.state != "awaiting_approval":
                raise RequestConflict(
                    f"request {row.id} is '{row.state}': only a request awaiting approval can"
                    " be approved",
                    f"see its state and timeline with GET /api/v1/requests/{row.id}",
                )
            note = body.note if body is not None else None
            return approve(session, row.id, actor=staff.actor, note=note, now=now).id

        return acted(act)

    @router.post(
        "/{ref}/deny", summary="Deny a request, telling the person why", responses=WRITE_RESPONSES
    )
    def deny_(staff: Officer, ref: str, body: Reason) -> RequestDetail:
        return acted(
            lambda session, now: deny(session, ref, body.reason, actor=staff.actor, now=now).id
        )

    @router.post(
        "/{ref}/extend",
        summary="Extend the due date as far as the law allows",
        responses=WRITE_RESPONSES,
    )
    def extend_(staff: Officer, ref: str, body: Reason) -> RequestDetail:
        return acted(
            lambda session, now: (
                extend_request(session, ref, body.reason, actor=staff.actor, now=now).id
            )
        )

    @router.post(
        "/{ref}/lift-restriction",
        summary="Lift a restriction: the person's rows may be used again",
        description=(
            "Art. 18(3): Pledge mails the person first; the restriction stays in force until"
            " that mail is out, then a job lifts it. The reason is recorded."
        ),
        responses=WRITE_RESPONSES,
    )
    def lift(staff: Officer, ref: str, body: Reason) -> RequestDetail:
        def act(session: Session, now: dt.datetime) -> str:
            row = get_request(session, ref)
            if not lift_restriction(
                session, row.id, actor=staff.actor, reason=body.reason, now=now
            ):
                raise RequestConflict(
                    f"request {row.id} left no restriction in force to lift",
                    f"see its decisions with GET /api/v1/requests/{row.id}",
                )
            return row.id

        return acted(act)  # the lift's job mails the person, then lifts

    @router.post(
        "/{ref}/notices/{recipient}/retry",
        summary="Try again a notice to a recipient that failed",
        description="Art. 19: after fixing what made it fail (a webhook variable set, the "
        "recipient's server back), the notice is sent again by the job that tells recipients. "
        "409 when the notice did not fail.",
        responses=WRITE_RESPONSES,
    )
    def retry_notice_(staff: Officer, ref: str, recipient: str) -> RequestDetail:
        return acted(
            lambda session, now: (
                retry_notice(session, ref, recipient, actor=staff.actor, now=now).request_id
            )
        )

    @router.post(
        "/{ref}/notices/{recipient}/told-by-hand",
        summary="Record that staff told a recipient themselves",
        description="For a notice that failed (or is still pending): a phone call, a letter. "
        "`how` is kept on the timeline. 409 when the recipient was told already.",
        responses=WRITE_RESPONSES,
    )
    def told_by_hand(staff: Officer, ref: str, recipient: str, body: ToldByHand) -> RequestDetail:
        return acted(
            lambda session, now: (
                record_told_by_hand(
                    session, ref, recipient, how=body.how, actor=staff.actor, now=now
                ).request_id
            )
        )

    @router.post(
        "/{ref}/resend-mail",
        summary="Queue again the mails to the person whose job gave up",
        description="The acknowledgement, closing or extension mail whose job failed for good "
        "(`failed_mails` lists them) is queued again, once the mail relay works. 409 when no "
        "mail job of the request gave up.",
        responses=WRITE_RESPONSES,
    )
    def resend_mail(staff: Officer, ref: str) -> RequestDetail:
        def act(session: Session, now: dt.datetime) -> str:
            row = get_request(session, ref)
            resend_mails(session, row.id, actor=staff.actor, now=now)
            return row.id

        return acted(act)

    @router.post(
        "/{ref}/agent-proof",
        summary="Accept or refuse the proof an authorised agent sent",
        description="Accepting stands for the identity check: the request goes on by itself. "
        "Refusing denies it, and the agent is mailed the reason.",
        responses=WRITE_RESPONSES,
    )
    def review_proof(staff: Officer, ref: str, body: ProofReview) -> RequestDetail:
        return acted(
            lambda session, now: (
                review_agent_proof(
                    session,
                    ref,
                    accepted=body.accepted,
                    actor=staff.actor,
                    reason=body.reason,
                    now=now,
                ).id
            )
        )

    @router.post(
        "/{ref}/transition",
        summary="Move a request to another state by hand",
        description="For what happened outside Pledge: identity confirmed by phone "
        "(`verified`: the request then goes on by itself), a request completed by hand. "
        "Moving to `denied` mails the reason, as /deny does; to `completed` or "
        "`partially_completed` mails the outcome, as a run's closing does; to `running` "
        "queues the work.",
        responses=WRITE_RESPONSES,
    )
    def move(staff: Officer, ref: str, body: Move) -> RequestDetail:
        def act(session: Session, now: dt.datetime) -> str:
            row = get_request(session, ref)
            if body.expected is not None and body.expected != row.state:
                raise RequestConflict(
                    f"request {row.id} is now '{row.state}', not '{body.expected}'",
                    "someone else acted on it meanwhile; read it again before acting",
                )
            _move(session, row, body, staff, now)
            return row.id

        return acted(act)

    return router


def _move(session: Session, row: RequestRow, body: Move, staff: Staff, now: dt.datetime) -> None:
    if body.to == "denied":
        deny(session, row.id, body.note or "", actor=staff.actor, now=now)
        return
    if body.to in ("completed", "partially_completed"):
        # Closed by hand, the person is mailed the outcome as after a run.
        close_by_hand(
            session, row.id, body.to, actor=staff.actor, note=body.note, expected=row.state, now=now
        )
        return
    transition(
        session, row.id, body.to, actor=staff.actor, note=body.note, expected=row.state, now=now
    )
    if body.to == "verified":
        proceed(session, row.id, actor=staff.actor, now=now)
    elif body.to == "running":
        enqueue(session, RUN_JOB, row.id, now=now)
