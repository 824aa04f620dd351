"""The SQL conditions of a table's retention on one as-of moment.

Each rule becomes a condition that is TRUE where the rule has expired for the row and never
NULL (a NULL trigger means the event has not happened: not expired), with its bound worked
out once in Python (pledge.retention.cutoffs) and sent as a parameter, so the database can
use an index on the trigger column. A trigger Pledge records itself (an objection, an
account closed) becomes `key IN (...)`: the keys of the rows whose person's date is past.

Out of them, per table:

- `due`: every rule has expired and nothing keeps the row: the sweep deletes or anonymises it;
- `held`: every rule that is not a legal hold has expired, yet a legal-hold rule has not, or
  the row's person is under a legal hold, or the row is under a restriction of processing
  (pledge.retention.restrictions);
- `holds`: the same, split by what holds the row: each hold rule, then `PERSON` for rows no
  rule holds, then `RESTRICTED` for rows neither a rule nor a person's hold keeps.

Whether a row is still referred to is judged separately (`referenced`), with NOT EXISTS on
every foreign key of the database that refers to the table, declared table or not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from pledge.retention.cutoffs import Period, first_kept_day, moment_bound
from pledge.retention.people import PersonRows
from pledge.retention.restrictions import RESTRICTED, typed_keys
from pledge.retention.rules import RuleRetention, TableRetention
from pledge.sources.erasure_columns import ColumnErasure, ColumnType, changes
from pledge.sources.erasure_order import Reference, referring_rows
from pledge.sources.erasure_sql import Key, key_in

PERSON = "a person's legal hold"
# How many tables down a dry run follows rows that would go before the row they refer to;
# below, they count as staying (the count errs towards "referenced", never "gone").
_DEPTH = 4
Condition = ColumnElement[bool]


@dataclass(frozen=True)
class Conditions:
    """What the sweep does with a table's rows, as conditions on its rows."""

    due: Condition
    held: Condition
    holds: dict[str, Condition]


@dataclass(frozen=True)
class Judge:
    """Everything a table's conditions are built from."""

    retention: TableRetention
    table: sa.Table
    key: tuple[str, ...]
    types: Mapping[str, ColumnType]
    as_of: dt.datetime  # aware
    people: PersonRows | None = None

    def conditions(self) -> Conditions:
        expired = {rule.name: self.expired(rule) for rule in self.retention.rules}
        plain = _all(expired[r.name] for r in self.retention.rules if not r.hold)
        holding = {r.name: sa.not_(expired[r.name]) for r in self.retention.rules if r.hold}
        kept_by_rule = _any(holding.values())
        person = self._keys_in(self.people.held_keys(self.retention.place) if self.people else ())
        restricted = self._keys_in(self._restricted())
        holds = {name: sa.and_(plain, held) for name, held in holding.items()}
        holds[PERSON] = sa.and_(plain, sa.not_(kept_by_rule), person)
        holds[RESTRICTED] = sa.and_(plain, sa.not_(kept_by_rule), sa.not_(person), restricted)
        return Conditions(
            due=sa.and_(plain, sa.not_(kept_by_rule), sa.not_(person), sa.not_(restricted)),
            held=sa.and_(plain, sa.or_(kept_by_rule, person, restricted)),
            holds=holds,
        )

    def _restricted(self) -> list[Key]:
        """The keys of the table's rows under a restriction, as values of its key columns."""
        if self.people is None or not self.key:
            return []
        marked = self.people.restricted_keys(self.retention.place)
        return typed_keys(marked, [self.types[c].type for c in self.key]) if marked else []

    def expired(self, rule: RuleRetention) -> Condition:
        """TRUE where `rule` has expired for the row; never NULL."""
        if rule.problem is not None or rule.duration is None:
            return sa.false()
        if rule.recorded:
            found = self._recorded(rule.trigger or "", rule.duration)
        else:
            assert rule.column is not None
            found = self._before(rule.column, rule.duration)
            if rule.fallback is not None:
                column = self.table.c[rule.column]
                found = sa.or_(
                    found, sa.and_(column.is_(None), self._before(rule.fallback, rule.duration))
                )
        if rule.ends_on_objection:
            found = sa.or_(found, self._objected(rule))
        return found

    def _before(self, column: str, duration: Period) -> Condition:
        """The column holds a date whose rule ended before the as-of moment."""
        target = self.table.c[column]
        kind = self.types[column].type
        if isinstance(kind, sa.DateTime):
            bound = moment_bound(duration, self.as_of)
            moment = bound.moment if kind.timezone else _naive(bound.moment)
            past = target <= moment if bound.inclusive else target < moment
        elif isinstance(kind, sa.Date):
            past = target < first_kept_day(duration, self.as_of.date())
        else:
            # Dates kept as text: ISO strings sort as the moments they name.
            bound = moment_bound(duration, self.as_of)
            text = sa.literal(_naive(bound.moment).isoformat(" "), sa.String())
            past = target <= text if bound.inclusive else target < text
        return sa.and_(target.is_not(None), past)

    def _recorded(self, trigger: str, duration: Period) -> Condition:
        if self.people is None:
            return sa.false()
        first_kept = first_kept_day(duration, self.as_of.date())
        dates = self.people.trigger_dates(self.retention.place, trigger)
        return self._keys_in([key for key, day in dates.items() if _day(day) < first_kept])

    def _objected(self, rule: RuleRetention) -> Condition:
        """The row's person objected (on or before the as-of day): the rule ends at once."""
        found: list[Condition] = []
        if self.people is not None:
            dates = self.people.trigger_dates(self.retention.place, "objection")
            today = self.as_of.date()
            found.append(self._keys_in([k for k, day in dates.items() if _day(day) <= today]))
        if rule.objection_column is not None:
            found.append(self._happened(rule.objection_column))
        return _any(found)

    def _happened(self, column: str) -> Condition:
        """The column holds a date on or before the as-of moment (its day, for a DATE)."""
        target = self.table.c[column]
        kind = self.types[column].type
        if isinstance(kind, sa.DateTime):
            past = target <= (self.as_of if kind.timezone else _naive(self.as_of))
        elif isinstance(kind, sa.Date):
            past = target <= self.as_of.date()
        else:
            past = target <= sa.literal(_naive(self.as_of).isoformat(" "), sa.String())
        return sa.and_(target.is_not(None), past)

    def _keys_in(self, keys: Collection[Key]) -> Condition:
        if not keys or not self.key:
            return sa.false()
        return key_in(self.table, self.key, sorted(keys, key=repr))


