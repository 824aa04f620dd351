"""Legal clocks with real dates.

Weekdays were checked with `python -m calendar`; holidays are the published ones: England &
Wales bank holidays 2023-2025, French jours fériés, California state holidays (Thanksgiving
and the day after), Canada Day, Swiss National Day.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date

import pytest

from pledge.declaration.clocks import (
    JURISDICTIONS,
    add_business_days,
    add_calendar_days,
    add_calendar_months,
    calendar_month_deadline,
    due_after,
    is_working_day,
    next_working_day,
)
from pledge.declaration.durations import Duration, parse_duration


@pytest.mark.parametrize(
    ("day", "jurisdiction", "working"),
    [
        (date(2024, 12, 25), "uk", False),  # Christmas Day, Wednesday
        (date(2024, 12, 26), "uk", False),  # Boxing Day, Thursday
        (date(2024, 12, 26), "fr", True),  # not a holiday in France (outside Alsace-Moselle)
        (date(2024, 12, 25), "eu", True),  # "eu" has no holiday calendar: weekends only
        (date(2024, 5, 8), "fr", False),  # Victoire 1945, Wednesday
        (date(2024, 5, 8), "uk", True),
        (date(2024, 11, 28), "us-ca", False),  # Thanksgiving
        (date(2024, 11, 29), "us-ca", False),  # day after Thanksgiving, a California holiday
        (date(2024, 11, 29), "uk", True),
        (date(2024, 7, 1), "ca", False),  # Canada Day, Monday
        (date(2024, 8, 1), "ch", False),  # Swiss National Day, Thursday
        (date(2024, 11, 2), "eu", False),  # Saturday
        (date(2024, 11, 3), "uk", False),  # Sunday
        (date(2024, 11, 4), "eu", True),  # Monday
    ],
)
def test_is_working_day(day: date, jurisdiction: str, working: bool) -> None:
    assert is_working_day(day, jurisdiction) is working


@pytest.mark.parametrize(
    ("day", "jurisdiction", "expected"),
    [
        (date(2024, 11, 4), "uk", date(2024, 11, 4)),  # a working day is its own answer
        (date(2024, 11, 2), "uk", date(2024, 11, 4)),  # Saturday -> Monday
        (date(2024, 3, 29), "uk", date(2024, 4, 2)),  # Good Friday, weekend, Easter Monday
        (date(2024, 3, 29), "fr", date(2024, 3, 29)),  # Good Friday is not French
        (date(2024, 11, 28), "us-ca", date(2024, 12, 2)),
    ],
)
def test_next_working_day(day: date, jurisdiction: str, expected: date) -> None:
    assert next_working_day(day, jurisdiction) == expected


def test_every_pledge_jurisdiction_is_known() -> None:
    assert JURISDICTIONS == ("uk", "eu", "fr", "us-ca", "ca", "ch")
    for code in JURISDICTIONS:
        assert is_working_day(date(2024, 11, 4), code)  # an ordinary Monday everywhere


UNKNOWN: list[Callable[[str], object]] = [
    lambda j: is_working_day(date(2024, 11, 4), j),
    lambda j: next_working_day(date(2024, 11, 4), j),
    lambda j: calendar_month_deadline(date(2024, 9, 3), j),
    lambda j: add_business_days(date(2024, 9, 3), 0, j),
    lambda j: due_after(date(2024, 9, 3), Duration(45, "day"), j),
]


@pytest.mark.parametrize("call", UNKNOWN)
@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "us_ca",
            "unknown jurisdiction 'us_ca' — use one of: uk, eu, fr, us-ca, ca, ch; "
            "did you mean 'us-ca'?",
        ),
        ("gb", "unknown jurisdiction 'gb' — use one of: uk, eu, fr, us-ca, ca, ch"),
    ],
)
def test_unknown_jurisdiction(call: Callable[[str], object], code: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        call(code)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("received", "months", "due"),
    [
        (date(2024, 9, 3), 1, date(2024, 10, 3)),  # the ICO's own example
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 12, 31), 2, date(2025, 2, 28)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2022, 11, 30), 3, date(2023, 2, 28)),
        (date(2024, 9, 3), 3, date(2024, 12, 3)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 9, 3), 0, date(2024, 9, 3)),
    ],
)
def test_add_calendar_months(received: date, months: int, due: date) -> None:
    assert add_calendar_months(received, months) == due


def test_ico_example_needs_no_roll() -> None:
    due = calendar_month_deadline(date(2024, 9, 3), "uk")
    assert due == date(2024, 10, 3)
    assert calendar.weekday(2024, 10, 3) == calendar.THURSDAY


@pytest.mark.parametrize(
    ("received", "jurisdiction", "due"),
    [
        (date(2024, 9, 3), "uk", date(2024, 10, 3)),
        (date(2023, 1, 31), "uk", date(2023, 2, 28)),  # Tuesday
        (date(2024, 1, 31), "uk", date(2024, 2, 29)),  # Thursday
        (date(2024, 10, 2), "uk", date(2024, 11, 4)),  # 2 Nov is a Saturday
        (date(2024, 2, 3), "uk", date(2024, 3, 4)),  # 3 Mar is a Sunday
        # 25 Dec is Christmas and 26 Dec Boxing Day in England
        (date(2024, 11, 25), "uk", date(2024, 12, 27)),
        (date(2024, 11, 25), "fr", date(2024, 12, 26)),
        (date(2024, 11, 25), "us-ca", date(2024, 12, 26)),
        (date(2024, 11, 25), "eu", date(2024, 12, 25)),
        # 29 Mar 2024 is Good Friday, then a weekend, then Easter Monday
        (date(2024, 2, 29), "uk", date(2024, 4, 2)),
        (date(2024, 2, 29), "fr", date(2024, 3, 29)),
        # the day of receipt counts even when it is not a working day
        (date(2024, 10, 5), "uk", date(2024, 11, 5)),  # received on a Saturday
        (date(2024, 12, 25), "uk", date(2025, 1, 27)),  # 25 Jan 2025 is a Saturday
    ],
)
def test_calendar_month_deadline_rolls_to_a_working_day(
    received: date, jurisdiction: str, due: date
) -> None:
    assert calendar_month_deadline(received, jurisdiction) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2024, 9, 3), date(2024, 12, 3)),  # Tuesday
        (date(2023, 11, 30), date(2024, 2, 29)),  # Thursday
        # 30 Apr 2023 is a Sunday and 1 May 2023 the early May bank holiday
        (date(2023, 1, 31), date(2023, 5, 2)),
    ],
)
def test_extension_counts_three_months_from_the_original_start(received: date, due: date) -> None:
    assert calendar_month_deadline(received, "uk", months=3) == due


def test_extension_is_not_two_months_after_the_base_deadline() -> None:
    base = calendar_month_deadline(date(2023, 1, 31), "uk")
    assert base == date(2023, 2, 28)
    assert calendar_month_deadline(base, "uk", months=2) == date(2023, 4, 28)
    assert calendar_month_deadline(date(2023, 1, 31), "uk", months=3) == date(2023, 5, 2)


@pytest.mark.parametrize(
    ("start", "n", "jurisdiction", "due"),
    [
        # Fri 22 Nov 2024: 25, 26, 27 Nov; Thanksgiving and the day after are skipped;
        # 2-6 Dec; 9, 10 Dec
        (date(2024, 11, 22), 10, "us-ca", date(2024, 12, 10)),
        (date(2024, 11, 22), 10, "eu", date(2024, 12, 6)),
        # Mon 1 Jul 2024, opt-out: 4 July skipped, 15th business day is Tue 23 Jul
        (date(2024, 7, 1), 15, "us-ca", date(2024, 7, 23)),
        # Fri 20 Dec 2024 in England: 25, 26 Dec and 1 Jan skipped
        (date(2024, 12, 20), 10, "uk", date(2025, 1, 8)),
        (date(2024, 11, 23), 1, "us-ca", date(2024, 11, 25)),  # Saturday -> Monday
        (date(2024, 11, 22), 0, "us-ca", date(2024, 11, 22)),
    ],
)
def test_add_business_days(start: date, n: int, jurisdiction: str, due: date) -> None:
    assert add_business_days(start, n, jurisdiction) == due


def test_ccpa_45_calendar_days_and_the_extension() -> None:
    received = date(2024, 9, 3)
    due = add_calendar_days(received, 45)
    assert due == date(2024, 10, 18)
    assert add_calendar_days(due, 45) == date(2024, 12, 2) == add_calendar_days(received, 90)


def test_calendar_days_do_not_roll() -> None:
    due = add_calendar_days(date(2024, 11, 6), 45)
    assert due == date(2024, 12, 21)
    assert calendar.weekday(2024, 12, 21) == calendar.SATURDAY


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_calendar_months(date(2024, 9, 3), -1),
        lambda: add_business_days(date(2024, 9, 3), -1, "uk"),
        lambda: add_calendar_days(date(2024, 9, 3), -1),
    ],
)
def test_negative_counts_are_refused(call: Callable[[], date]) -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        call()


@pytest.mark.parametrize(
    ("text", "start", "jurisdiction", "due"),
    [
        ("1 month", date(2024, 11, 25), "uk", date(2024, 12, 27)),
        ("1 calendar month", date(2024, 9, 3), "uk", date(2024, 10, 3)),
        ("P3M", date(2024, 9, 3), "uk", date(2024, 12, 3)),
        ("0 months", date(2024, 11, 2), "uk", date(2024, 11, 4)),
        ("1 year", date(2024, 2, 29), "uk", date(2025, 2, 28)),  # Friday
        ("1 year", date(2023, 12, 26), "uk", date(2024, 12, 27)),  # Boxing Day rolls
        ("10 business days", date(2024, 11, 22), "us-ca", date(2024, 12, 10)),
        ("15 business days", date(2024, 7, 1), "us-ca", date(2024, 7, 23)),
        ("45 days", date(2024, 10, 14), "us-ca", date(2024, 11, 28)),  # Thanksgiving, no roll
        ("90 days", date(2024, 9, 3), "us-ca", date(2024, 12, 2)),
        ("2 weeks", date(2024, 12, 11), "uk", date(2024, 12, 25)),  # Christmas, no roll
    ],
)
def test_due_after_dispatches_on_the_unit(
    text: str, start: date, jurisdiction: str, due: date
) -> None:
    assert due_after(start, parse_duration(text), jurisdiction) == due
