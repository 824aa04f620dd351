"""Telling the recipients told of a restriction that it was lifted (GDPR Art. 19).

A recipient told of a restriction stops using the person's data until it hears otherwise:
without a word when the restriction ends, it would keep it for ever. So when staff lift a
restriction (pledge.rights.restriction_lift, once the person is mailed), every recipient
told of it (its notice sent, by Pledge or recorded as told by hand) gets a notice of kind
"restriction_lifted" by the same channel, which request.notify_recipients sends, retries and
records like any other, and staff retry or record as told by hand like any other.

A notice of the restriction not sent by then (still being retried, or failed) is cancelled:
that recipient never stopped, and telling it of a restriction already over would only
mislead it, or, told by hand later, leave it waiting for a lifting it would never hear of.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.declaration.model import Declaration, text
from pledge.jobs.queue import enqueue
from pledge.rights.events import record_event
from pledge.rights.recipients import NOTIFY_JOB, insert_pending
from pledge.store.tables import RecipientNoticeRow, RequestRow

LIFTED = "restriction_lifted"


def tell_of_lifting(
    session: Session,
    declaration: Declaration,
    request: RequestRow,
    *,
    actor: str,
    now: dt.datetime,
) -> list[str]:
    """Plan a notice of the lifting to each recipient told of `request`'s restriction and
    cancel the restriction's notices not sent; the recipients to tell. Idempotent: planned
    once, a notice is not planned again, nor its timeline entry written twice."""
    query = (
        select(RecipientNoticeRow)
        .where(RecipientNoticeRow.request_id == request.id, RecipientNoticeRow.kind == "request")
        .order_by(RecipientNoticeRow.recipient)
    )
    if session.get_bind().dialect.name == "postgresql":
        # A notice being sent right now is waited for, then seen sent: it is told the lifting.
        query = query.with_for_update()
    restriction = list(session.scalars(query))
    unsent = [notice for notice in restriction if notice.state in ("pending", "failed")]
    for notice in unsent:
        notice.state = "cancelled"
    if unsent:
        note = (
            "not told of the restriction before it was lifted, so no longer to be told of it:"
            f" {', '.join(_named(declaration, notice.recipient) for notice in unsent)}"
        )
        record_event(session, request.id, now, "recipient", None, None, actor, note)
    told = {notice.recipient: notice.channel for notice in restriction if notice.state == "sent"}
    inserted = insert_pending(session, request.id, told, kind=LIFTED)
    if inserted:
        planned = ", ".join(
            f"{_named(declaration, name)} by {told[name]}" for name in sorted(inserted)
        )
        note = f"to tell of the lifting of the restriction (GDPR Art. 19): {planned}"
        record_event(session, request.id, now, "recipient", None, None, actor, note)
        enqueue(session, NOTIFY_JOB, request.id, now=now)
    return sorted(told)


def _named(declaration: Declaration, recipient: str) -> str:
    declared = declaration.recipients.get(recipient)
    return f"{recipient} ({text(declared.name, 'en')})" if declared is not None else recipient
