"""Choosing the notice's language from `?lang=` and Accept-Language."""

from __future__ import annotations

import pytest

from pledge.web.language import choose_language, negotiate

DECLARED = ["en", "fr"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr", "fr"),
        ("fr-CH, fr;q=0.9, en;q=0.8", "fr"),
        ("de-DE, de;q=0.9, fr;q=0.5, en;q=0.4", "fr"),
        ("en;q=0.2, fr;q=0.7", "fr"),
        ("FR-ca", "fr"),
        ("de, it", "en"),
        ("", "en"),
        ("fr;q=0, en", "en"),
        ("fr;q=0", "en"),
        ("de, *;q=0.1", "en"),
        ("fr;q=oops, en;q=0.1", "en"),
        ("fr;q=0.5, en;q=0.5", "fr"),
        (" , ;q=1, fr ", "fr"),
    ],
)
def test_negotiate(header: str, expected: str) -> None:
    assert negotiate(header, DECLARED) == expected


def test_first_declared_language_is_the_fallback() -> None:
    assert negotiate("de", ["fr", "en"]) == "fr"
    assert negotiate("*", ["fr", "en"]) == "fr"


def test_query_wins_over_header() -> None:
    assert choose_language("en", "fr", DECLARED) == "en"
    assert choose_language("FR", "en", DECLARED) == "fr"


def test_unsupported_query_falls_back_to_header_then_first() -> None:
    assert choose_language("de", "fr", DECLARED) == "fr"
    assert choose_language("de", None, DECLARED) == "en"
    assert choose_language("", None, ["fr"]) == "fr"
