from __future__ import annotations

import pytest

from pledge.declaration.model import RIGHTS
from pledge.errors import PledgeError
from pledge.rights.types import HANDLING, REQUEST_TYPES, available_types, request_type_for
from tests.rights.demo import demo, with_jurisdictions


def test_every_request_type_is_a_right_of_the_declaration_vocabulary() -> None:
    assert set(REQUEST_TYPES) <= set(RIGHTS)
    assert HANDLING["know"] == HANDLING["access"] == "access"
    assert HANDLING["delete"] == HANDLING["erasure"] == "erasure"
    assert HANDLING["correct"] == HANDLING["rectification"] == "rectification"


@pytest.mark.parametrize(
    ("asked", "code", "recorded"),
    [
        ("access", "uk", "access"),
        ("access", "us-ca", "know"),  # the CCPA's word, and its 45-day clock
        ("know", "uk", "access"),
        ("delete", "eu", "erasure"),
        ("erasure", "us-ca", "delete"),
        ("rectification", "us-ca", "correct"),
        ("opt_out_sale_share", "us-ca", "opt_out_sale_share"),
        ("withdraw_consent", "uk", "withdraw_consent"),
    ],
)
def test_a_request_is_recorded_in_the_words_of_its_law(
    asked: str, code: str, recorded: str
) -> None:
    assert request_type_for(asked, code, demo()) == recorded


def test_a_right_the_law_does_not_grant_is_refused_with_what_is_available() -> None:
    with pytest.raises(PledgeError) as caught:
        request_type_for("portability", "us-ca", demo())
    assert "not available in 'us-ca'" in caught.value.message
    assert caught.value.hint == (
        "requests available in 'us-ca': know, delete, correct, opt_out_sale_share"
    )


def test_an_opt_out_offered_under_california_law_is_not_offered_in_the_uk() -> None:
    assert "opt_out_sale_share" not in available_types("uk", demo())
    with pytest.raises(PledgeError, match="not available in 'uk'"):
        request_type_for("opt_out_sale_share", "uk", demo())


def test_a_right_offered_beyond_the_law_is_available() -> None:
    # Without California among its jurisdictions, the demo's opt-out is an extra it offers.
    uk_only = with_jurisdictions("uk")
    assert available_types("uk", uk_only)[-4:] == [
        "opt_out_sale_share",
        "know",
        "delete",
        "correct",
    ]
    assert request_type_for("opt_out_sale_share", "uk", uk_only) == "opt_out_sale_share"
    # The law's own word still comes first for what it grants.
    assert request_type_for("know", "uk", uk_only) == "access"


def test_an_undeclared_jurisdiction_or_an_unknown_type_is_refused() -> None:
    with pytest.raises(PledgeError, match="does not cover jurisdiction 'fr'") as caught:
        request_type_for("access", "fr", demo())
    assert caught.value.hint == "use one of organisation.jurisdictions: uk, eu, us-ca"
    with pytest.raises(PledgeError, match="unknown request type 'acess'"):
        request_type_for("acess", "uk", demo())
