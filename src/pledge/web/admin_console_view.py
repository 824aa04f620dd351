"""What the console's request pages show, read from the store and put in words.

Templates only lay out what these dataclasses hold: dates are worked out where each
request's law applies, and states and types are named as a person would say them. Which
actions a request allows is decided in admin_console_allowed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pledge.declaration.jurisdictions import jurisdiction as profile_of
from pledge.errors import PledgeError
from pledge.rights.deadlines import days_left, is_due_soon, is_overdue, local_day
from pledge.rights.delivery import result_of
from pledge.rights.events import timeline
from pledge.rights.lifecycle import CLOSED, STATES
from pledge.rights.recipients import notices
from pledge.rights.requests import due_date, get_request
from pledge.rights.restriction_lift import lift_pending
from pledge.rights.types import DESCRIPTIONS
from pledge.rights.workflow import proof_of
from pledge.store.tables import (
    AgentProofRow,
    JobRow,
    RecipientNoticeRow,
    RequestEventRow,
    RequestResultRow,
    RequestRow,
    SubjectDecisionRow,
)
from pledge.web.admin_console_allowed import allowed_actions
from pledge.web.admin_console_summary import ResultView, result_view

STATE_WORDS = {
    "received": "received",
    "identity_pending": "waiting for identity",
    "verified": "identity confirmed",
    "awaiting_approval": "awaiting approval",
    "running": "running",
    "completed": "completed",
    "partially_completed": "partly completed",
    "denied": "denied",
}


def state_words(state: str) -> str:
    return STATE_WORDS.get(state, state.replace("_", " "))


def type_words(request_type: str) -> str:
    return DESCRIPTIONS.get(request_type, request_type.replace("_", " "))


def place_words(code: str) -> str:
    try:
        return profile_of(code).name.get("en", code)
    except PledgeError:
        return code


def moment_words(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else ""


@dataclass(frozen=True)
class Clock:
    """Where a request stands against its due date, today where its law applies."""

    due: dt.date | None
    extended: bool
    days_left: int | None  # None when closed or while the clock is stopped
    overdue: bool
    due_soon: bool
    words: str
    closed: bool = False

    @classmethod
    def of(cls, row: RequestRow, now: dt.datetime) -> Clock:
        due = due_date(row)
        extended = row.extended_due_at is not None
        if row.state in CLOSED:
            return cls(due, extended, None, False, False, "closed", closed=True)
        if due is None:
            return cls(
                None, extended, None, False, False, "clock stopped until identity is confirmed"
            )
        today = local_day(now, row.jurisdiction)
        left = days_left(due, today)
        if left < 0:
            words = f"{-left} day{_s(-left)} overdue"
        elif left == 0:
            words = "due today"
        else:
            words = f"{left} day{_s(left)} left"
        return cls(due, extended, left, is_overdue(due, today), is_due_soon(due, today), words)


@dataclass(frozen=True)
class ListedRequest:
    reference: str
    type: str
    state: str
    jurisdiction: str
    email: str
    received: dt.date
    clock: Clock

    @classmethod
    def of(cls, row: RequestRow, now: dt.datetime) -> ListedRequest:
        return cls(
            reference=row.id,
            type=type_words(row.type),
            state=state_words(row.state),
            jurisdiction=row.jurisdiction,
            email=row.email,
            received=local_day(row.received_at, row.jurisdiction),
            clock=Clock.of(row, now),
        )


@dataclass(frozen=True)
class StateCount:
    state: str
    words: str
    count: int


def state_counts(session: Session) -> list[StateCount]:
    """How many requests are in each state, in the order of the lifecycle."""
    query = select(RequestRow.state, func.count()).group_by(RequestRow.state)
    found = dict(session.execute(query).all())
    return [StateCount(state, state_words(state), int(found.get(state, 0))) for state in STATES]


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class Event:
    at: str
    kind: str
    change: str
    actor: str
    note: str

    @classmethod
    def of(cls, row: RequestEventRow) -> Event:
        change = ""
        if row.to_state:
            before = f"{state_words(row.from_state)} → " if row.from_state else ""
            change = before + state_words(row.to_state)
        return cls(moment_words(row.at), row.kind, change, row.actor, row.note or "")


@dataclass(frozen=True)
class Job:
    kind: str
    ref: str
    state: str
    attempts: int
    created: str
    finished: str
    error: str

    @classmethod
    def of(cls, row: JobRow) -> Job:
        return cls(
            row.kind,
            row.ref,
            row.state,
            row.attempts,
            moment_words(row.created_at),
            moment_words(row.finished_at),
            row.last_error or "",
        )


@dataclass(frozen=True)
class Notice:
    recipient: str
    about: str  # what the recipient is told of: the request, or a restriction lifted
    channel: str
    state: str
    attempts: int
    sent: str
    error: str

    @classmethod
    def of(cls, row: RecipientNoticeRow) -> Notice:
        about = "restriction lifted" if row.kind == "restriction_lifted" else "the request"
        return cls(
            row.recipient,
            about,
            row.channel,
            row.state,
            row.attempts,
            moment_words(row.sent_at),
            row.last_error or "",
        )


@dataclass(frozen=True)
class Decision:
    kind: str
    activity: str
    decided: str
    lifted: str
    pending: str  # a lift decided, waiting for its mail to the person

    @classmethod
    def of(cls, row: SubjectDecisionRow) -> Decision:
        lifted = f"{moment_words(row.lifted_at)} by {row.lifted_by}" if row.lifted_at else ""
        pending = (
            f"to be lifted once the person is mailed (decided by {row.lifted_by})"
            if lift_pending(row)
            else ""
        )
        return cls(row.kind, row.activity or "all", moment_words(row.decided_at), lifted, pending)


@dataclass(frozen=True)
class Proof:
    filename: str
    content_type: str
    size: str
    uploaded: str
    review: str  # "" while it waits for review

    @classmethod
    def of(cls, row: AgentProofRow) -> Proof:
        review = ""
        if row.reviewed_at is not None:
            verdict = "accepted" if row.accepted else "refused"
            review = f"{verdict} by {row.reviewed_by} on {moment_words(row.reviewed_at)}"
        return cls(
            row.filename,
            row.content_type,
            f"{len(row.content) / 1024:.0f} kB (sealed)",
            moment_words(row.uploaded_at),
            review,
        )


@dataclass(frozen=True)
class RequestPage:
    """Everything the request's page shows, read in one transaction."""

    reference: str
    state: str
    state_words: str
    type: str
    clock: Clock
    fields: list[Field]
    events: list[Event]
    jobs: list[Job]
    result: ResultView | None
    notices: list[Notice]
    decisions: list[Decision]
    proof: Proof | None
    actions: frozenset[str] = field(default_factory=frozenset)


