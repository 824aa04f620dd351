"""Legal holds on a person: placed by staff with a reason and an end, released by staff.

A hold keeps the person's rows in the tables of its scope ("source.table" names; every
declared table when the scope is empty) from sweeps and from erasures while it is in force:
not released, and its `until` day (the last day it holds; none: until released) not passed.
The person is named by email in lower case, as decisions name them (pledge.rights.decisions).

people.py turns holds into keys of rows for the sweep; `person_holds` tells an erasure which
tables of the person to leave as they are, and why (held_erasure.py).

A hold that ends queues the job "retention.hold_ended" (its ref: the hold's id), which
finishes the erasures it kept tables from, requests' and children's (hold_release.py,
held_child.py): `release_hold` queues it in its own transaction, and each retention sweep
queues it for the holds past their last day (`queue_ended_holds`, from
pledge.retention.schedule).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import String, cast, exists, or_, select
from sqlalchemy.orm import Session

from pledge.declaration.model import Declaration
from pledge.errors import NotFound, PledgeError
from pledge.jobs.queue import enqueue
from pledge.store.tables import JobRow, LegalHoldRow

Place = tuple[str, str]  # (source, table)

HOLD_ENDED_JOB = "retention.hold_ended"
# A day is over everywhere (down to UTC-12) twelve hours after it is over in UTC: a hold
# ended on its last day in one jurisdiction still holds in another.
_WESTMOST = dt.timedelta(hours=12)


@dataclass(frozen=True)
class PersonHold:
    """What keeps one table of a person's: the holds' reasons and the last day they hold."""

    reasons: tuple[str, ...]
    until: dt.date | None  # None: at least one of them holds until released


def identity_of(email: str) -> tuple[str, str]:
    """The person as the store names them: ("email", the address in lower case), as
    pledge.rights.decisions does. Not imported from there: pledge.rights loads the request
    erasure, which asks this module for holds."""
    return "email", email.strip().lower()


def place_hold(
    session: Session,
    declaration: Declaration,
    *,
    email: str,
    reason: str,
    until: dt.date | None,
    scope: Sequence[str],
    actor: str,
    now: dt.datetime,
) -> LegalHoldRow:
    """Record a hold on the person's rows in the `scope` tables (all of them when empty)."""
    identity_kind, identity_value = identity_of(email)
    if "@" not in identity_value:
        raise PledgeError(f"'{email}' is not an email address", "hold a person by their email")
    if not reason.strip():
        raise PledgeError("a legal hold needs a reason", "e.g. 'dispute D-9 opened 2024-06-01'")
    if until is not None and until < now.date():
        raise PledgeError(
            f"the hold would end on {until.isoformat()}, which has passed",
            "give the last day it must hold, today or later, or none to hold until released",
        )
    places = _checked_scope(declaration, scope)
    row = LegalHoldRow(
        identity_kind=identity_kind,
        identity_value=identity_value,
        scope=places,
        reason=reason.strip(),
        until=until,
        created_at=now,
        created_by=actor,
    )
    session.add(row)
    session.flush()
    return row


def release_hold(session: Session, hold_id: int, *, actor: str, now: dt.datetime) -> LegalHoldRow:
    """End a hold now; the next sweep treats the rows it kept by their rules again, and a job
    finishes the erasures it kept tables from (queued in the same transaction)."""
    row = session.get(LegalHoldRow, hold_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no legal hold {hold_id}", "`pledge hold list` shows the holds")
    if row.released_at is not None:
        raise PledgeError(
            f"legal hold {hold_id} was released on {row.released_at:%Y-%m-%d %H:%M} UTC "
            f"by {row.released_by}",
            "nothing to do",
        )
    row.released_at, row.released_by = now, actor
    session.flush()
    enqueue(session, HOLD_ENDED_JOB, str(row.id), now=now)
    return row


def queue_ended_holds(session: Session, *, now: dt.datetime) -> list[int]:
    """Queue the job of every hold that ended without one: past its last day everywhere, or
    released before releasing queued it. The ids of the holds queued, oldest first."""
    over = (now - _WESTMOST).date()
    queued = exists().where(
        JobRow.kind == HOLD_ENDED_JOB, JobRow.ref == cast(LegalHoldRow.id, String)
    )
    ended = select(LegalHoldRow.id).where(
        or_(LegalHoldRow.released_at.is_not(None), LegalHoldRow.until < over), ~queued
    )
    ids = list(session.scalars(ended.order_by(LegalHoldRow.id)))
    for hold_id in ids:
        enqueue(session, HOLD_ENDED_JOB, str(hold_id), now=now)
    return ids


def active_holds(
    session: Session, *, as_of: dt.date, email: str | None = None
) -> list[LegalHoldRow]:
    """The holds in force on `as_of` (of one person, with `email`), oldest first."""
    query = select(LegalHoldRow).where(
        LegalHoldRow.released_at.is_(None),
        or_(LegalHoldRow.until.is_(None), LegalHoldRow.until >= as_of),
    )
    if email is not None:
        identity_kind, identity_value = identity_of(email)
        query = query.where(
            LegalHoldRow.identity_kind == identity_kind,
            LegalHoldRow.identity_value == identity_value,
        )
    return list(session.scalars(query.order_by(LegalHoldRow.id)))


def all_holds(session: Session) -> list[LegalHoldRow]:
    """Every hold, in force or not, oldest first: the record of what was held and why."""
    return list(session.scalars(select(LegalHoldRow).order_by(LegalHoldRow.id)))


def hold_state(row: LegalHoldRow, today: dt.date) -> str:
    if row.released_at is not None:
        return "released"
    if row.until is not None and row.until < today:
        return "ended"
    return "in force"


def hold_places(declaration: Declaration, row: LegalHoldRow) -> list[Place]:
    """The declared tables a hold covers: its scope, or every table when the scope is empty."""
    declared = [(s, t) for s, source in declaration.sources.items() for t in source.tables]
    if not row.scope:
        return declared
    # A table the declaration no longer lists has no rows to keep.
    return [place for place in declared if f"{place[0]}.{place[1]}" in row.scope]


def person_holds(
    session: Session, declaration: Declaration, *, email: str, as_of: dt.date
) -> dict[Place, PersonHold]:
    """Per table of the person's that a hold keeps on `as_of`: the reasons and the end."""
    reasons: dict[Place, dict[str, None]] = {}
    ends: dict[Place, list[dt.date | None]] = {}
    for row in active_holds(session, as_of=as_of, email=email):
        for place in hold_places(declaration, row):
            reasons.setdefault(place, {})[row.reason] = None
            ends.setdefault(place, []).append(row.until)
    return {place: PersonHold(tuple(reasons[place]), _last(ends[place])) for place in reasons}


def _last(ends: list[dt.date | None]) -> dt.date | None:
    return None if None in ends else max(e for e in ends if e is not None)


def _checked_scope(declaration: Declaration, scope: Sequence[str]) -> list[str]:
    names = [
        f"{source_name}.{table}"
        for source_name, source in declaration.sources.items()
        for table in source.tables
    ]
    chosen = list(dict.fromkeys(name.strip() for name in scope if name.strip()))
    unknown = [name for name in chosen if name not in names]
    if unknown:
        close = [m for name in unknown for m in difflib.get_close_matches(name, names, n=1)]
        guess = f"did you mean {', '.join(repr(m) for m in close)}? " if close else ""
        listed = ", ".join(repr(name) for name in unknown)
        raise PledgeError(
            f"the declaration has no table {listed}",
            f"{guess}a scope names a declared table as source.table: {', '.join(names)}",
        )
    return chosen
