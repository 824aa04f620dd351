"""What sampled values look like: email addresses, phone numbers, cards, IPs, postcodes, births.

`pledge map` and `pledge check --live` read a few hundred values per column and ask which
shape most of them have. Only counts leave this module, never a value: the evidence printed
is "198/200 sampled values look like email addresses".
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

# A column "has" a shape when at least this share of its non-empty sampled values has it.
THRESHOLD = 0.8
BIRTH_MIN_AGE_YEARS = 13
BIRTH_MAX_AGE_YEARS = 120

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)*\.[^@\s.\d]{2,}")
_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ()\-.]+")
_NORTH_AMERICAN = re.compile(r"\(?[2-9]\d{2}\)?[ .\-]?[2-9]\d{2}[ .\-]\d{4}")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_CARD_CHARACTERS = re.compile(r"\d[\d \-]{11,22}\d")
_UK_POSTCODE = re.compile(r"GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}")
# Départements 01 to 95 (Corsica's 20 included) and the overseas 97x and 98x.
_FR_POSTCODE = re.compile(r"(?:0[1-9]|[1-8]\d|9[0-5]|97|98)\d{3}")
_US_ZIP = re.compile(r"(?!00000)\d{5}(?:-\d{4})?")


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number carries in its last digit."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def is_email(value: str) -> bool:
    return _EMAIL.fullmatch(value.strip()) is not None


def is_card_number(value: str) -> bool:
    """13 to 19 digits (spaces or dashes between groups allowed), a card network's first
    digit (2 to 6) and a valid Luhn checksum."""
    text = value.strip()
    if not _CARD_CHARACTERS.fullmatch(text):
        return False
    digits = re.sub(r"[ \-]", "", text)
    return 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn_valid(digits)


def is_ip_address(value: object) -> bool:
    """IPv4 or IPv6, written as text or as the address objects drivers return for INET."""
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return True
    if isinstance(value, ipaddress.IPv4Interface | ipaddress.IPv6Interface):
        return True
    if not isinstance(value, str):
        return False
    text = value.strip()
    try:
        if "/" in text:
            ipaddress.ip_interface(text)
        else:
            ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_phone_number(value: str) -> bool:
    """International (+44 ..., 0044 ...), national with a trunk 0 (020 7946 0958, 06 12 34 56
    78) or North American ((415) 555-0100). Bare digit runs without these marks are too
    often plain numbers to count."""
    text = value.strip()
    if not _PHONE_CHARACTERS.fullmatch(text) or _ISO_DATE.fullmatch(text) or is_ip_address(text):
        return False
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return 8 <= len(digits) <= 15
    if digits.startswith("00"):
        return 10 <= len(digits) <= 15
    if digits.startswith("0"):
        return 9 <= len(digits) <= 11
    return _NORTH_AMERICAN.fullmatch(text) is not None


def is_uk_postcode(value: str) -> bool:
    return _UK_POSTCODE.fullmatch(value.strip().upper()) is not None


def is_fr_postcode(value: str) -> bool:
    return _FR_POSTCODE.fullmatch(value.strip()) is not None


def is_us_zip_code(value: str) -> bool:
    return _US_ZIP.fullmatch(value.strip()) is not None


def is_postcode(value: str) -> bool:
    return is_uk_postcode(value) or is_fr_postcode(value) or is_us_zip_code(value)


def as_date(value: object) -> date | None:
    """A calendar date, from a DATE column or its ISO text (SQLite); timestamps are not."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and (found := _ISO_DATE.fullmatch(value.strip())):
        try:
            return date(*(int(part) for part in found.groups()))
        except ValueError:
            return None
    return None


def is_birth_date(value: object, today: date) -> bool:
    """A date between 13 and 120 years before `today`: old enough to be a person's birth."""
    day = as_date(value)
    if day is None:
        return False
    return (
        _years_before(today, BIRTH_MAX_AGE_YEARS)
        <= day
        <= _years_before(today, BIRTH_MIN_AGE_YEARS)
    )


def _years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


@dataclass(frozen=True)
class Shape:
    """A kind of value, the category it suggests, and how sure it makes us.

    A decisive shape outweighs a column name that suggests another category: values that
    pass the Luhn check are card numbers whatever the column is called. A weak shape (a
    date, a five-digit code) only decides when the name says nothing.
    """

    id: str
    category: str
    looks_like: str
    decisive: bool
    test: Callable[[object, date], bool]


def _text(check: Callable[[str], bool]) -> Callable[[object, date], bool]:
    return lambda value, _today: isinstance(value, str) and check(value)


# In order of preference when two shapes fit as many values (a card number before a phone).
SHAPES: tuple[Shape, ...] = (
    Shape("email", "contact.email", "look like email addresses", True, _text(is_email)),
    Shape(
        "card",
        "financial.payment_card",
        "look like payment card numbers (Luhn check passes)",
        True,
        _text(is_card_number),
    ),
    Shape("ip", "online.ip_address", "look like IP addresses", True, lambda v, _: is_ip_address(v)),
    Shape("phone", "contact.phone", "look like phone numbers", False, _text(is_phone_number)),
    Shape(
        "postcode",
        "contact.postal_address",
        "look like UK, French or US postcodes",
        False,
        _text(is_postcode),
    ),
    Shape(
        "birth_date",
        "identity.date_of_birth",
        f"are dates {BIRTH_MIN_AGE_YEARS} to {BIRTH_MAX_AGE_YEARS} years ago, like dates of birth",
        False,
        is_birth_date,
    ),
)


@dataclass(frozen=True)
class ShapeMatch:
    shape: Shape
    matched: int
    sampled: int

    @property
    def evidence(self) -> str:
        return f"{self.matched}/{self.sampled} sampled values {self.shape.looks_like}"


def dominant_shape(values: Iterable[object], today: date) -> ShapeMatch | None:
    """The shape most of the non-empty values share, if at least THRESHOLD of them do."""
    present = [v for v in values if v is not None and not (isinstance(v, str) and not v.strip())]
    if not present:
        return None
    best: ShapeMatch | None = None
    for shape in SHAPES:
        matched = sum(1 for value in present if shape.test(value, today))
        if matched >= THRESHOLD * len(present) and (best is None or matched > best.matched):
            best = ShapeMatch(shape, matched, len(present))
    return best
