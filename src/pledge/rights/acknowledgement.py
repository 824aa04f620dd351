"""Acknowledging a request: the first thing done for it, by the `request.acknowledge` job.

The CCPA wants receipt of a request to know, delete or correct confirmed within 10 business
days (11 CCR §7021(a)); Pledge acknowledges every request, whatever the law, as soon as the
job runs; the job mails the acknowledgement (pledge.rights.jobs) and the event says what it
told the person.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from pledge.rights.deadlines import local_day
from pledge.rights.events import record_event
from pledge.rights.lifecycle import CLOSED, next_states
from pledge.rights.requests import (
    clock_of,
    compare_and_set,
    get_request,
    transition,
    utc_moment,
)
from pledge.rights.types import DESCRIPTIONS, needs_identity
from pledge.store.tables import RequestRow


def acknowledge(
    session: Session, reference: str, *, actor: str, now: dt.datetime | None = None
) -> RequestRow:
    """Record the acknowledgement of a received request and start its identity step.

    Idempotent: a request acknowledged already is left as it is, and so is one closed before
    it could be (its closing message says more). A request that needs no identity check (an
    opt-out of sale) goes straight to running.
    """
    moment = utc_moment(now)
    row = get_request(session, reference)
    if row.acknowledged_at is not None or row.state in CLOSED:
        return row
    compare_and_set(
        session, row, row.state, {"acknowledged_at": moment}, RequestRow.acknowledged_at.is_(None)
    )
    record_event(
        session, row.id, moment, "acknowledged", None, None, actor, _acknowledgement(row, moment)
    )
    if row.state == "received":
        allowed = next_states(
            "received",
            needs_identity=needs_identity(row.type),
            approval_required=row.approval_required,
        )
        return transition(session, row.id, allowed[0], actor=actor, expected="received", now=moment)
    return get_request(session, row.id)


def _acknowledgement(row: RequestRow, moment: dt.datetime) -> str:
    received = local_day(row.received_at, row.jurisdiction).isoformat()
    said = f"we received your {DESCRIPTIONS[row.type]} {row.id} on {received}"
    if row.due_at is not None:
        said += f" and will answer by {row.due_at.isoformat()}"
    elif needs_identity(row.type):
        clock = clock_of(row)
        period = clock.legal
        if clock.declared is not None and clock.declared.approx_days() < period.approx_days():
            period = clock.declared
        said += f"; please confirm your identity: we will answer within {period} of that"
    text = f"receipt acknowledged: {said}"
    if row.acknowledge_by is not None and local_day(moment, row.jurisdiction) > row.acknowledge_by:
        text += f" — LATE: it was due by {row.acknowledge_by.isoformat()}"
    return text
