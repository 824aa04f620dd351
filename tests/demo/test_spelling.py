"""Names into email letters, phone numbers that never repeat, and draws a seed fixes."""

from __future__ import annotations

import pytest

from pledge.demo.dice import Dice, Weighted
from pledge.demo.names import CULTURE_BY_NAME
from pledge.demo.spelling import email_letters, gendered, phone_number


@pytest.mark.parametrize(
    ("culture", "name", "letters"),
    [
        ("polish", "Łukasz", "lukasz"),
        ("polish", "Wiśniewska", "wisniewska"),
        ("german", "Weiß", "weiss"),
        ("irish", "Ó Súilleabháin", "osuilleabhain"),
        ("english", "O'Connor", "oconnor"),
        ("chinese", "李", "li"),
        ("chinese", "梅梅", "meimei"),
    ],
)
def test_names_become_plain_letters(culture: str, name: str, letters: str) -> None:
    assert email_letters(CULTURE_BY_NAME[culture], name) == letters


def test_surnames_agree_with_the_first_name() -> None:
    assert gendered("Wiśniewski|Wiśniewska", female=True) == "Wiśniewska"
    assert gendered("Wiśniewski|Wiśniewska", female=False) == "Wiśniewski"
    assert gendered("Müller", female=True) == "Müller"


def test_phone_numbers_are_distinct_per_country() -> None:
    numbers = [phone_number("US", n) for n in range(20_000)]
    assert len(set(numbers)) == len(numbers)
    assert numbers[0].startswith("+1 415 ") and len(numbers[0]) == len("+1 415 ") + 7


def test_the_same_seed_draws_the_same_values() -> None:
    brands = Weighted(("visa", 55), ("mastercard", 35), ("amex", 10))

    def draws(seed: int) -> list[object]:
        dice = Dice(seed)
        return [
            (dice.below(10), dice.between(1, 3), dice.pick("abc"), dice.weighted(brands))
            for _ in range(50)
        ]

    assert draws(1) == draws(1)
    assert draws(1) != draws(2)
    dice = Dice(3)
    values = [dice.between(1, 3) for _ in range(3_000)]
    assert set(values) == {1, 2, 3}
    picked = [dice.weighted(brands) for _ in range(10_000)]
    assert 0.5 < picked.count("visa") / len(picked) < 0.6
    assert all(5 <= dice.below(5, 8) < 8 for _ in range(1_000))
