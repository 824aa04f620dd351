from __future__ import annotations

import re

import pytest

from pledge.errors import PledgeError
from pledge.rights.reference import new_reference, normalise_reference

SHAPE = re.compile(r"PLG-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


def test_new_references_are_well_formed_and_do_not_repeat() -> None:
    drawn = {new_reference() for _ in range(2000)}
    assert len(drawn) == 2000
    assert all(SHAPE.fullmatch(reference) for reference in drawn)


@pytest.mark.parametrize(
    "typed",
    ["PLG-7KQ2-M9XD", "plg-7kq2-m9xd", "7KQ2M9XD", " PLG 7KQ2 M9XD ", "plg7kq2m9xd"],
)
def test_a_reference_is_found_however_it_is_typed(typed: str) -> None:
    assert normalise_reference(typed) == "PLG-7KQ2-M9XD"


def test_letters_misread_for_digits_are_read_as_the_digits() -> None:
    assert normalise_reference("PLG-7KQ2-M9XO") == "PLG-7KQ2-M9X0"
    assert normalise_reference("PLG-IKQ2-LLXD") == "PLG-1KQ2-11XD"


@pytest.mark.parametrize("typed", ["", "PLG-7KQ2", "PLG-7KQ2-M9XU", "../etc/passwd"])
def test_anything_else_is_not_a_reference(typed: str) -> None:
    with pytest.raises(PledgeError, match="is not a request reference"):
        normalise_reference(typed)
