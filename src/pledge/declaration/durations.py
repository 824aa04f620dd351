"""Durations as a declaration writes them: "30 days", "10 business days", "P3Y".

A declaration states retention periods and response deadlines in plain words; this module
reads them into a `Duration` and does calendar arithmetic with it. Business days here skip
weekends only: public holidays depend on a jurisdiction, so `clocks` adds them.
"""

from __future__ import annotations

import calendar
import difflib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, get_args

Unit = Literal["day", "business_day", "week", "month", "year"]
UNITS: tuple[Unit, ...] = get_args(Unit)

FORM = "write a number and a unit: '30 days', '10 business days', '1 week', '3 months', '2 years'"

# Every accepted spelling of a unit, singular and plural, once spaces are collapsed.
_WORDS: dict[str, Unit] = {
    "day": "day",
    "days": "day",
    "calendar day": "day",
    "calendar days": "day",
    "business day": "business_day",
    "business days": "business_day",
    "working day": "business_day",
    "working days": "business_day",
    "week": "week",
    "weeks": "week",
    "month": "month",
    "months": "month",
    "calendar month": "month",
    "calendar months": "month",
    "year": "year",
    "years": "year",
}
_ISO_UNITS: dict[str, Unit] = {"d": "day", "w": "week", "m": "month", "y": "year"}
_SUGGESTIONS = [word for word in _WORDS if not word.startswith(("calendar", "working"))]

_PLAIN = re.compile(r"([0-9]+) ([a-z][a-z ]*)")
_ISO = re.compile(r"p([0-9]+)([dwmy])")
_FRACTION = re.compile(r"[+-]?[0-9]*[.,][0-9]+ ?[a-z].*")

_EN: dict[Unit, tuple[str, str]] = {
    "day": ("day", "days"),
    "business_day": ("business day", "business days"),
    "week": ("week", "weeks"),
    "month": ("month", "months"),
    "year": ("year", "years"),
}
_FR: dict[Unit, tuple[str, str]] = {
    "day": ("jour", "jours"),
    "business_day": ("jour ouvré", "jours ouvrés"),
    "week": ("semaine", "semaines"),
    "month": ("mois", "mois"),
    "year": ("an", "ans"),
}
_APPROX_DAYS: dict[Unit, float] = {
    "day": 1.0,
    "business_day": 1.4,
    "week": 7.0,
    "month": 30.44,
    "year": 365.25,
}


class DurationSyntaxError(ValueError):
    """Text that is not a duration; the message tells the author what to write instead."""


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError(f"a duration cannot be negative: {self.amount}")
        if self.unit not in UNITS:
            raise ValueError(f"unknown duration unit {self.unit!r}; use one of {UNITS}")

    def __str__(self) -> str:
        singular, plural = _EN[self.unit]
        return f"{self.amount} {singular if self.amount == 1 else plural}"

    def describe(self, lang: str) -> str:
        """The duration in `lang` ("en" or "fr", region tags allowed); English otherwise."""
        if re.split(r"[-_]", lang.lower())[0] != "fr":
            return str(self)
        singular, plural = _FR[self.unit]
        # French keeps 0 and 1 singular ("0 jour", "1 an").
        return f"{self.amount} {singular if self.amount < 2 else plural}"

    def approx_days(self) -> float:
        """Roughly how many days this lasts, only for comparing lengths (never for deadlines)."""
        return self.amount * _APPROX_DAYS[self.unit]

    def after(self, start: date) -> date:
        """The date this long after `start`; month ends clamp (31 Jan + 1 month = 28/29 Feb)."""
        if self.unit == "day":
            return start + timedelta(days=self.amount)
        if self.unit == "week":
            return start + timedelta(weeks=self.amount)
        if self.unit == "month":
            return add_months(start, self.amount)
        if self.unit == "year":
            return add_months(start, 12 * self.amount)
        day, left = start, self.amount
        while left:
            day += timedelta(days=1)
            if day.weekday() < calendar.SATURDAY:
                left -= 1
        return day


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, or that month's last day if it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def parse_duration(text: str) -> Duration:
    """Read "30 days", "1 calendar month", "10 business days" or "P3Y" (any case and spacing)."""
    words = " ".join(text.split()).lower()
    if iso := _ISO.fullmatch(words):
        return Duration(int(iso[1]), _ISO_UNITS[iso[2]])
    plain = _PLAIN.fullmatch(words)
    if plain and plain[2] in _WORDS:
        return Duration(int(plain[1]), _WORDS[plain[2]])
    raise DurationSyntaxError(_message(text, words, plain[2] if plain else None))


def _message(text: str, words: str, unit: str | None) -> str:
    message = f"'{text.strip()}' is not a duration — {FORM}"
    if unit is not None:
        close = difflib.get_close_matches(unit, _SUGGESTIONS, n=1, cutoff=0.6)
        detail = f"did you mean '{close[0]}'?" if close else ""
    elif words.startswith("-"):
        detail = "a duration cannot be negative"
    elif _FRACTION.fullmatch(words):
        detail = "use a whole number, e.g. '18 months' rather than '1.5 years'"
    else:
        detail = ""
    return f"{message}; {detail}" if detail else message
