"""The shapes of sampled values: cards (Luhn), phones, IPs, postcodes, emails, birth dates."""

from __future__ import annotations

import ipaddress
from datetime import date, datetime

import pytest

from pledge.sources.value_shapes import (
    dominant_shape,
    is_birth_date,
    is_card_number,
    is_email,
    is_fr_postcode,
    is_ip_address,
    is_phone_number,
    is_uk_postcode,
    is_us_zip_code,
    luhn_valid,
)

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("4111111111111111", True),  # Visa test number
        ("4111111111111112", False),
        ("5555555555554444", True),  # Mastercard
        ("378282246310005", True),  # American Express
        ("6011111111111117", True),  # Discover
        ("79927398713", True),  # the textbook example
        ("79927398710", False),
        ("0", True),
        ("12a4", False),
        ("", False),
    ],
)
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(
    ("value", "card"),
    [
        ("4111111111111111", True),
        ("4111 1111 1111 1111", True),
        ("4111-1111-1111-1111", True),
        ("378282246310005", True),
        ("2223003122003222", True),  # Mastercard 2-series
        ("4111111111111112", False),  # fails Luhn
        ("0000000000000000", False),  # passes Luhn, but no network starts with 0
        ("9111111111111111", False),
        ("411111111111", False),  # 12 digits: too short
        ("4111 1111 1111 1111 1111 1", False),  # 21 digits: too long
        ("**** **** **** 1111", False),
        ("+44 20 7946 0958", False),
    ],
)
def test_card_numbers(value: str, card: bool) -> None:
    assert is_card_number(value) is card


@pytest.mark.parametrize(
    ("value", "phone"),
    [
        ("+44 20 7946 0958", True),
        ("+442079460958", True),
        ("0044 20 7946 0958", True),
        ("020 7946 0958", True),
        ("07700 900123", True),
        ("06 12 34 56 78", True),
        ("+33 6 12 34 56 78", True),
        ("(415) 555-0100", True),
        ("415-555-0100", True),
        ("415.555.0100", True),
        ("+1 415 555 0100", True),
        ("4155550100", False),  # a bare run of digits is as likely an id
        ("12345", False),
        ("2024-01-31", False),  # a date
        ("192.168.100.200", False),  # an IP address
        ("+44", False),
        ("call me", False),
        ("+1234567890123456", False),  # 16 digits: longer than E.164 allows
    ],
)
def test_phone_numbers(value: str, phone: bool) -> None:
    assert is_phone_number(value) is phone


@pytest.mark.parametrize(
    ("value", "ip"),
    [
        ("203.0.113.7", True),
        ("10.0.0.1/8", True),
        ("2001:db8::1", True),
        ("::1", True),
        ("fe80::1ff:fe23:4567:890a", True),
        (ipaddress.ip_address("198.51.100.1"), True),  # what psycopg returns for INET
        (ipaddress.ip_interface("2001:db8::/32"), True),
        ("256.1.1.1", False),
        ("1.2.3", False),
        ("01.02.03.04", False),
        ("12345", False),
        ("2001:db8::g", False),
        (3232235777, False),  # an integer is not read as an address
    ],
)
def test_ip_addresses(value: object, ip: bool) -> None:
    assert is_ip_address(value) is ip


@pytest.mark.parametrize(
    ("value", "uk", "fr", "us"),
    [
        ("SW1A 1AA", True, False, False),
        ("sw1a 1aa", True, False, False),
        ("M1 3HE", True, False, False),
        ("B33 8TH", True, False, False),
        ("CR2 6XH", True, False, False),
        ("DN551PT", True, False, False),
        ("GIR 0AA", True, False, False),
        ("Q1 1AA", False, False, False),  # no UK area starts with Q
        ("SW1A 1AAA", False, False, False),
        ("75002", False, True, True),
        ("20000", False, True, True),  # Ajaccio, Corsica
        ("97400", False, True, True),  # Saint-Denis, La Réunion
        ("96000", False, False, True),  # no French département 96
        ("00501", False, False, True),
        ("00000", False, False, False),
        ("94105-1804", False, False, True),
        ("9410", False, False, False),
        ("941051", False, False, False),
    ],
)
def test_postcodes(value: str, uk: bool, fr: bool, us: bool) -> None:
    assert (is_uk_postcode(value), is_fr_postcode(value), is_us_zip_code(value)) == (uk, fr, us)


@pytest.mark.parametrize(
    ("value", "email"),
    [
        ("zoe.martin@example.com", True),
        ("li+lei@mail.example.cn", True),
        ("łukasz@przykład.pl", True),
        ("user@localhost", False),
        ("@example.com", False),
        ("a@b@example.com", False),
        ("a b@example.com", False),
        ("user@example.c0m", False),
        ("not an email", False),
    ],
)
def test_email_addresses(value: str, email: bool) -> None:
    assert is_email(value) is email


@pytest.mark.parametrize(
    ("value", "birth"),
    [
        (date(1985, 4, 12), True),
        ("1985-04-12", True),  # SQLite returns dates as ISO text
        (date(2013, 11, 23), True),  # thirteen today
        (date(2013, 11, 24), False),  # thirteen tomorrow
        (date(1906, 11, 23), True),
        (date(1906, 11, 22), False),  # older than 120
        (date(2026, 3, 1), False),
        (datetime(1985, 4, 12, 8, 30), False),  # a timestamp is when something happened
        ("1985-04-12 08:30:00", False),
        ("1985-02-30", False),
        ("12/04/1985", False),
        (19850412, False),
    ],
)
def test_birth_dates(value: object, birth: bool) -> None:
    assert is_birth_date(value, TODAY) is birth


def test_the_dominant_shape_needs_four_values_in_five() -> None:
    emails = ["a@example.com", "b@example.com", "c@example.com", "d@example.com"]
    found = dominant_shape([*emails, "n/a", None, "  "], TODAY)
    assert found is not None
    # Empty values are not counted: 4 of the 5 present values are addresses.
    assert found.evidence == "4/5 sampled values look like email addresses"
    assert dominant_shape([*emails[:3], "n/a", "unknown"], TODAY) is None
    assert dominant_shape([None, ""], TODAY) is None
