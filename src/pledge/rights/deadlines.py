"""When a request must be answered: pure functions over dates, per jurisdiction and type.

The periods come from the jurisdiction profile (`deadlines.respond`, `extension`,
`acknowledge`); a declaration may promise a shorter one (`rights.offered.<right>.deadline`),
and the earlier of the two dates wins. Counting follows `pledge.declaration.clocks`: calendar
months with a working-day roll for GDPR and UK GDPR, calendar days with no roll and business
days without public holidays for the CCPA.

When the clock starts differs:

- GDPR and UK GDPR (uk, eu, fr): from the day the controller has what it asked for to confirm
  the person's identity. Art 12(6) lets a controller ask for that information, and the ICO's
  guidance says the time limit then runs "from receipt of the information requested to
  confirm identity". Until then the clock is stopped: `due` is None, and a request nobody
  confirmed is never flagged overdue. `received_at` and `verified_at` are both kept, so the
  timeline shows how long the clock was stopped.
- CCPA (us-ca): 45 calendar days from receipt "regardless of time required to verify"
  (11 CCR §7021(b)); receipt must be acknowledged within 10 business days. An opt-out of sale
  or sharing needs no verification and is due in 15 business days.
- Other laws (PIPEDA, FADP): from receipt.

A day is a day where the law applies: `local_day` reads a UTC moment in the jurisdiction's
time zone, so a request received at 23:30 UTC on a summer evening counts from the next day
in London.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pledge.declaration.clocks import due_after
from pledge.declaration.durations import Duration, parse_duration
from pledge.declaration.jurisdictions import jurisdiction as profile_of
from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.rights.types import needs_identity

DUE_SOON_DAYS = 7
# Regimes whose clock waits for the person's identity to be confirmed (see the docstring).
CLOCK_FROM_VERIFICATION = frozenset({"uk_gdpr", "gdpr"})
# Requests the law wants acted on at once, with no extension: an opt-out of sale must be
# honoured within 15 business days (11 CCR §7026(f)); a withdrawal of consent is immediate.
NO_EXTENSION = frozenset({"opt_out_sale_share", "withdraw_consent"})

# One zone per jurisdiction; "eu" uses Brussels (CET), "ca" Ottawa's zone (Toronto).
TIME_ZONES = {
    "uk": "Europe/London",
    "eu": "Europe/Brussels",
    "fr": "Europe/Paris",
    "us-ca": "America/Los_Angeles",
    "ca": "America/Toronto",
    "ch": "Europe/Zurich",
}


def local_day(moment: dt.datetime, code: str) -> dt.date:
    """The calendar date of `moment` (aware) where the law of `code` applies."""
    if moment.tzinfo is None:
        raise ValueError(f"a naive datetime has no day: {moment!r} (give it a time zone)")
    name = TIME_ZONES.get(code)
    if name is None:
        raise PledgeError(f"unknown jurisdiction '{code}'", f"use one of: {', '.join(TIME_ZONES)}")
    try:
        zone = ZoneInfo(name)
    except ZoneInfoNotFoundError:
        raise PledgeError(
            f"the time zone database has no '{name}'",
            "install the system's tzdata package, or `pip install tzdata`",
        ) from None
    return moment.astimezone(zone).date()


@dataclass(frozen=True)
class Clock:
    """The legal clock of one request type in one jurisdiction."""

    jurisdiction: str
    request_type: str
    # The law's period for this type (or the jurisdiction's usual one when it names none).
    legal: Duration
    # What the declaration promises instead, if anything; the earlier date wins.
    declared: Duration | None
    extension: Duration | None
    acknowledge: Duration | None
    from_verification: bool

    def start(self, received: dt.date, verified: dt.date | None) -> dt.date | None:
        """The day the clock starts, or None while it waits for identity."""
        return verified if self.from_verification else received

    def due(self, received: dt.date, verified: dt.date | None) -> dt.date | None:
        """The response is due by the end of this day; None while the clock is stopped."""
        start = self.start(received, verified)
        if start is None:
            return None
        due = due_after(start, self.legal, self.jurisdiction)
        if self.declared is not None:
            due = min(due, due_after(start, self.declared, self.jurisdiction))
        return due

    def acknowledge_by(self, received: dt.date) -> dt.date | None:
        """When receipt must be confirmed (CCPA: 10 business days), or None."""
        if self.acknowledge is None or not needs_identity(self.request_type):
            return None
        return due_after(received, self.acknowledge, self.jurisdiction)

    def extended_due(
        self, received: dt.date, verified: dt.date | None, asked_on: dt.date
    ) -> dt.date:
        """The due date once extended, as the law counts it; PledgeError if it cannot be.

        GDPR Art 12(3) allows two further months, which the ICO counts as three months from
        the day the clock started; the CCPA 45 more days (90 from receipt). Either must be
        decided, and the person told, before the first deadline passes.
        """
        if self.extension is None or self.request_type in NO_EXTENSION:
            raise PledgeError(
                f"a '{self.request_type}' request under '{self.jurisdiction}' cannot be extended",
                "the law sets no extension for it: answer it by its due date",
            )
        start, due = self.start(received, verified), self.due(received, verified)
        if start is None or due is None:
            raise PledgeError(
                "the clock has not started: the person has not confirmed their identity yet",
                "there is nothing to extend until the identity check is done",
            )
        if asked_on > due:
            raise PledgeError(
                f"the request was due on {due.isoformat()}: it is too late to extend it",
                "an extension must be decided, and the person told, before the due date",
            )
        if self.extension.unit == self.legal.unit:
            total = Duration(self.legal.amount + self.extension.amount, self.legal.unit)
            return due_after(start, total, self.jurisdiction)
        return due_after(due, self.extension, self.jurisdiction)


def clock_for(code: str, request_type: str, declared: Duration | None = None) -> Clock:
    """The clock of a `request_type` request under `code`; `declared` is what the declaration
    promises for that type (see `promised_deadline`)."""
    profile = profile_of(code)
    deadlines = profile.deadlines
    return Clock(
        jurisdiction=code,
        request_type=request_type,
        legal=deadlines.for_request(request_type) or _usual_period(code),
        declared=declared,
        extension=_duration(deadlines.extension),
        acknowledge=_duration(deadlines.acknowledge),
        from_verification=profile.regime in CLOCK_FROM_VERIFICATION
        and needs_identity(request_type),
    )


def promised_deadline(declaration: Declaration, request_type: str) -> Duration | None:
    """The declaration's own deadline for `request_type` (rights.offered.<type>.deadline)."""
    offered = declaration.rights.offered.items()
    return next((rule.deadline for right, rule in offered if right == request_type), None)


def _usual_period(code: str) -> Duration:
    # The law names no period for this type (a withdrawal of consent under GDPR): the
    # jurisdiction's usual response period is the outer limit, so the request is never left
    # without a date.
    periods = Counter(profile_of(code).deadlines.respond.values())
    return parse_duration(periods.most_common(1)[0][0])


def _duration(text: str | None) -> Duration | None:
    return parse_duration(text) if text else None


def days_left(due: dt.date, today: dt.date) -> int:
    """Days from `today` to `due`: 0 on the due day, negative once overdue."""
    return (due - today).days


def is_overdue(due: dt.date | None, today: dt.date) -> bool:
    return due is not None and today > due


def is_due_soon(due: dt.date | None, today: dt.date, window: int = DUE_SOON_DAYS) -> bool:
    """Due within `window` days from today (the due day included), and not yet overdue."""
    return due is not None and 0 <= days_left(due, today) <= window
