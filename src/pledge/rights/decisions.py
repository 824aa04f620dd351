"""A person's standing choices, and the question later processing asks of them.

Restriction, objection, withdrawal of consent and the CCPA opt-out of sale and sharing do
not end with a package or an erasure: they leave a decision that holds until lifted. Each is
a `SubjectDecisionRow` keyed by the person's email in lower case; a restriction also marks
the person's own rows of the company databases (`RestrictedRowRow`), which are left as
they are. `standing` answers "may we use this person's data for activity X?" from them in
one query; lifting keeps the rows, as history. A restriction is lifted only once the person
was told (pledge.rights.restriction_lift, re-exported here).

Which activities a decision covers is decisions_scope.py's work.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.rights.decisions_scope import (
    absolute_objections,
    activities_for,
    asked_activities,
    objection_needs_review,
    sells_or_shares,
)
from pledge.rights.events import record_event
from pledge.rights.requests import utc_moment
from pledge.rights.restriction_lift import lift_restriction, release_restriction
from pledge.rights.types import HANDLING
from pledge.sources.access import AccessResult, TableAccess
from pledge.store.tables import RequestRow, RestrictedRowRow, SubjectDecisionRow

__all__ = [
    "Standing",
    "absolute_objections",
    "activities_for",
    "lift_restriction",
    "may_use",
    "objection_needs_review",
    "record_decisions",
    "release_restriction",
    "restricted_keys",
    "standing",
]

IDENTITY_KIND = "email"
# The handling of a request -> the kind of decision it leaves.
KIND_OF: Mapping[str, str] = {
    "restriction": "restriction",
    "objection": "objection",
    "withdraw_consent": "withdrawal",
    "opt_out_sale_share": "opt_out",
}


@dataclass(frozen=True)
class Standing:
    """What a person's decisions in force say, at one moment."""

    restricted: bool
    objected: frozenset[str]
    withdrawn: frozenset[str]
    opted_out: bool

    def allowed(self, activity: str, *, sells_or_shares: bool = False) -> bool:
        """Whether their data may be used for `activity` (which sells or shares it, or not).

        A restriction stops all processing but storage (GDPR Art. 18(2)): callers that need
        one of its exceptions (legal claims, the person's consent) decide that themselves.
        """
        if self.restricted or activity in self.objected or activity in self.withdrawn:
            return False
        return not (sells_or_shares and self.opted_out)

    @property
    def may_sell_or_share(self) -> bool:
        return not (self.opted_out or self.restricted)


def identity_of(email: str) -> tuple[str, str]:
    """How decisions find the person again: ("email", the address in lower case)."""
    return IDENTITY_KIND, email.strip().lower()


def record_decisions(
    session: Session,
    declaration: Declaration,
    request: RequestRow,
    *,
    access: AccessResult | None,
    now: dt.datetime | None = None,
    actor: str = "system",
    only: Collection[str] | None = None,
    why: str | None = None,
) -> list[SubjectDecisionRow]:
    """Record what the request decides: one row per activity (one for all, for a restriction
    or an opt-out); a restriction also marks the person's own rows found by `access`.

    `only` records part of an objection now: the direct-marketing part applies at once
    (GDPR Art. 21(3)) while an admin weighs the rest (`absolute_objections` names it).
    `why`, if given, is added to the timeline's note. Idempotent: a decision the request
    already left is not recorded again, so a re-run job adds nothing. Returns the request's
    decisions of that kind, old and new.
    """
    moment = utc_moment(now)
    handling = HANDLING.get(request.type, request.type)
    kind = KIND_OF.get(handling)
    if kind is None:
        raise PledgeError(
            f"request {request.id} ({request.type}) leaves no standing decision",
            f"decisions follow {', '.join(KIND_OF)} requests",
        )
    activities = activities_for(
        declaration, handling, asked_activities(request), jurisdiction=request.jurisdiction
    )
    wanted: list[str | None] = list(activities) or [None]
    if only is not None and activities:
        wanted = [a for a in activities if a in only]
    # Taking the request's row lock first makes two runs of the same request queue up
    # (PostgreSQL; SQLite writers hold the database lock already).
    session.execute(select(RequestRow.id).where(RequestRow.id == request.id).with_for_update())
    existing = list(
        session.scalars(
            select(SubjectDecisionRow)
            .where(SubjectDecisionRow.request_id == request.id, SubjectDecisionRow.kind == kind)
            .order_by(SubjectDecisionRow.id)
        )
    )
    have = {row.activity for row in existing}
    identity_kind, identity_value = identity_of(request.email)
    new = [
        SubjectDecisionRow(
            request_id=request.id,
            kind=kind,
            activity=activity,
            identity_kind=identity_kind,
            identity_value=identity_value,
            decided_at=moment,
        )
        for activity in wanted
        if activity not in have
    ]
    if not new:
        return existing
    session.add_all(new)
    session.flush()
    marked: Counter[str] = Counter()
    unmarkable: list[str] = []
    if kind == "restriction" and access is not None:
        marked, unmarkable = _mark_rows(session, new[0].id, access)
    note = _summary(kind, [row.activity for row in new], marked, unmarkable)
    if why:
        note += f" ({why})"
    record_event(session, request.id, moment, "decision", None, None, actor, note)
    return [*existing, *new]


