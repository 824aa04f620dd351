"""The schedule's settings and slots: when the next sweep is, after any moment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pledge.errors import PledgeError
from pledge.retention.slots import SweepSchedule, slot_of, slot_ref
from pledge.settings import Settings


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


DAILY = SweepSchedule.parse("03:00", "1 day")


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        ("2026-12-04T02:59:59", "2026-12-04T03:00"),
        # Strictly after: the job running at its slot queues the next day's.
        ("2026-12-04T03:00:00", "2026-12-05T03:00"),
        ("2026-12-04T03:00:00.000001", "2026-12-05T03:00"),
        ("2026-12-04T23:59:59", "2026-12-05T03:00"),
        ("2026-12-31T12:00:00", "2027-01-01T03:00"),
        ("1969-07-20T20:17:00", "1969-07-21T03:00"),
    ],
)
def test_the_next_daily_slot(after: str, expected: str) -> None:
    assert DAILY.next_slot(at(after)) == at(expected)


def test_days_missed_collapse_into_one_slot_after_the_server_is_back() -> None:
    """Down from the 1st to the 9th: the next slot is one moment, after the return."""
    back = at("2026-12-09T10:30:00")
    assert DAILY.next_slot(back) == at("2026-12-10T03:00")


def test_hourly_slots_are_aligned_on_the_time_of_day() -> None:
    every_six = SweepSchedule.parse("03:00", "6 hours")
    slots, moment = [], at("2026-12-04T00:00:00")
    for _ in range(5):
        slot = every_six.next_slot(moment)
        assert slot is not None
        slots.append(slot_ref(slot))
        moment = slot
    assert slots == [
        "2026-12-04T03:00Z",
        "2026-12-04T09:00Z",
        "2026-12-04T15:00Z",
        "2026-12-04T21:00Z",
        "2026-12-05T03:00Z",
    ]


def test_weekly_slots_fall_on_mondays_and_every_other_day_is_the_same_on_any_server() -> None:
    weekly = SweepSchedule.parse("04:30", "1 week")
    slot = weekly.next_slot(at("2026-12-05T00:00:00"))  # a Saturday
    assert slot == at("2026-12-07T04:30") and slot.weekday() == 0
    every_other = SweepSchedule.parse("03:00", "2 days")
    first = every_other.next_slot(at("2026-12-04T12:00:00"))
    assert first is not None
    assert every_other.next_slot(first) == first + dt.timedelta(days=2)
    assert every_other.next_slot(first - dt.timedelta(seconds=1)) == first


def test_off_has_no_slots() -> None:
    off = SweepSchedule.parse("03:00", "off")
    assert off.off and off.next_slot(at("2026-12-04T00:00:00")) is None
    assert off.describe() == "off"


@pytest.mark.parametrize(
    ("every", "words"),
    [("1 day", "1 day"), ("24 hours", "1 day"), ("6 HOURS", "6 hours"), ("2  weeks", "2 weeks")],
)
def test_the_schedule_in_words(every: str, words: str) -> None:
    assert SweepSchedule.parse("7:05", every).describe() == f"every {words} at 07:05 UTC"


@pytest.mark.parametrize("text", ["3", "25:00", "03:60", "3am", "03:00:00", ""])
def test_a_time_that_is_not_one_is_refused_by_name(text: str) -> None:
    with pytest.raises(PledgeError) as caught:
        SweepSchedule.parse(text, "1 day")
    assert caught.value.message == f"PLEDGE_SWEEP_AT is '{text}', which is not a time of day"
    assert "03:00" in caught.value.hint


@pytest.mark.parametrize("text", ["daily", "0 days", "1 month", "1.5 days", "-1 day", "10 minutes"])
def test_an_interval_pledge_cannot_sweep_at_is_refused_by_name(text: str) -> None:
    with pytest.raises(PledgeError) as caught:
        SweepSchedule.parse("03:00", text)
    assert caught.value.message.startswith(f"PLEDGE_SWEEP_EVERY is '{text}'")
    assert "'off'" in caught.value.hint


def test_refs_name_their_slot_and_a_manual_ref_names_none() -> None:
    slot = at("2026-12-05T03:00")
    assert slot_ref(slot) == "2026-12-05T03:00Z"
    assert slot_of("2026-12-05T03:00Z") == slot
    assert slot_of("manual:2026-12-05T10:15:02Z:7") is None


def test_settings_read_the_schedule_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    declaration = tmp_path / "pledge.yaml"
    monkeypatch.delenv("PLEDGE_SWEEP_AT", raising=False)
    monkeypatch.delenv("PLEDGE_SWEEP_EVERY", raising=False)
    assert Settings.build(declaration).sweep == SweepSchedule(dt.time(3, 0), dt.timedelta(days=1))
    monkeypatch.setenv("PLEDGE_SWEEP_AT", "22:15")
    monkeypatch.setenv("PLEDGE_SWEEP_EVERY", "12 hours")
    assert Settings.build(declaration).sweep == SweepSchedule(
        dt.time(22, 15), dt.timedelta(hours=12)
    )
    monkeypatch.setenv("PLEDGE_SWEEP_EVERY", "off")
    assert Settings.build(declaration).sweep.off