def request_page(session: Session, ref: str, now: dt.datetime) -> RequestPage:
    row = get_request(session, ref)
    jobs = jobs_of(session, row.id)
    proof = proof_of(session, row.id)
    decisions = list(
        session.scalars(
            select(SubjectDecisionRow)
            .where(SubjectDecisionRow.request_id == row.id)
            .order_by(SubjectDecisionRow.id)
        )
    )
    result: RequestResultRow | None = result_of(session, row.id)
    clock = Clock.of(row, now)
    return RequestPage(
        reference=row.id,
        state=row.state,
        state_words=state_words(row.state),
        type=type_words(row.type),
        clock=clock,
        fields=_fields(row, clock),
        events=[Event.of(e) for e in timeline(session, row.id)],
        jobs=[Job.of(j) for j in jobs],
        result=result_view(result) if result is not None else None,
        notices=[Notice.of(n) for n in notices(session, row.id)],
        decisions=[Decision.of(d) for d in decisions],
        proof=Proof.of(proof) if proof is not None else None,
        actions=allowed_actions(row, proof, decisions, jobs, now),
    )


def jobs_of(session: Session, reference: str) -> list[JobRow]:
    """The request's jobs, and those of its parts ("REF:shop" erases one source)."""
    return list(
        session.scalars(
            select(JobRow)
            .where(or_(JobRow.ref == reference, JobRow.ref.like(f"{reference}:%")))
            .order_by(JobRow.created_at, JobRow.id)
        )
    )


def _fields(row: RequestRow, clock: Clock) -> list[Field]:
    fields = [
        Field("Reference", row.id),
        Field("Type", f"{type_words(row.type)} ({row.type})"),
        Field("State", state_words(row.state)),
        Field("Jurisdiction", f"{place_words(row.jurisdiction)} ({row.jurisdiction})"),
        Field("Email", row.email),
        Field("Language", row.language),
    ]
    fields += [Field(f"Identity: {k}", v) for k, v in sorted(row.identity.items())]
    fields += [Field(f"Details: {k}", _detail_words(v)) for k, v in sorted(row.details.items())]
    if row.agent_email:
        fields.append(Field("Authorised agent", f"{row.agent_name} <{row.agent_email}>"))
    fields.append(Field("Received", moment_words(row.received_at)))
    if row.acknowledge_by:
        fields.append(Field("Acknowledge by", row.acknowledge_by.isoformat()))
    fields.append(Field("Acknowledged", moment_words(row.acknowledged_at) or "not yet"))
    fields.append(Field("Identity confirmed", moment_words(row.verified_at) or "not yet"))
    due = clock.due.isoformat() if clock.due else "not set yet"
    fields.append(Field("Due", f"{due} ({clock.words})"))
    if row.extended_due_at is not None:
        first = row.due_at.isoformat() if row.due_at else "?"
        reason = row.extension_reason or ""
        fields.append(Field("Extended", f"from {first}; reason: {reason}"))
    fields.append(Field("Approval required", "yes" if row.approval_required else "no"))
    if row.closed_at:
        fields.append(Field("Closed", moment_words(row.closed_at)))
    if row.outcome:
        fields.append(Field("Outcome", row.outcome))
    return fields


def _detail_words(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k} → {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _s(count: int) -> str:
    return "" if count == 1 else "s"
