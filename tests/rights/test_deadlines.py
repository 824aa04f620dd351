"""Worked examples, with real dates, of when requests are due."""

from __future__ import annotations

import datetime as dt

import pytest

from pledge.declaration.durations import parse_duration
from pledge.errors import PledgeError
from pledge.rights.deadlines import (
    clock_for,
    days_left,
    is_due_soon,
    is_overdue,
    local_day,
)

D = dt.date


# --- GDPR and UK GDPR: one calendar month, from the day identity is confirmed --------------


@pytest.mark.parametrize("code", ["uk", "eu", "fr"])
def test_one_calendar_month_3_september_to_3_october(code: str) -> None:
    clock = clock_for(code, "access")
    assert clock.due(D(2025, 9, 3), D(2025, 9, 3)) == D(2025, 10, 3)  # a Friday


def test_identity_confirmed_ten_days_after_receipt_moves_the_due_date_ten_days() -> None:
    clock = clock_for("uk", "access")
    assert clock.due(D(2025, 9, 3), D(2025, 9, 13)) == D(2025, 10, 13)


def test_the_clock_is_stopped_until_identity_is_confirmed() -> None:
    clock = clock_for("uk", "erasure")
    assert clock.start(D(2025, 9, 3), None) is None
    assert clock.due(D(2025, 9, 3), None) is None
    assert not is_overdue(None, D(2030, 1, 1))


def test_a_due_date_on_a_weekend_moves_to_the_next_working_day() -> None:
    # 3 October 2026 is a Saturday.
    assert clock_for("uk", "access").due(D(2026, 9, 3), D(2026, 9, 3)) == D(2026, 10, 5)


def test_a_month_without_the_day_ends_on_its_last_day() -> None:
    assert clock_for("fr", "access").due(D(2025, 1, 31), D(2025, 1, 31)) == D(2025, 2, 28)


def test_a_uk_bank_holiday_is_not_a_working_day() -> None:
    # 25 August 2025 is the summer bank holiday in England.
    assert clock_for("uk", "access").due(D(2025, 7, 25), D(2025, 7, 25)) == D(2025, 8, 26)


def test_the_extension_is_three_months_from_the_start() -> None:
    clock = clock_for("uk", "access")
    received = D(2025, 9, 3)
    assert clock.extended_due(received, received, asked_on=D(2025, 9, 20)) == D(2025, 12, 3)
    # Still possible on the due day itself.
    assert clock.extended_due(received, received, asked_on=D(2025, 10, 3)) == D(2025, 12, 3)


def test_the_extension_counts_from_identity_confirmed() -> None:
    clock = clock_for("eu", "rectification")
    assert clock.extended_due(D(2025, 9, 3), D(2025, 9, 13), D(2025, 9, 20)) == D(2025, 12, 15)


def test_an_extension_asked_after_the_due_date_is_refused() -> None:
    clock = clock_for("uk", "access")
    received = D(2025, 9, 3)
    with pytest.raises(PledgeError, match="due on 2025-10-03: it is too late") as caught:
        clock.extended_due(received, received, asked_on=D(2025, 10, 4))
    assert "before the due date" in caught.value.hint


def test_no_extension_while_the_clock_is_stopped() -> None:
    with pytest.raises(PledgeError, match="the clock has not started"):
        clock_for("uk", "access").extended_due(D(2025, 9, 3), None, D(2025, 9, 4))


def test_a_law_without_an_extension_refuses_one() -> None:
    with pytest.raises(PledgeError, match="cannot be extended"):
        clock_for("ch", "access").extended_due(D(2025, 9, 3), D(2025, 9, 3), D(2025, 9, 4))


def test_a_withdrawal_of_consent_uses_the_usual_period_and_cannot_be_extended() -> None:
    clock = clock_for("uk", "withdraw_consent")
    assert clock.legal == parse_duration("1 month")
    with pytest.raises(PledgeError, match="cannot be extended"):
        clock.extended_due(D(2025, 9, 3), D(2025, 9, 3), D(2025, 9, 4))


