"""When the scheduled sweep runs: PLEDGE_SWEEP_AT and PLEDGE_SWEEP_EVERY, and their slots.

A schedule is a time of day in UTC and an interval ("03:00", "1 day"). Its slots are the
moments `at + k * every`, counted from a fixed Monday, so the same settings always give
the same slots on every server: "every 6 hours at 03:00" sweeps at 03:00, 09:00, 15:00 and
21:00; "every 1 week" on Mondays. Pure arithmetic, no store: settings read it at start-up.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pledge.errors import PledgeError

AT_VARIABLE = "PLEDGE_SWEEP_AT"
EVERY_VARIABLE = "PLEDGE_SWEEP_EVERY"
DEFAULT_AT = "03:00"
DEFAULT_EVERY = "1 day"
OFF = "off"

# Slots count from here; a Monday, so weekly sweeps fall on Mondays.
_EPOCH = dt.date(1970, 1, 5)
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
_EVERY = re.compile(r"([0-9]+) ?(hours?|days?|weeks?)")
_UNIT = {"hour": dt.timedelta(hours=1), "day": dt.timedelta(days=1), "week": dt.timedelta(weeks=1)}
_REF_FORMAT = "%Y-%m-%dT%H:%MZ"


@dataclass(frozen=True)
class SweepSchedule:
    """Sweep every `every` (None: never) at the slots aligned on `at`, a UTC time of day."""

    at: dt.time = dt.time(3, 0)
    every: dt.timedelta | None = dt.timedelta(days=1)

    @classmethod
    def parse(cls, at: str = DEFAULT_AT, every: str = DEFAULT_EVERY) -> SweepSchedule:
        """The schedule the two settings describe; PledgeError naming the one that is wrong."""
        return cls(_time_of_day(at), _interval(every))

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> SweepSchedule:
        """PLEDGE_SWEEP_AT and PLEDGE_SWEEP_EVERY, each defaulting when unset or empty."""
        at = environ.get(AT_VARIABLE, "").strip() or DEFAULT_AT
        every = environ.get(EVERY_VARIABLE, "").strip() or DEFAULT_EVERY
        return cls.parse(at, every)

    @property
    def off(self) -> bool:
        return self.every is None

    def next_slot(self, after: dt.datetime) -> dt.datetime | None:
        """The first slot strictly after `after` (an aware datetime); None when off.

        However long ago the last sweep ran, this is one moment: days missed while the
        server was down collapse into the one sweep that runs when it is back.
        """
        if self.every is None:
            return None
        anchor = dt.datetime.combine(_EPOCH, self.at, tzinfo=dt.UTC)
        passed = (after - anchor) // self.every  # whole intervals; floor, also before 1970
        return anchor + (passed + 1) * self.every

    def describe(self) -> str:
        """In words, for the console: "every 1 day at 03:00 UTC"."""
        if self.every is None:
            return "off"
        return f"every {_words(self.every)} at {self.at:%H:%M} UTC"


def slot_ref(slot: dt.datetime) -> str:
    """The job ref of a slot: "2026-12-05T03:00Z"."""
    return slot.astimezone(dt.UTC).strftime(_REF_FORMAT)


def slot_of(ref: str) -> dt.datetime | None:
    """The slot a job ref names, or None when it names none (a sweep started by hand)."""
    try:
        return dt.datetime.strptime(ref, _REF_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def _time_of_day(text: str) -> dt.time:
    found = _TIME.fullmatch(text.strip())
    if found is None:
        raise PledgeError(
            f"{AT_VARIABLE} is '{text}', which is not a time of day",
            f"write hours and minutes in UTC on a 24-hour clock, e.g. {AT_VARIABLE}=03:00",
        )
    return dt.time(int(found[1]), int(found[2]))


def _interval(text: str) -> dt.timedelta | None:
    words = " ".join(text.split()).lower()
    if words == OFF:
        return None
    found = _EVERY.fullmatch(words)
    if found is None or int(found[1]) == 0:
        raise PledgeError(
            f"{EVERY_VARIABLE} is '{text}', which is not an interval Pledge can sweep at",
            f"write a whole number of hours, days or weeks ('1 day', '6 hours', '1 week'),"
            f" or '{OFF}' to stop the scheduled sweeps",
        )
    return int(found[1]) * _UNIT[found[2].rstrip("s")]


def _words(every: dt.timedelta) -> str:
    for name, unit in reversed(_UNIT.items()):
        if every % unit == dt.timedelta(0):
            count = every // unit
            return f"{count} {name}{'' if count == 1 else 's'}"
    return str(every)  # not reachable from parse(): every interval is whole hours
