"""Legal clocks: when a response to a rights request is due, per jurisdiction.

Two ways of counting meet here. GDPR and UK GDPR count calendar months and move a deadline
that lands on a weekend or public holiday to the next working day (ICO guidance; Reg.
1182/71 Art 3(4)). The CCPA counts business days to acknowledge and calendar days, with no
roll, to respond (11 CCR §7021). Public holidays come from the `holidays` package.
"""

from __future__ import annotations

import calendar
import difflib
from datetime import date, timedelta
from functools import cache

import holidays

from pledge.declaration.durations import Duration, add_months

JURISDICTIONS = ("uk", "eu", "fr", "us-ca", "ca", "ch")

_ONE_DAY = timedelta(days=1)

# (country, subdivision) for `holidays.country_holidays`; "GB"/"ENG" is what holidays.UK(subdiv=
# "ENG") builds: England & Wales bank holidays. "eu" has no common calendar: weekends only.
_CALENDARS: dict[str, tuple[str, str | None] | None] = {
    "uk": ("GB", "ENG"),
    "eu": None,
    "fr": ("FR", None),
    "us-ca": ("US", "CA"),
    "ca": ("CA", None),
    "ch": ("CH", None),
}


@cache
def _holidays(jurisdiction: str) -> holidays.HolidayBase | None:
    # Built once per code; the calendar fills in each year the first time it is asked about.
    if jurisdiction not in _CALENDARS:
        close = difflib.get_close_matches(jurisdiction, JURISDICTIONS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"unknown jurisdiction {jurisdiction!r} — use one of: {', '.join(JURISDICTIONS)}{hint}"
        )
    country = _CALENDARS[jurisdiction]
    if country is None:
        return None
    return holidays.country_holidays(country[0], subdiv=country[1])


def is_working_day(day: date, jurisdiction: str) -> bool:
    """Monday to Friday and not a public holiday in `jurisdiction`."""
    public = _holidays(jurisdiction)
    return day.weekday() < calendar.SATURDAY and (public is None or day not in public)


def next_working_day(day: date, jurisdiction: str) -> date:
    """`day` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day, jurisdiction):
        day += _ONE_DAY
    return day


def add_calendar_months(received: date, months: int) -> date:
    """The ICO method: the day of receipt to the corresponding calendar date `months` later.

    When the target month has no such date (31 Jan + 1 month) it is that month's last day.
    """
    if months < 0:
        raise ValueError(f"months cannot be negative: {months}")
    return add_months(received, months)


def calendar_month_deadline(received: date, jurisdiction: str, months: int = 1) -> date:
    """GDPR Art 12(3) as the ICO counts it, rolled forward off weekends and public holidays.

    Pass months=3 for an extended deadline: the ICO counts 3 months from the original start.
    """
    return next_working_day(add_calendar_months(received, months), jurisdiction)


def add_business_days(start: date, n: int, jurisdiction: str) -> date:
    """The `n`th working day after `start` (start itself not counted), as in 11 CCR §7021(a)."""
    if n < 0:
        raise ValueError(f"business days cannot be negative: {n}")
    _holidays(jurisdiction)  # an unknown code fails even when n is 0
    day = start
    while n:
        day += _ONE_DAY
        if is_working_day(day, jurisdiction):
            n -= 1
    return day


def add_calendar_days(start: date, n: int) -> date:
    """`n` calendar days after `start`, never rolled: 11 CCR §7021(b) counts calendar days."""
    if n < 0:
        raise ValueError(f"calendar days cannot be negative: {n}")
    return start + timedelta(days=n)


def due_after(start: date, duration: Duration, jurisdiction: str) -> date:
    """When `duration` from `start` ends under `jurisdiction`'s way of counting that unit.

    Months and years are calendar months with a working-day roll (GDPR/UK); business days
    skip weekends and public holidays; days and weeks are calendar days with no roll (CCPA).
    """
    _holidays(jurisdiction)
    if duration.unit == "month":
        return calendar_month_deadline(start, jurisdiction, duration.amount)
    if duration.unit == "year":
        return calendar_month_deadline(start, jurisdiction, 12 * duration.amount)
    if duration.unit == "business_day":
        return add_business_days(start, duration.amount, jurisdiction)
    if duration.unit == "week":
        return add_calendar_days(start, 7 * duration.amount)
    return add_calendar_days(start, duration.amount)