def standing(
    session: Session,
    *,
    email: str,
    activity: str | None = None,
    at: dt.datetime | None = None,
) -> Standing:
    """The person's decisions in force now (or `at` a past moment), in one query.

    With `activity`, only the decisions that concern it are read: the answer for it is the
    same, and `objected`/`withdrawn` hold at most that one name.
    """
    identity_kind, identity_value = identity_of(email)
    decision = SubjectDecisionRow
    query = (
        select(decision.kind, decision.activity)
        .distinct()
        .where(decision.identity_kind == identity_kind, decision.identity_value == identity_value)
    )
    if at is None:
        query = query.where(decision.lifted_at.is_(None))
    else:
        moment = utc_moment(at)
        query = query.where(
            decision.decided_at <= moment,
            or_(decision.lifted_at.is_(None), decision.lifted_at > moment),
        )
    if activity is not None:
        query = query.where(or_(decision.activity.is_(None), decision.activity == activity))
    found = session.execute(query).all()
    kinds = {kind for kind, _ in found}
    return Standing(
        restricted="restriction" in kinds,
        objected=frozenset(a for kind, a in found if kind == "objection" and a is not None),
        withdrawn=frozenset(a for kind, a in found if kind == "withdrawal" and a is not None),
        opted_out="opt_out" in kinds,
    )


def may_use(
    session: Session,
    declaration: Declaration,
    *,
    email: str,
    activity: str,
    at: dt.datetime | None = None,
) -> bool:
    """Whether the person's data may be used for `activity`, as the declaration describes it."""
    shares = sells_or_shares(declaration, activity)
    found = standing(session, email=email, activity=activity, at=at)
    return found.allowed(activity, sells_or_shares=shares)


def restricted_keys(session: Session, source: str, table: str) -> set[tuple[Any, ...]]:
    """The keys of the table's rows under a restriction in force, as stored (JSON values)."""
    query = (
        select(RestrictedRowRow.row_key)
        .join(SubjectDecisionRow, SubjectDecisionRow.id == RestrictedRowRow.decision_id)
        .where(
            RestrictedRowRow.source == source,
            RestrictedRowRow.table_name == table,
            SubjectDecisionRow.lifted_at.is_(None),
        )
    )
    return {tuple(key) for key in session.scalars(query)}


def key_value(value: Any) -> Any:
    """A key value as JSON keeps it: numbers and text as they are, the rest as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def _mark_rows(
    session: Session, decision_id: int, access: AccessResult
) -> tuple[Counter[str], list[str]]:
    """One bulk INSERT of a mark per own row; which tables had rows it could not mark."""
    marks: list[dict[str, object]] = []
    counts: Counter[str] = Counter()
    unmarkable: list[str] = []
    for table in access.tables:
        key = _key_columns(table)
        if not table.rows:
            continue
        if not key:
            unmarkable.append(f"{table.source}.{table.table}")
            continue
        counts[f"{table.source}.{table.table}"] = len(table.rows)
        marks += [
            {
                "decision_id": decision_id,
                "source": table.source,
                "table_name": table.table,
                "row_key": [key_value(row[c]) for c in key],
            }
            for row in table.rows
        ]
    if marks:
        session.execute(insert(RestrictedRowRow), marks)
    return counts, unmarkable


def _key_columns(table: TableAccess) -> tuple[str, ...]:
    if table.key:
        return table.key
    # A result made without keys: its bare key columns are the unmapped ones it exported.
    return tuple(c for c, category in table.columns.items() if category is None)


def _summary(
    kind: str, activities: list[str | None], marked: Counter[str], unmarkable: list[str]
) -> str:
    named = [a for a in activities if a is not None]
    if kind == "restriction":
        tables = ", ".join(f"{name} {count}" for name, count in sorted(marked.items()))
        note = f"restriction recorded: {marked.total()} row(s) marked"
        note += f" ({tables})" if tables else ""
        if unmarkable:
            note += f"; rows without a primary key not marked in {', '.join(unmarkable)}"
        return note
    if kind == "opt_out":
        return "opt-out of sale and sharing recorded"
    label = "objection" if kind == "objection" else "withdrawal of consent"
    return f"{label} recorded for {', '.join(named)}"
