"""A request's timeline: events are only ever added, in the transaction of what they record."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.rights.lifecycle import EventKind
from pledge.rights.reference import normalise_reference
from pledge.store.tables import RequestEventRow


def record_event(
    session: Session,
    request_id: str,
    at: dt.datetime,
    kind: EventKind,
    from_state: str | None,
    to_state: str | None,
    actor: str,
    note: str | None,
) -> None:
    session.add(
        RequestEventRow(
            request_id=request_id,
            at=at,
            kind=kind,
            from_state=from_state,
            to_state=to_state,
            actor=actor,
            note=note,
        )
    )
    session.flush()


def timeline(session: Session, reference: str) -> list[RequestEventRow]:
    """The request's events, oldest first (none for a reference with no request)."""
    request_id = normalise_reference(reference)
    return list(
        session.scalars(
            select(RequestEventRow)
            .where(RequestEventRow.request_id == request_id)
            .order_by(RequestEventRow.at, RequestEventRow.id)
        )
    )
