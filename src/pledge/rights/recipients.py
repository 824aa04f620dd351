"""Telling recipients of an erasure, rectification or restriction (GDPR Art. 19).

The controller passes each erasure, rectification or restriction on to every recipient the
data were disclosed to. The declaration says who receives what (`activities.<id>.recipients`,
`recipients.<id>.categories`) and how each one is told (`recipients.<id>.notify`: an email
address, or the environment variable holding a webhook URL).

    plan_notices ─> one pending notice per recipient to tell, + job request.notify_recipients
    request.notify_recipients ─> each pending notice: sent, or failed once more; those left
        pending are tried again later, and after 5 failures given up for an admin to do

A notice is of its request's own kind ("request": of the erasure, rectification or
restriction), or, once a restriction is lifted, of that lifting ("restriction_lifted",
planned by pledge.rights.recipients_lifting): at most one of each per request and
recipient, sent, retried and followed up alike.

Every outcome is recorded on the notice and on the request's timeline. A failure is an
outcome, not an error: the job returns normally, so what it recorded for every notice
commits together, and the ones delivered are not rolled back with the one that was not.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping

import httpx
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pledge.declaration.model import Declaration, Recipient, text
from pledge.errors import NotFound, PledgeError
from pledge.jobs.queue import enqueue
from pledge.jobs.registry import JobContext, job
from pledge.mail.recipient_messages import NoticeEvent
from pledge.rights.events import record_event
from pledge.rights.recipients_delivery import (
    WEBHOOK_TIMEOUT_SECONDS,
    DeliveryFailed,
    deliver,
    told_of,
    what_to_tell,
)
from pledge.rights.reference import normalise_reference
from pledge.rights.requests import get_request, utc_moment
from pledge.rights.types import HANDLING
from pledge.store.tables import NOTICE_KINDS, RecipientNoticeRow, RequestEventRow, RequestRow

log = logging.getLogger("pledge.rights")

NOTIFY_JOB = "request.notify_recipients"
# The queue keeps one unfinished job per kind and request, and a running job is unfinished:
# a job cannot queue its own kind for its own request. Its retry goes under this other kind
# (whose retry goes under the first), running the same handler.
NOTIFY_AGAIN_JOB = "request.notify_recipients_again"
MAX_ATTEMPTS = 5
NO_CHANNEL = "cannot be told automatically: no notify channel declared"
_TOLD: frozenset[str] = frozenset({"erasure", "rectification", "restriction"})


class NoticeSettled(PledgeError):
    """The notice is not, or no longer, in a state that allows what was asked."""

    status_code = 409


def plan_notices(
    session: Session,
    declaration: Declaration,
    request: RequestRow,
    *,
    categories: Collection[str],
    activities: Collection[str],
    now: dt.datetime | None = None,
) -> list[RecipientNoticeRow]:
    """Plan telling the recipients of `activities` that receive any of `categories`.

    `activities` are those of the tables where the person's rows were found, `categories`
    those of the data erased, corrected or restricted. A recipient that lists no categories
    receives everything its activities process. One pending notice is inserted per recipient
    with a notify channel (idempotent: planning again adds nothing) and the job that sends
    them is queued; recipients without one are named on the timeline, for an admin to tell.
    """
    moment = utc_moment(now)
    event = notice_event(request)
    unknown = sorted(set(activities) - set(declaration.activities))
    if unknown:
        raise PledgeError(
            f"activity {', '.join(repr(a) for a in unknown)} is not in the declaration",
            "recipients are found through the declared activities of the tables searched",
        )
    wanted = set(categories)
    receiving: dict[str, Recipient] = {}
    for activity in sorted(activities):
        for name in declaration.activities[activity].recipients:
            recipient = declaration.recipients[name]
            if not recipient.categories or wanted & set(recipient.categories):
                receiving[name] = recipient
    channels: dict[str, str] = {}
    for name, recipient in sorted(receiving.items()):
        channel = channel_of(recipient)
        if channel is not None:
            channels[name] = channel
    untellable = sorted(name for name in receiving if name not in channels)
    inserted = insert_pending(session, request.id, channels, kind="request")
    note = _plan_note(event, receiving, channels, untellable)
    if not _recorded(session, request.id, note):
        record_event(session, request.id, moment, "recipient", None, None, "system", note)
    if inserted:
        enqueue(session, NOTIFY_JOB, request.id, now=moment)
    if not channels:
        return []
    return list(
        session.scalars(
            select(RecipientNoticeRow)
            .where(
                RecipientNoticeRow.request_id == request.id,
                RecipientNoticeRow.recipient.in_(sorted(channels)),
                RecipientNoticeRow.kind == "request",
            )
            .order_by(RecipientNoticeRow.recipient)
        )
    )


def notices(session: Session, ref: str) -> list[RecipientNoticeRow]:
    """A request's notices to recipients, by recipient and in the order they were planned
    (none for an unknown reference)."""
    return list(
        session.scalars(
            select(RecipientNoticeRow)
            .where(RecipientNoticeRow.request_id == normalise_reference(ref))
            .order_by(RecipientNoticeRow.recipient, RecipientNoticeRow.id)
        )
    )


def notice_event(request: RequestRow) -> NoticeEvent:
    """What recipients of this request are told of: "erasure", "rectification" or
    "restriction"; PledgeError for a request of another kind."""
    handling = HANDLING.get(request.type)
    if handling == "erasure":
        return "erasure"
    if handling == "rectification":
        return "rectification"
    if handling == "restriction":
        return "restriction"
    raise PledgeError(
        f"request {request.id} is a '{request.type}' request: recipients are told only of"
        " an erasure, a rectification or a restriction (GDPR Art. 19)",
    )


def channel_of(recipient: Recipient) -> str | None:
    """How a recipient is told: by webhook when it has one (a machine acts on it), else
    by email; None when it declares neither."""
    notify = recipient.notify
    if notify is None:
        return None
    if notify.webhook_env:
        return "webhook"
    return "email" if notify.email else None


def retry_at(attempts: int, now: dt.datetime) -> dt.datetime:
    """When a notice that failed `attempts` times is tried again: 5, 15, 45, 135 minutes."""
    return now + dt.timedelta(minutes=5 * 3 ** (attempts - 1))


# A reference with no request behind it will not appear by trying again: fail at once.
@job(NOTIFY_JOB, throws=(NotFound,))
def notify_recipients(ctx: JobContext, ref: str) -> None:
    """Send every pending notice of the request; queue a retry for those that failed."""
    _send_pending(ctx, ref, again=NOTIFY_AGAIN_JOB)


@job(NOTIFY_AGAIN_JOB, throws=(NotFound,))
def notify_recipients_again(ctx: JobContext, ref: str) -> None:
    """The retry of request.notify_recipients (see NOTIFY_AGAIN_JOB)."""
    _send_pending(ctx, ref, again=NOTIFY_JOB)


def retry_notice(
    session: Session,
    ref: str,
    recipient: str,
    *,
    actor: str,
    now: dt.datetime | None = None,
    kind: str | None = None,
) -> RecipientNoticeRow:
    """Try a failed notice again (after fixing what made it fail): pending, with 5 attempts.

    `kind` picks the notice of that kind; without it, the recipient's failed notice (there
    is one at most: a lifting is told only after the restriction was)."""
    moment = utc_moment(now)
    notice = _notice(session, ref, recipient, kind=kind, prefer=("failed",))
    if notice.state != "failed":
        raise NoticeSettled(
            f"the notice to {recipient}{_of(notice)} is {notice.state}, not failed:"
            " there is nothing to retry"
        )
    notice.state, notice.attempts = "pending", 0
    note = f"{recipient}: the notice{_of(notice)} will be tried again"
    record_event(session, notice.request_id, moment, "recipient", None, None, actor, note)
    enqueue(session, NOTIFY_JOB, notice.request_id, now=moment)
    return notice


def record_told_by_hand(
    session: Session,
    ref: str,
    recipient: str,
    *,
    how: str,
    actor: str,
    now: dt.datetime | None = None,
    kind: str | None = None,
) -> RecipientNoticeRow:
    """Record that staff told the recipient themselves (a phone call, a letter...).

    `kind` picks the notice of that kind; without it, the recipient's notice not sent yet."""
    moment = utc_moment(now)
    if not how.strip():
        raise PledgeError("say how the recipient was told", "e.g. 'by phone to their DPO'")
    notice = _notice(session, ref, recipient, kind=kind, prefer=("pending", "failed"))
    if notice.state == "sent":
        raise NoticeSettled(f"{recipient} was told{_of(notice)} already")
    if notice.state == "cancelled":
        raise NoticeSettled(
            f"the restriction was lifted before {recipient} was told of it: there is nothing"
            " left to tell"
        )
    notice.state, notice.sent_at = "sent", moment
    note = f"{recipient} told by hand{_of(notice)}: {how.strip()}"
    record_event(session, notice.request_id, moment, "recipient", None, None, actor, note)
    return notice


