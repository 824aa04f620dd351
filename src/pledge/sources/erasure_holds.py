"""Legal holds: which of the subject's rows a law requires the company to keep, and until when.

A retention rule with `required_by` is a hold on the tables that list it. It holds a row while
the row's date for the rule's trigger (the table's `timestamps`), plus the rule's duration, is
on or after today: an invoice issued on 1 March 2020 under a 6-year rule is kept through
1 March 2026 and erased from the 2nd. A hold whose rule lists `categories` keeps only the
columns of those categories; one that lists none keeps the whole row.

Where the end cannot be known, the row is kept, and a note says why: the table has no date
for the trigger, the rule has no duration, or the row's date is not set (the event has not
happened: the hold has not begun).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pledge.declaration.durations import Duration
from pledge.declaration.model import Declaration, Table


@dataclass(frozen=True)
class Hold:
    rule: str
    column: str | None  # the row's date for the trigger
    trigger: str | None
    duration: Duration | None
    categories: frozenset[str] | None  # None: the whole row


@dataclass
class RowHold:
    """What holds one row: the rules, the categories kept (None: all) and the last day."""

    rules: set[str] = field(default_factory=set)
    categories: frozenset[str] | None = frozenset()
    until: dt.date | None = None


def table_holds(declaration: Declaration, table: Table) -> list[Hold]:
    holds = []
    for name in table.retention:
        rule = declaration.retention.get(name)
        if rule is None or not rule.required_by:
            continue
        column = table.timestamps.get(rule.trigger) if rule.trigger else None
        categories = frozenset(rule.categories) if rule.categories else None
        holds.append(Hold(name, column, rule.trigger, rule.duration, categories))
    return holds


def hold_columns(holds: Sequence[Hold]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(h.column for h in holds if h.column))


def judge(
    holds: Sequence[Hold], dates: Mapping[str, Any], today: dt.date, unknown: dict[str, int]
) -> RowHold | None:
    """The holds on one row, given its trigger dates; None when none holds it.

    `unknown` counts, per reason, the rows kept without a known end.
    """
    held: RowHold | None = None
    for hold in holds:
        end, why = _end(hold, dates)
        if why is not None:
            unknown[why] = unknown.get(why, 0) + 1
        elif end is None or end < today:
            continue
        held = held or RowHold()
        held.rules.add(hold.rule)
        if hold.categories is None or held.categories is None:
            held.categories = None
        else:
            held.categories = held.categories | hold.categories
        if end is not None and (held.until is None or end > held.until):
            held.until = end
    return held


def _end(hold: Hold, dates: Mapping[str, Any]) -> tuple[dt.date | None, str | None]:
    """The last day the hold keeps the row, or why that cannot be known."""
    if hold.column is None:
        return None, f"the table has no date for the trigger of {hold.rule} ({hold.trigger})"
    if hold.duration is None:
        return None, f"{hold.rule} has no duration"
    start = as_date(dates.get(hold.column))
    if start is None:
        if dates.get(hold.column) is None:
            return None, f"their {hold.column} is not set, so {hold.rule} has not begun"
        return None, f"their {hold.column} is not a date"
    return hold.duration.after(start), None


def as_date(value: Any) -> dt.date | None:
    """A date from what a driver returns for a date or timestamp (SQLite: ISO text)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None
