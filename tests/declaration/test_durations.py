"""Durations as written in a declaration: parsing, wording and date arithmetic.

Expected dates were checked against `python -m calendar`, not against this code.
"""

from __future__ import annotations

import calendar
import dataclasses
from datetime import date

import pytest

from pledge.declaration.durations import (
    Duration,
    DurationSyntaxError,
    Unit,
    parse_duration,
)

FORM = "write a number and a unit: '30 days', '10 business days', '1 week', '3 months', '2 years'"


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("1 day", 1, "day"),
        ("30 days", 30, "day"),
        ("0 days", 0, "day"),
        ("45 calendar days", 45, "day"),
        ("1 week", 1, "week"),
        ("2 weeks", 2, "week"),
        ("1 month", 1, "month"),
        ("1 calendar month", 1, "month"),
        ("3 months", 3, "month"),
        ("1 year", 1, "year"),
        ("10 years", 10, "year"),
        ("3 year", 3, "year"),
        ("1 business day", 1, "business_day"),
        ("10 business days", 10, "business_day"),
        ("15 business days", 15, "business_day"),
        ("10 working days", 10, "business_day"),
        ("P3Y", 3, "year"),
        ("P1M", 1, "month"),
        ("P7D", 7, "day"),
        ("P2W", 2, "week"),
        ("P0D", 0, "day"),
        ("p3y", 3, "year"),
        ("  3   YEARS ", 3, "year"),
        ("10 Business   Days", 10, "business_day"),
        ("1 Calendar Month", 1, "month"),
        ("\t2 weeks\n", 2, "week"),
    ],
)
def test_parse_accepts_declaration_forms(text: str, amount: int, unit: Unit) -> None:
    assert parse_duration(text) == Duration(amount, unit)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3 yeers", f"'3 yeers' is not a duration — {FORM}; did you mean 'years'?"),
        ("  3 Yeers ", f"'3 Yeers' is not a duration — {FORM}; did you mean 'years'?"),
        ("1 mnth", f"'1 mnth' is not a duration — {FORM}; did you mean 'month'?"),
        (
            "10 buisness days",
            f"'10 buisness days' is not a duration — {FORM}; did you mean 'business days'?",
        ),
        ("-3 days", f"'-3 days' is not a duration — {FORM}; a duration cannot be negative"),
        (
            "1.5 years",
            f"'1.5 years' is not a duration — {FORM}; "
            "use a whole number, e.g. '18 months' rather than '1.5 years'",
        ),
        ("3 zzz", f"'3 zzz' is not a duration — {FORM}"),
        ("twelve months", f"'twelve months' is not a duration — {FORM}"),
        ("3", f"'3' is not a duration — {FORM}"),
        ("", f"'' is not a duration — {FORM}"),
        ("P3H", f"'P3H' is not a duration — {FORM}"),
        ("P1Y6M", f"'P1Y6M' is not a duration — {FORM}"),
        ("P-1D", f"'P-1D' is not a duration — {FORM}"),
    ],
)
def test_parse_rejects_with_the_accepted_form(text: str, message: str) -> None:
    with pytest.raises(DurationSyntaxError) as caught:
        parse_duration(text)
    assert str(caught.value) == message


def test_syntax_error_is_a_value_error() -> None:
    # Pydantic validators turn ValueError into a field error; the model relies on that.
    assert issubclass(DurationSyntaxError, ValueError)


@pytest.mark.parametrize(
    ("duration", "english"),
    [
        (Duration(3, "year"), "3 years"),
        (Duration(1, "year"), "1 year"),
        (Duration(1, "week"), "1 week"),
        (Duration(10, "business_day"), "10 business days"),
        (Duration(1, "business_day"), "1 business day"),
        (Duration(1, "month"), "1 month"),
        (Duration(0, "day"), "0 days"),
    ],
)
def test_str_is_canonical_english(duration: Duration, english: str) -> None:
    assert str(duration) == english
    assert duration.describe("en") == english
    assert parse_duration(english) == duration


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("1 calendar month", "1 month"),
        ("P2W", "2 weeks"),
        ("  10 BUSINESS days", "10 business days"),
    ],
)
def test_str_normalises_what_was_written(text: str, canonical: str) -> None:
    assert str(parse_duration(text)) == canonical