def _send_pending(ctx: JobContext, ref: str, *, again: str) -> None:
    session = ctx.session
    request = get_request(session, ref)
    query = (
        select(RecipientNoticeRow)
        .where(RecipientNoticeRow.request_id == request.id, RecipientNoticeRow.state == "pending")
        .order_by(RecipientNoticeRow.recipient, RecipientNoticeRow.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        # A second job for the same request waits here, then finds these no longer pending.
        query = query.with_for_update()
    pending = list(session.scalars(query))
    if not pending:
        return
    declaration = ctx.services.declaration
    with httpx.Client(timeout=WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False) as client:
        for notice in pending:
            lifted = notice.kind == "restriction_lifted"
            event: NoticeEvent = "restriction_lifted" if lifted else notice_event(request)
            recipient = declaration.recipients.get(notice.recipient)
            try:
                if recipient is None:
                    raise DeliveryFailed(
                        f"{notice.recipient} is no longer a recipient in the declaration",
                        final=True,
                    )
                told = what_to_tell(declaration, notice.recipient, request, event, ctx.now)
                how = deliver(
                    ctx.services, client, notice.recipient, recipient, notice.channel, told
                )
            except DeliveryFailed as failure:
                _failed(ctx, notice, event, failure)
            except Exception as exc:  # a fault of Pledge's own must not lose the others' records
                log.exception("notice to %s of request %s", notice.recipient, request.id)
                _failed(ctx, notice, event, DeliveryFailed(type(exc).__name__))
            else:
                _sent(ctx, notice, event, how)
    left = [notice.attempts for notice in pending if notice.state == "pending"]
    if left:
        enqueue(session, again, request.id, run_after=retry_at(min(left), ctx.now), now=ctx.now)


def _sent(ctx: JobContext, notice: RecipientNoticeRow, event: NoticeEvent, how: str) -> None:
    notice.state, notice.sent_at = "sent", ctx.now
    notice.attempts += 1
    note = f"{notice.recipient} told of {told_of(event)} {how}"
    record_event(ctx.session, notice.request_id, ctx.now, "recipient", None, None, ctx.actor, note)


def _failed(
    ctx: JobContext, notice: RecipientNoticeRow, event: NoticeEvent, failure: DeliveryFailed
) -> None:
    notice.attempts += 1
    notice.last_error = failure.message
    if failure.final or notice.attempts >= MAX_ATTEMPTS:
        notice.state = "failed"
        tries = "" if failure.final else f" after {notice.attempts} attempts"
        note = (
            f"{notice.recipient} could not be told of {told_of(event)}{tries}:"
            f" {failure.message}."
            " An admin must tell this recipient by hand (or fix the cause and try again)"
        )
    else:
        note = (
            f"{notice.recipient} not told of {told_of(event)} yet (attempt {notice.attempts} of"
            f" {MAX_ATTEMPTS}): {failure.message}; it will be tried again"
        )
    record_event(ctx.session, notice.request_id, ctx.now, "recipient", None, None, ctx.actor, note)


def insert_pending(
    session: Session, request_id: str, channels: Mapping[str, str], *, kind: str
) -> list[str]:
    """Insert the notices of `kind` not planned yet (recipient -> channel); the recipients
    inserted."""
    if not channels:
        return []
    rows = [
        {
            "request_id": request_id,
            "recipient": name,
            "kind": kind,
            "channel": channel,
            "state": "pending",
            "attempts": 0,
        }
        for name, channel in channels.items()
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(RecipientNoticeRow)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["request_id", "recipient", "kind"])
        .returning(RecipientNoticeRow.recipient)
    )
    return list(session.scalars(statement))


def _plan_note(
    event: str, receiving: dict[str, Recipient], channels: dict[str, str], untellable: list[str]
) -> str:
    def named(name: str) -> str:
        return f"{name} ({text(receiving[name].name, 'en')})"

    if not receiving:
        return f"no declared recipient receives the data concerned by the {event}: none to tell"
    parts = []
    if channels:
        told = ", ".join(f"{named(name)} by {channel}" for name, channel in channels.items())
        parts.append(f"to tell of the {event} (GDPR Art. 19): {told}")
    if untellable:
        parts.append(f"{NO_CHANNEL}: {', '.join(named(name) for name in untellable)}")
    return "; ".join(parts)


def _recorded(session: Session, request_id: str, note: str) -> bool:
    return (
        session.scalars(
            select(RequestEventRow.id)
            .where(
                RequestEventRow.request_id == request_id,
                RequestEventRow.kind == "recipient",
                RequestEventRow.note == note,
            )
            .limit(1)
        ).first()
        is not None
    )


def _notice(
    session: Session, ref: str, recipient: str, *, kind: str | None, prefer: Collection[str]
) -> RecipientNoticeRow:
    """The recipient's notice of `kind`, or else its latest one in a state of `prefer`, or
    else its latest (whose state the caller's refusal names)."""
    if kind is not None and kind not in NOTICE_KINDS:
        raise PledgeError(
            f"{kind!r} is not a kind of notice", f"one of {', '.join(NOTICE_KINDS)}, or none"
        )
    request_id = get_request(session, ref).id
    query = select(RecipientNoticeRow).where(
        RecipientNoticeRow.request_id == request_id, RecipientNoticeRow.recipient == recipient
    )
    if kind is not None:
        query = query.where(RecipientNoticeRow.kind == kind)
    found = list(session.scalars(query.order_by(RecipientNoticeRow.id.desc())))
    if not found:
        of = "" if kind is None else f" of kind {kind}"
        raise NotFound(f"request {request_id} has no notice{of} to {recipient}")
    return next((notice for notice in found if notice.state in prefer), found[0])


def _of(notice: RecipientNoticeRow) -> str:
    # Nothing for a notice of the request's own kind: its words stay as they always were.
    return " of the lifting of the restriction" if notice.kind == "restriction_lifted" else ""
