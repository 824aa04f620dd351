"""The bounds a rule's predicate compares with: no row goes before its day E is over."""

from __future__ import annotations

import datetime as dt

import pytest

from pledge.declaration.durations import Duration, parse_duration
from pledge.retention.cutoffs import Bound, first_kept_day, moment_bound

DAYS = [dt.date(2023, 1, 1) + dt.timedelta(days=n) for n in range(3 * 366 + 60)]
SWEEPS = [dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(0, 400, 7)] + [
    dt.date(2025, 2, 28),
    dt.date(2025, 3, 1),
    dt.date(2025, 3, 30),
    dt.date(2025, 3, 31),
    dt.date(2024, 2, 29),
]


@pytest.mark.parametrize(
    "text", ["0 days", "1 week", "1 month", "13 months", "2 years", "10 business days"]
)
def test_the_day_bound_agrees_with_the_rule_day_by_day(text: str) -> None:
    duration = parse_duration(text)
    for sweep in SWEEPS:
        bound = first_kept_day(duration, sweep)
        # Expired exactly when its last day E = T + duration is before the sweep's day.
        assert [d < bound for d in DAYS] == [duration.after(d) < sweep for d in DAYS], sweep


def test_a_date_is_kept_on_its_last_day_and_gone_the_next() -> None:
    two_years = Duration(2, "year")
    assert first_kept_day(two_years, dt.date(2026, 6, 15)) == dt.date(2024, 6, 15)
    # 29 February 2024 + 1 year is 28 February 2025: gone on 1 March.
    one_year = Duration(1, "year")
    assert first_kept_day(one_year, dt.date(2025, 2, 28)) <= dt.date(2024, 2, 29)
    assert first_kept_day(one_year, dt.date(2025, 3, 1)) > dt.date(2024, 2, 29)


def test_a_timestamp_goes_at_its_hour() -> None:
    week = Duration(1, "week")
    as_of = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)
    assert moment_bound(week, as_of) == Bound(as_of - dt.timedelta(weeks=1), inclusive=True)


def test_month_ends_never_let_a_timestamp_go_early() -> None:
    month = Duration(1, "month")
    # 30 March: no day is a month before it (February has 28), so no row of 1 March goes:
    # it goes on 1 April, at its hour.
    as_of = dt.datetime(2025, 3, 30, 10, 0, tzinfo=dt.UTC)
    assert moment_bound(month, as_of) == Bound(
        dt.datetime(2025, 3, 1, tzinfo=dt.UTC), inclusive=False
    )
    # 28 February: 28 January goes at its hour; 29-31 January wait for 1 March.
    as_of = dt.datetime(2025, 2, 28, 10, 0, tzinfo=dt.UTC)
    assert moment_bound(month, as_of) == Bound(
        dt.datetime(2025, 1, 28, 10, 0, tzinfo=dt.UTC), inclusive=True
    )