@pytest.mark.parametrize(
    ("duration", "french"),
    [
        (Duration(3, "year"), "3 ans"),
        (Duration(1, "year"), "1 an"),
        (Duration(1, "week"), "1 semaine"),
        (Duration(2, "week"), "2 semaines"),
        (Duration(10, "business_day"), "10 jours ouvrés"),
        (Duration(1, "business_day"), "1 jour ouvré"),
        (Duration(1, "month"), "1 mois"),
        (Duration(2, "month"), "2 mois"),
        (Duration(1, "day"), "1 jour"),
        (Duration(30, "day"), "30 jours"),
        (Duration(0, "day"), "0 jour"),
    ],
)
def test_describe_in_french(duration: Duration, french: str) -> None:
    assert duration.describe("fr") == french


@pytest.mark.parametrize(("lang", "text"), [("fr-CA", "3 ans"), ("FR", "3 ans"), ("de", "3 years")])
def test_describe_region_tags_and_english_fallback(lang: str, text: str) -> None:
    assert Duration(3, "year").describe(lang) == text


@pytest.mark.parametrize(
    ("duration", "days"),
    [
        (Duration(1, "year"), 365.25),
        (Duration(2, "month"), 60.88),
        (Duration(3, "week"), 21.0),
        (Duration(10, "business_day"), 14.0),
        (Duration(5, "day"), 5.0),
        (Duration(0, "year"), 0.0),
    ],
)
def test_approx_days(duration: Duration, days: float) -> None:
    assert duration.approx_days() == pytest.approx(days)


def test_approx_days_orders_lengths_across_units() -> None:
    assert parse_duration("18 months").approx_days() > parse_duration("1 year").approx_days()
    assert parse_duration("P1M").approx_days() > parse_duration("4 weeks").approx_days()
    assert parse_duration("6 days").approx_days() < parse_duration("5 business days").approx_days()


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("0 days", date(2024, 9, 3), date(2024, 9, 3)),
        ("30 days", date(2024, 9, 3), date(2024, 10, 3)),
        ("45 days", date(2024, 9, 3), date(2024, 10, 18)),
        ("2 weeks", date(2024, 12, 11), date(2024, 12, 25)),
        ("1 month", date(2024, 9, 3), date(2024, 10, 3)),
        ("1 month", date(2023, 1, 31), date(2023, 2, 28)),
        ("1 month", date(2024, 1, 31), date(2024, 2, 29)),
        ("1 month", date(2024, 3, 31), date(2024, 4, 30)),
        ("1 month", date(2024, 12, 15), date(2025, 1, 15)),
        ("2 months", date(2024, 12, 31), date(2025, 2, 28)),
        ("3 months", date(2023, 11, 30), date(2024, 2, 29)),
        ("1 year", date(2024, 2, 29), date(2025, 2, 28)),
        ("4 years", date(2024, 2, 29), date(2028, 2, 29)),
        ("P3Y", date(2023, 6, 30), date(2026, 6, 30)),
    ],
)
def test_after_calendar_arithmetic(text: str, start: date, end: date) -> None:
    assert parse_duration(text).after(start) == end


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        # Fri 22 Nov 2024: Mon 25 .. Fri 29 Nov, Mon 2 .. Fri 6 Dec (Thanksgiving not skipped here)
        ("10 business days", date(2024, 11, 22), date(2024, 12, 6)),
        # Fri 20 Dec 2024: no holidays here, so Christmas and New Year count
        ("10 business days", date(2024, 12, 20), date(2025, 1, 3)),
        ("1 business day", date(2024, 11, 23), date(2024, 11, 25)),  # Saturday -> Monday
        ("1 business day", date(2024, 11, 22), date(2024, 11, 25)),  # Friday -> Monday
    ],
)
def test_after_business_days_skips_weekends_only(text: str, start: date, end: date) -> None:
    assert end.weekday() < calendar.SATURDAY
    assert parse_duration(text).after(start) == end


def test_zero_business_days_is_the_start_day() -> None:
    saturday = date(2024, 11, 23)
    assert parse_duration("0 business days").after(saturday) == saturday


def test_duration_is_a_frozen_value() -> None:
    assert parse_duration("1 calendar month") == parse_duration("P1M")
    assert len({parse_duration("3 years"), parse_duration("P3Y"), Duration(3, "year")}) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse_duration("3 years").amount = 4  # type: ignore[misc]  # proving it is read-only


def test_duration_rejects_a_negative_amount_when_built_in_code() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        Duration(-1, "day")
