"""Lifting a restriction of processing, the person told first (GDPR Art. 18(3)).

A person who obtained a restriction must be told by the controller before it is lifted.
Staff decide to lift it (`lift_restriction`, from the console or the API, with the reason the
person is told): the request's restriction is marked as lifted by them (`lifted_by`) and the
decision recorded on the timeline, but it stays in force, and the job LIFT_JOB is queued.
In one transaction the job mails the person which restriction ends, since when it applied,
from when it no longer does, why, and where they can complain; records the mail on the
timeline; and only then lifts it (`release_restriction`: `lifted_at` set, the decision API
answers "yes" again, the next sweep judges the rows by their rules). A relay that refuses
the mail fails the job before anything is lifted: it is tried again, and the restriction
holds meanwhile. Run again once done, the job finds nothing to lift and mails nothing.

In the same transaction, the recipients told of the restriction (Art. 19) are to be told of
its lifting (pledge.rights.recipients_lifting): their notices are planned, and sent by
request.notify_recipients after it commits, so a recipient is never told before the lifting
is done.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pledge.errors import NotFound, PledgeError
from pledge.jobs.queue import enqueue
from pledge.jobs.registry import JobContext, job
from pledge.mail.messages import restriction_lifted_message
from pledge.rights.events import record_event
from pledge.rights.recipients_lifting import tell_of_lifting
from pledge.rights.requests import get_request, utc_moment
from pledge.store.tables import RequestEventRow, SubjectDecisionRow

LIFT_JOB = "request.lift_restriction"
# How the timeline records the decision to lift, the mail, and the lifting itself.
_DECIDED = "restriction to be lifted once the person is told (GDPR Art. 18(3)); reason: "
_MAILED = "restriction lifted"
_LIFTED = "restriction lifted; reason: "


def lift_restriction(
    session: Session,
    reference: str,
    *,
    actor: str,
    reason: str,
    now: dt.datetime | None = None,
) -> int:
    """Decide to lift the restriction the request recorded, for `reason`, which the person
    is told; the number of decisions to lift (0: none in force). It holds until LIFT_JOB
    has mailed the person. Deciding again meanwhile records the new reason, which the mail
    gives."""
    moment = utc_moment(now)
    if not reason.strip():
        raise PledgeError("lifting a restriction needs a reason", "the person is told why")
    request = get_request(session, reference)
    result = session.execute(
        update(SubjectDecisionRow)
        .where(
            SubjectDecisionRow.request_id == request.id,
            SubjectDecisionRow.kind == "restriction",
            SubjectDecisionRow.lifted_at.is_(None),
        )
        .values(lifted_by=actor)
        .execution_options(synchronize_session=False)
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        note = f"{_DECIDED}{reason.strip()}"
        record_event(session, request.id, moment, "decision", None, None, actor, note)
        enqueue(session, LIFT_JOB, request.id, now=moment)
    return count


def lift_pending(decision: SubjectDecisionRow) -> bool:
    """Whether staff decided to lift this restriction and it holds until LIFT_JOB mails
    the person."""
    return (
        decision.kind == "restriction"
        and decision.lifted_at is None
        and decision.lifted_by is not None
    )


def release_restriction(
    session: Session,
    reference: str,
    *,
    actor: str,
    reason: str,
    now: dt.datetime | None = None,
) -> int:
    """Lift the request's restriction now; the number of decisions lifted (0: none in force).
    Only once the person was told (LIFT_JOB calls it after its mail)."""
    moment = utc_moment(now)
    request = get_request(session, reference)
    result = session.execute(
        update(SubjectDecisionRow)
        .where(
            SubjectDecisionRow.request_id == request.id,
            SubjectDecisionRow.kind == "restriction",
            SubjectDecisionRow.lifted_at.is_(None),
        )
        .values(lifted_at=moment, lifted_by=actor)
        .execution_options(synchronize_session=False)
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        note = f"{_LIFTED}{reason.strip()}"
        record_event(session, request.id, moment, "decision", None, None, actor, note)
    return count


# A reference with no request behind it will not appear by trying again: fail at once. A
# relay refusing the mail is retried: nothing is lifted until it takes it.
@job(LIFT_JOB, throws=(NotFound,))
def lift_once_told(ctx: JobContext, ref: str) -> None:
    """Mail the person that their restriction ends, record it, lift it, then plan telling
    the recipients told of it; once."""
    session = ctx.session
    request = get_request(session, ref)
    query = (
        select(SubjectDecisionRow)
        .where(
            SubjectDecisionRow.request_id == request.id,
            SubjectDecisionRow.kind == "restriction",
            SubjectDecisionRow.lifted_at.is_(None),
            SubjectDecisionRow.lifted_by.is_not(None),
        )
        .order_by(SubjectDecisionRow.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()  # a second runner waits, then finds it lifted
    decided = list(session.scalars(query))
    if not decided:
        return
    services = ctx.services
    reason = _reason(session, request.id)
    message = restriction_lifted_message(
        services.declaration,
        request,
        lang=request.language,
        sender=services.sender,
        restricted_since=min(d.decided_at for d in decided),
        lifted_at=ctx.now,
        reason=reason,
    )
    where = services.send(message)
    record_event(session, request.id, ctx.now, "mail", None, None, ctx.actor, f"{_MAILED}: {where}")
    actor = decided[-1].lifted_by or ctx.actor
    release_restriction(session, request.id, actor=actor, reason=reason, now=ctx.now)
    tell_of_lifting(session, services.declaration, request, actor=ctx.actor, now=ctx.now)


def _reason(session: Session, request_id: str) -> str:
    """The reason staff gave when they last decided to lift the restriction."""
    note = session.scalars(
        select(RequestEventRow.note)
        .where(
            RequestEventRow.request_id == request_id,
            RequestEventRow.kind == "decision",
            RequestEventRow.note.startswith(_DECIDED),
        )
        .order_by(RequestEventRow.id.desc())
        .limit(1)
    ).first()
    return note[len(_DECIDED) :] if note else ""
