"""What staff tell Pledge about a person that starts a retention clock, or ends their data.

An account closed, a relationship or a contract ended: a rule whose trigger is one of these,
on a table that maps no column for it, counts from the day recorded here (people.py finds
the person's rows). "child" says the person is a child: children.py erases their data.
Each event is a SubjectEventRow naming the person by email in lower case, as decisions do.
"""

from __future__ import annotations

import datetime as dt
import difflib

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.errors import PledgeError
from pledge.rights.decisions import identity_of
from pledge.store.tables import SUBJECT_EVENT_KINDS, SubjectEventRow

# The events that start a retention clock, named as the rules' triggers name them.
CLOCK_EVENTS = ("account_closed", "relationship_end", "contract_end")
CHILD = "child"


def record_event(
    session: Session,
    *,
    kind: str,
    email: str,
    occurred_on: dt.date,
    actor: str,
    note: str | None,
    now: dt.datetime,
) -> SubjectEventRow:
    """Record that `kind` happened to the person on `occurred_on` (today or before)."""
    if kind not in SUBJECT_EVENT_KINDS:
        close = difflib.get_close_matches(kind, SUBJECT_EVENT_KINDS, n=1)
        guess = f"did you mean '{close[0]}'? " if close else ""
        raise PledgeError(
            f"unknown event kind '{kind}'", f"{guess}use one of: {', '.join(SUBJECT_EVENT_KINDS)}"
        )
    identity_kind, identity_value = identity_of(email)
    if "@" not in identity_value:
        raise PledgeError(f"'{email}' is not an email address", "name the person by their email")
    if occurred_on > now.date():
        raise PledgeError(
            f"the {kind.replace('_', ' ')} is dated {occurred_on.isoformat()}, after today",
            "record an event once it has happened",
        )
    row = SubjectEventRow(
        kind=kind,
        identity_kind=identity_kind,
        identity_value=identity_value,
        occurred_on=occurred_on,
        recorded_at=now,
        recorded_by=actor,
        note=note.strip() if note and note.strip() else None,
    )
    session.add(row)
    session.flush()
    return row


def list_events(
    session: Session, *, email: str | None = None, kind: str | None = None
) -> list[SubjectEventRow]:
    """The events recorded, oldest first; of one person or one kind when given."""
    query = select(SubjectEventRow)
    if email is not None:
        identity_kind, identity_value = identity_of(email)
        query = query.where(
            SubjectEventRow.identity_kind == identity_kind,
            SubjectEventRow.identity_value == identity_value,
        )
    if kind is not None:
        query = query.where(SubjectEventRow.kind == kind)
    return list(session.scalars(query.order_by(SubjectEventRow.id)))
