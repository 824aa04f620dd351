"""The moments before which a rule has expired, worked out once per sweep in Python.

A rule keeps a row through day E = T + duration (its trigger date plus the rule's length,
added calendar-wise as `Duration.after` does) and the row goes at the first sweep after E.
Rather than compute E per row in SQL, the sweep turns the as-of moment into one bound on the
trigger column, so the predicate stays `column < :bound`, which an index serves:

- a DATE column: expired when T < `first_kept_day`, the earliest day whose E is not yet past;
- a DATETIME column: expired when T + duration <= as_of, at the minute: "1 week from
  recording" goes at the hourly sweep a week after the recording.

Months and years clamp at month ends (31 January + 1 month = 28 February), so several trigger
days can share one E, and some days are no one's E: the bound is searched for rather than
subtracted, so that no row ever goes early.

A rule with an archive phase has two ends: its active period's, when rows leave the company's
database for the archive, and its whole life's (`Phases`: the active period, then the
archive, added one after the other), when they are deleted. Both are periods the same bounds
are worked out for.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Protocol

from pledge.declaration.durations import Duration

_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Bound:
    """Expired when the trigger value is before `moment` (or at it, when `inclusive`)."""

    moment: dt.datetime
    inclusive: bool


class Period(Protocol):
    """How long a rule keeps a row: a Duration, or Phases."""

    def after(self, start: dt.date) -> dt.date: ...

    def approx_days(self) -> float: ...


@dataclass(frozen=True)
class Phases:
    """A rule's whole life: its active period, then its archive, counted on from the active
    period's end; with `cap` (the notice's maximum), never longer than that from the start."""

    active: Duration
    archive: Duration
    cap: Duration | None = None

    def __str__(self) -> str:
        return f"{self.active} then {self.archive} in the archive"

    def after(self, start: dt.date) -> dt.date:
        # Each step never decreases as its start grows, so neither does their sum, nor the
        # least of it and the cap: first_kept_day's search holds.
        end = self.archive.after(self.active.after(start))
        return min(end, self.cap.after(start)) if self.cap is not None else end

    def approx_days(self) -> float:
        days = self.active.approx_days() + self.archive.approx_days()
        return min(days, self.cap.approx_days()) if self.cap is not None else days


def first_kept_day(duration: Period, day: dt.date) -> dt.date:
    """The earliest trigger day whose rows are still kept on `day`: E = after(T) >= day.

    A period's `after` never decreases as its start grows, so the rows kept are exactly those
    on or after the returned day.
    """
    found = day - dt.timedelta(days=math.ceil(duration.approx_days()))
    while duration.after(found) >= day:
        found -= _ONE_DAY
    while duration.after(found) < day:
        found += _ONE_DAY
    return found


def moment_bound(duration: Period, as_of: dt.datetime) -> Bound:
    """The bound on a timestamp column: expired when T + duration <= as_of.

    Where some trigger day ends exactly on as_of's day, rows of that day go from their hour
    on (the earliest such day, when month ends make several share it: the others go at the
    first sweep of the next day). Where none does, the day's rows all wait for tomorrow.
    """
    day = as_of.date()
    first = first_kept_day(duration, day)
    if duration.after(first) == day:
        return Bound(dt.datetime.combine(first, as_of.timetz()), inclusive=True)
    return Bound(dt.datetime.combine(first, dt.time(tzinfo=as_of.tzinfo)), inclusive=False)