def test_a_stricter_declared_deadline_wins_and_a_laxer_one_does_not() -> None:
    received = D(2025, 9, 3)
    stricter = clock_for("uk", "access", parse_duration("20 days"))
    assert stricter.due(received, received) == D(2025, 9, 23)
    laxer = clock_for("uk", "access", parse_duration("2 months"))
    assert laxer.due(received, received) == D(2025, 10, 3)


def test_gdpr_sets_no_acknowledgement_date() -> None:
    assert clock_for("uk", "access").acknowledge_by(D(2025, 9, 3)) is None


# --- CCPA: 45 calendar days from receipt, acknowledged within 10 business days -------------


def test_ccpa_45_days_across_a_month_end_run_from_receipt_whatever_verification() -> None:
    clock = clock_for("us-ca", "know")
    # 21 January + 45 days: 10 days left in January, 28 in February, 7 in March.
    assert clock.due(D(2026, 1, 21), None) == D(2026, 3, 7)
    assert clock.due(D(2026, 1, 21), D(2026, 2, 20)) == D(2026, 3, 7)
    # 7 March 2026 is a Saturday: calendar days are not moved off weekends.
    assert D(2026, 3, 7).weekday() == 5


def test_ccpa_acknowledgement_in_10_business_days() -> None:
    clock = clock_for("us-ca", "delete")
    assert clock.acknowledge_by(D(2026, 1, 21)) == D(2026, 2, 4)
    # Across Thanksgiving and the day after, both California holidays.
    assert clock.acknowledge_by(D(2026, 11, 20)) == D(2026, 12, 8)


def test_ccpa_extension_is_45_more_days() -> None:
    clock = clock_for("us-ca", "correct")
    assert clock.extended_due(D(2026, 1, 21), None, asked_on=D(2026, 3, 1)) == D(2026, 4, 21)


def test_opt_out_of_sale_in_15_business_days_across_thanksgiving() -> None:
    clock = clock_for("us-ca", "opt_out_sale_share")
    # Received Monday 16 November 2026: 7 business days to 25 November, then Thanksgiving
    # (26) and the day after (27) do not count, nor the weekends: the 15th is 9 December.
    assert clock.due(D(2026, 11, 16), None) == D(2026, 12, 9)
    assert clock.acknowledge_by(D(2026, 11, 16)) is None  # no identity step to acknowledge
    with pytest.raises(PledgeError, match="cannot be extended"):
        clock.extended_due(D(2026, 11, 16), None, D(2026, 11, 17))


# --- days, in the jurisdiction's own time zone ----------------------------------------------


def test_the_day_of_receipt_is_the_day_where_the_law_applies() -> None:
    late_evening = dt.datetime(2025, 9, 2, 23, 30, tzinfo=dt.UTC)
    assert local_day(late_evening, "uk") == D(2025, 9, 3)  # 00:30 in London (BST)
    assert local_day(late_evening, "us-ca") == D(2025, 9, 2)  # 16:30 in Los Angeles
    with pytest.raises(ValueError, match="naive"):
        local_day(dt.datetime(2025, 9, 2, 23, 30), "uk")


def test_overdue_and_due_soon_flags() -> None:
    due = D(2025, 10, 3)
    assert days_left(due, D(2025, 10, 3)) == 0
    assert not is_overdue(due, D(2025, 10, 3))
    assert is_overdue(due, D(2025, 10, 4))
    assert is_due_soon(due, D(2025, 9, 26))
    assert not is_due_soon(due, D(2025, 9, 25))
    assert is_due_soon(due, D(2025, 9, 20), window=14)
    assert not is_due_soon(due, D(2025, 10, 4))  # overdue is not "soon"
    assert not is_due_soon(None, D(2025, 10, 1))
