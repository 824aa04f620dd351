"""The steps of a request that people and staff take, each queuing the work that follows.

    submit_request ─> job request.acknowledge: acknowledgement mail, identity code mail
    mail_identity_code: a code, mailed with the link to the status page where it is typed
    confirm_identity (the code) ─> verified ─> awaiting_approval, or running + request.run
        (an objection awaiting approval: + request.stop_direct_marketing, pledge.rights.
        decisions_at_once)
    review_agent_proof (staff) ─> verified ─> as above; or denied
    approve (staff) ─> running + request.run
    request.run (pledge.rights.answers) ─> completed | partially_completed | denied
    deny (staff) ─> denied;  extend_request (staff) ─> the new date, mailed
    close_by_hand (staff) ─> completed | partially_completed, mailed as a run's closing is

Every function works in the caller's transaction and returns the request as it now is; the
jobs it queues run once that transaction commits (pledge.jobs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.jobs.queue import enqueue
from pledge.mail.messages import code_message
from pledge.rights.decisions import activities_for, objection_needs_review
from pledge.rights.decisions_at_once import STOP_DIRECT_MARKETING_JOB
from pledge.rights.delivery import status_token
from pledge.rights.events import record_event
from pledge.rights.lifecycle import next_states
from pledge.rights.package_crypto import seal
from pledge.rights.requests import (
    create_request,
    extend,
    get_request,
    transition,
    utc_moment,
)
from pledge.rights.types import HANDLING, needs_identity
from pledge.rights.verification import check_code, issue_code, refuse_code
from pledge.services import Services
from pledge.sources.rectification import validate_corrections
from pledge.store.tables import AgentProofRow, RequestRow

RUN_JOB = "request.run"
CLOSING_MAIL_JOB = "request.closing_mail"
MAX_GROUNDS = 2000  # characters of an objection's grounds (Art. 21(1)), typed or sent
EXTENSION_MAIL_JOB = "request.extension_mail"

# Where the privacy center shows a request (pledge.web.privacy_center) and takes its code.
STATUS_PAGE_PATH = "/privacy/requests/status"

MAX_PROOF_BYTES = 5 * 1024 * 1024
PROOF_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


def submit_request(
    session: Session,
    declaration: Declaration,
    *,
    type: str,
    email: str,
    jurisdiction: str,
    identity: Mapping[str, str] | None = None,
    details: Mapping[str, object] | None = None,
    language: str = "en",
    agent_name: str | None = None,
    agent_email: str | None = None,
    actor: str = "subject",
    now: dt.datetime | None = None,
) -> RequestRow:
    """File a request with what its type needs, checked against the declaration."""
    handling = HANDLING.get(type)
    checked, review = _checked_details(declaration, handling, details or {}, jurisdiction)
    if (agent_name or agent_email) and not _agents_allowed(declaration):
        raise PledgeError(
            "this company does not take requests from authorised agents",
            "the person can make the request themselves",
        )
    if bool(agent_name) != bool(agent_email):
        raise PledgeError("an agent's request needs both the agent's name and email address")
    return create_request(
        session,
        declaration,
        type=type,
        email=email,
        jurisdiction=jurisdiction,
        identity=identity,
        actor=actor,
        now=now,
        details=checked,
        language=language,
        agent_name=agent_name,
        agent_email=agent_email,
        approval_required=review,
    )


def confirm_identity(
    session: Session, ref: str, code: str, *, key: bytes, now: dt.datetime | None = None
) -> RequestRow:
    """Check the emailed code; a right one verifies the request and moves it on. A wrong
    one raises CodeRejected after committing the try it cost (see refuse_code)."""
    moment = utc_moment(now)
    if not check_code(session, ref, code, key=key, now=moment):
        refuse_code(
            session,
            "that code did not work",
            "check the latest code we sent, or ask for a new one; a code lasts 15 minutes",
        )
    return proceed(session, ref, actor="subject", now=moment)


def proceed(
    session: Session, ref: str, *, actor: str, now: dt.datetime | None = None
) -> RequestRow:
    """Take a verified request to its next step: approval, or running."""
    moment = utc_moment(now)
    row = get_request(session, ref)
    if row.state != "verified":
        return row
    allowed = next_states(
        "verified", needs_identity=needs_identity(row.type), approval_required=row.approval_required
    )
    target = "awaiting_approval" if "awaiting_approval" in allowed else "running"
    row = transition(session, row.id, target, actor=actor, expected="verified", now=moment)
    if target == "running":
        enqueue(session, RUN_JOB, row.id, now=moment)
    elif HANDLING.get(row.type) == "objection":
        # Objecting to direct marketing is absolute (Art. 21(3)): that part needs no approval.
        enqueue(session, STOP_DIRECT_MARKETING_JOB, row.id, now=moment)
    return row


def resend_code(
    session: Session, services: Services, ref: str, *, now: dt.datetime | None = None
) -> None:
    """Mail a new identity code (the earlier one stops working); CodeRefused when the
    request does not wait for one, or too many were sent this hour."""
    mail_identity_code(session, services, ref, actor="system", now=now)


def mail_identity_code(
    session: Session,
    services: Services,
    ref: str,
    *,
    actor: str,
    now: dt.datetime | None = None,
) -> None:
    """Issue an identity code and mail it with the link to the request's status page, the
    one place where it is typed: a request staff filed from the CLI or the API has no other
    way there, and a person who filed in the privacy center may have closed the page.
    CodeRefused as `issue_code` (an agent's request, among others, gets none)."""
    moment = utc_moment(now)
    code = issue_code(session, ref, key=services.keys.verification, now=moment)
    row = get_request(session, ref)
    message = code_message(
        services.declaration,
        row,
        code,
        lang=row.language,
        sender=services.sender,
        status_url=status_page_url(services, row),
    )
    where = services.send(message)
    record_event(session, row.id, moment, "mail", None, None, actor, f"identity code: {where}")


def status_page_url(services: Services, row: RequestRow) -> str:
    """The signed link to the request's status page, at the public address
    (PLEDGE_PUBLIC_URL), opening in the request's language."""
    token = status_token(row.id, key=services.keys.links)
    query = urlencode({"lang": row.language})
    return services.link(f"{STATUS_PAGE_PATH}/{token}?{query}")


def approve(
    session: Session,
    ref: str,
    *,
    actor: str,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> RequestRow:
    moment = utc_moment(now)
    row = transition(
        session,
        ref,
        "running",
        actor=actor,
        note=note or "approved",
        expected="awaiting_approval",
        now=moment,
    )
    enqueue(session, RUN_JOB, row.id, now=moment)
    return row


def deny(
    session: Session, ref: str, reason: str, *, actor: str, now: dt.datetime | None = None
) -> RequestRow:
    """Close the request as denied; the person is mailed the reason and where to complain."""
    moment = utc_moment(now)
    row = transition(session, ref, "denied", actor=actor, note=reason, now=moment)
    enqueue(session, CLOSING_MAIL_JOB, row.id, now=moment)
    return row


def close_by_hand(
    session: Session,
    ref: str,
    state: Literal["completed", "partially_completed"],
    *,
    actor: str,
    note: str | None = None,
    expected: str | None = None,
    now: dt.datetime | None = None,
) -> RequestRow:
    """Close a request answered outside Pledge; the person is mailed how it ended, as when a
    run closes it (a partial completion needs the reason they are told)."""
    moment = utc_moment(now)
    row = transition(session, ref, state, actor=actor, note=note, expected=expected, now=moment)
    enqueue(session, CLOSING_MAIL_JOB, row.id, now=moment)
    return row


def extend_request(
    session: Session, ref: str, reason: str, *, actor: str, now: dt.datetime | None = None
) -> RequestRow:
    """Extend the due date as the law allows; the person is mailed the date and the reason."""
    moment = utc_moment(now)
    row = extend(session, ref, reason=reason, actor=actor, now=moment)
    enqueue(session, EXTENSION_MAIL_JOB, row.id, now=moment)
    return row


def attach_agent_proof(
    session: Session,
    ref: str,
    *,
    filename: str,
    content_type: str,
    content: bytes,
    key: bytes,
    now: dt.datetime | None = None,
    actor: str = "agent",
) -> None:
    """Keep, sealed, the document an agent sent to show they may act for the person (or
    staff, for them: `actor`)."""
    moment = utc_moment(now)
    row = get_request(session, ref)
    if row.agent_email is None:
        raise PledgeError(f"request {row.id} was not made by an agent")
    if content_type not in PROOF_TYPES:
        raise PledgeError(
            f"a proof must be a PDF, PNG or JPEG file, not {content_type or 'unknown'}",
            "scan or photograph the signed permission",
        )
    if not content or len(content) > MAX_PROOF_BYTES:
        raise PledgeError(
            "the proof must be a file of at most 5 MB",
            "send a smaller scan of the signed permission",
        )
    if session.get(AgentProofRow, row.id) is not None:
        raise PledgeError(f"request {row.id} has a proof already")
    session.add(
        AgentProofRow(
            request_id=row.id,
            filename=filename[-200:] or "proof",
            content_type=content_type,
            content=seal(content, key, ref=row.id),
            uploaded_at=moment,
        )
    )
    record_event(
        session,
        row.id,
        moment,
        "verification",
        None,
        None,
        actor,
        f"proof of authority received ({content_type}, {len(content)} bytes), to be reviewed",
    )


def review_agent_proof(
    session: Session,
    ref: str,
    *,
    accepted: bool,
    actor: str,
    reason: str | None = None,
    now: dt.datetime | None = None,
) -> RequestRow:
    """Staff accept an agent's proof (the request is verified and goes on) or refuse it."""
    moment = utc_moment(now)
    row = get_request(session, ref)
    proof = session.scalars(
        select(AgentProofRow).where(AgentProofRow.request_id == row.id).with_for_update()
    ).first()
    if proof is None:
        raise PledgeError(f"request {row.id} has no agent's proof to review")
    if proof.reviewed_at is not None:
        raise PledgeError(f"the proof of request {row.id} was reviewed already")
    if not accepted and not (reason and reason.strip()):
        raise PledgeError("refusing a proof needs a reason", "the agent is told why")
    proof.accepted, proof.reviewed_by, proof.reviewed_at = accepted, actor, moment
    session.flush()
    if not accepted:
        return deny(
            session,
            row.id,
            f"the agent's proof was not accepted: {reason}",
            actor=actor,
            now=moment,
        )
    transition(
        session,
        row.id,
        "verified",
        actor=actor,
        note="the agent's proof of authority was reviewed and accepted",
        expected="identity_pending",
        now=moment,
    )
    return proceed(session, row.id, actor=actor, now=moment)


def proof_of(session: Session, ref: str) -> AgentProofRow | None:
    return session.get(AgentProofRow, get_request(session, ref).id)


def _checked_details(
    declaration: Declaration,
    handling: str | None,
    details: Mapping[str, object],
    jurisdiction: str,
) -> tuple[dict[str, object], bool]:
    """The request's details as stored, and whether staff must weigh it before it runs."""
    allowed = {
        "rectification": {"corrections"},
        "objection": {"activities", "grounds"},
        "withdraw_consent": {"activities"},
    }.get(handling or "", set())
    extra = sorted(set(details) - allowed)
    if extra:
        raise PledgeError(
            f"a {handling or 'request'} takes no detail {', '.join(repr(e) for e in extra)}",
            f"details it takes: {', '.join(sorted(allowed)) or 'none'}",
        )
    checked: dict[str, object] = {}
    review = False
    if handling == "rectification":
        corrections = details.get("corrections")
        if not isinstance(corrections, Mapping) or not corrections:
            raise PledgeError(
                "a rectification needs the corrections: what is wrong and what it should be",
                'give them as {"identity.name": "Jane Doe"} (category or table.column -> value)',
            )
        cleaned = {str(k): str(v).strip() for k, v in corrections.items()}
        validate_corrections(declaration, cleaned)
        checked["corrections"] = cleaned
    if handling in ("objection", "withdraw_consent"):
        asked = details.get("activities")
        if asked is not None and not (
            isinstance(asked, list) and all(isinstance(a, str) for a in asked)
        ):
            raise PledgeError("activities must be a list of activity names")
        activities = activities_for(declaration, handling, asked, jurisdiction=jurisdiction)
        checked["activities"] = activities
        if handling == "objection":
            review = objection_needs_review(declaration, activities)
            grounds = details.get("grounds")
            if grounds is not None and not isinstance(grounds, str):
                raise PledgeError("an objection's grounds are a text", "give them as a string")
            if grounds and len(grounds.strip()) > MAX_GROUNDS:
                raise PledgeError(
                    f"an objection's grounds take at most {MAX_GROUNDS} characters, "
                    f"not {len(grounds.strip())}",
                    "say in short what in the person's situation stands against the use",
                )
            if grounds and grounds.strip():
                checked["grounds"] = grounds.strip()
    return checked, review


def _agents_allowed(declaration: Declaration) -> bool:
    agents = declaration.rights.agents
    return agents is not None and agents.allowed