def still_to_anonymise(
    table: sa.Table, erasures: Sequence[ColumnErasure], types: Mapping[str, ColumnType]
) -> Condition:
    """Rows that anonymising would still change: an anonymised row no longer matches."""
    found: list[Condition] = []
    for erasure in erasures:
        column = table.c[erasure.column]
        if erasure.action in ("null", "mask", "placeholder"):
            found.append(changes(erasure, table, types[erasure.column]))
        elif erasure.action == "hash":
            # The same test as erasure_columns.looks_hashed, in SQL: a hash is not re-hashed.
            size = erasure.length or 64
            hashed = column.regexp_match(f"^[0-9a-f]{{{size}}}$")
            found.append(sa.and_(column.is_not(None), sa.not_(hashed)))
    return _any(found)


def referenced(
    name: str,
    tables: Mapping[str, sa.Table],
    keys: Mapping[str, tuple[str, ...]],
    refs: Mapping[str, list[Reference]],
    *,
    going: Mapping[str, Callable[[frozenset[str]], Condition]] | None = None,
    path: frozenset[str] = frozenset(),
) -> Condition:
    """Some row of the database that stays refers to the row of table `name`.

    Without `going`, every referring row counts (the sweep, which deletes children first).
    A dry run passes, per table it would delete from, the condition of its rows that would
    go, given the tables above it: referring rows that would go first do not count. A table
    met again along the way (a cycle), or deeper than a few tables down, counts as staying.
    """
    found: list[Condition] = []
    for ref in refs.get(name, []):
        rows = referring_rows(ref, tables, keys)
        child = ref.child
        followed = child != name and child not in path and len(path) < _DEPTH
        if going is not None and child in going and followed:
            rows = rows.where(sa.not_(going[child](path | {name})))
        found.append(sa.exists(rows))
    return _any(found)


def _all(conditions: Any) -> Condition:
    found = list(conditions)
    return sa.and_(*found) if found else sa.true()


def _any(conditions: Any) -> Condition:
    found = list(conditions)
    return sa.or_(*found) if found else sa.false()


def _naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
