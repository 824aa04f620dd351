"""The built-in category taxonomy: complete, bilingual and well-formed."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from pydantic import ValidationError

from pledge.declaration.taxonomy import (
    CCPA_LETTERS,
    BuiltinCategory,
    builtin_categories,
    ccpa_categories,
)

CATEGORIES = builtin_categories()
DOTTED = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z0-9_]*$")
# Categories the five seed companies, the README and the demo declaration rely on.
EXPECTED = [
    "identity.name", "identity.date_of_birth", "identity.government_id", "identity.signature",
    "contact.email", "contact.phone", "contact.postal_address",
    "financial.payment_card", "financial.bank_account", "financial.invoice",
    "financial.transaction", "commercial.purchase_history", "commercial.partner_purchases",
    "commercial.loyalty", "account.credentials", "account.registration", "account.security",
    "preferences.marketing", "online.ip_address", "online.device", "online.usage",
    "online.cookie_id", "online.social_profile", "location.precise", "location.approximate",
    "communications.email", "communications.chat", "communications.call_recording",
    "communications.call_record", "communications.letter", "communications.social_media",
    "communications.sms_fax", "communications.support_ticket", "professional.cv",
    "professional.employment", "professional.situation", "education.history",
    "audiovisual.cctv", "audiovisual.photo", "inference.profile", "special.health",
    "special.biometric", "special.ethnic_origin", "special.political", "special.religion",
    "special.trade_union", "special.sex_life", "special.genetic", "criminal.offences",
    "children.age",
]  # fmt: skip


def test_taxonomy_has_the_expected_categories() -> None:
    assert set(EXPECTED) <= set(CATEGORIES)
    assert 50 <= len(CATEGORIES) <= 70


@pytest.mark.parametrize("category", CATEGORIES.values(), ids=list(CATEGORIES))
def test_category_is_well_formed(category: BuiltinCategory) -> None:
    assert DOTTED.match(category.id)
    for text in (category.name, category.description):
        assert set(text) == {"en", "fr"}
        assert all(value.strip() for value in text.values())
    assert category.ccpa is None or category.ccpa in CCPA_LETTERS
    assert category.column_hints, "every category helps the schema mapper"
    for hint in category.column_hints:
        assert hint == hint.lower()
        assert re.fullmatch(r"[a-z0-9_]+", hint)
    assert len(set(category.column_hints)) == len(category.column_hints)


def test_category_ids_are_unique_in_the_file() -> None:
    text = files("pledge.declaration").joinpath("taxonomy.yaml").read_text(encoding="utf-8")
    ids = re.findall(r"^  ([a-z_]+\.[a-z0-9_]+):$", text, flags=re.MULTILINE)
    assert len(ids) == len(set(ids)) == len(CATEGORIES)


def test_names_are_distinct_in_each_language() -> None:
    for lang in ("en", "fr"):
        names = [c.name[lang] for c in CATEGORIES.values()]
        assert len(names) == len(set(names)), lang


def test_special_and_sensitive_flags() -> None:
    special = {k for k, c in CATEGORIES.items() if c.special}
    assert {k for k in CATEGORIES if k.startswith(("special.", "criminal."))} == special
    sensitive = {k for k, c in CATEGORIES.items() if c.sensitive}
    assert {"location.precise", "identity.government_id", "account.credentials"} <= sensitive
    assert "location.approximate" not in sensitive
    assert "special.political" not in sensitive  # the CPRA list leaves political opinions out


def test_known_ccpa_letters() -> None:
    letters = {k: c.ccpa for k, c in CATEGORIES.items()}
    assert letters["contact.email"] == "A"
    assert letters["online.ip_address"] == "A"
    assert letters["commercial.purchase_history"] == "D"
    assert letters["special.biometric"] == "E"
    assert letters["online.usage"] == "F"
    assert letters["location.precise"] == "G"
    assert letters["communications.call_recording"] == "H"
    assert letters["professional.cv"] == "I"
    assert letters["inference.profile"] == "K"


def test_ccpa_table_has_the_eleven_letters() -> None:
    table = ccpa_categories()
    assert tuple(table) == CCPA_LETTERS == tuple("ABCDEFGHIJK")
    for letter, category in table.items():
        assert category.letter == letter
        for text in (category.title, category.description):
            assert set(text) == {"en", "fr"}
            assert all(value.strip() for value in text.values())


def test_loaders_are_cached_and_read_only() -> None:
    assert builtin_categories() is CATEGORIES
    assert ccpa_categories() is ccpa_categories()
    with pytest.raises(TypeError):
        CATEGORIES["contact.email"] = CATEGORIES["contact.phone"]  # type: ignore[index]  # on purpose
    with pytest.raises(ValidationError):
        CATEGORIES["contact.email"].sensitive = True  # type: ignore[misc]  # on purpose


def test_a_category_missing_a_language_is_refused() -> None:
    with pytest.raises(ValidationError, match="per language"):
        BuiltinCategory(
            id="contact.pager",
            name={"en": "Pager number"},
            description={"en": "Your pager.", "fr": "Votre bipeur."},
            ccpa="B",
            sensitive=False,
            special=False,
            column_hints=["pager"],
        )


def _category(category_id: str, hints: list[str]) -> BuiltinCategory:
    text = {"en": "X", "fr": "X"}
    return BuiltinCategory(
        id=category_id,
        name=text,
        description=text,
        ccpa=None,
        sensitive=False,
        special=False,
        column_hints=hints,
    )


def test_a_bad_id_or_hint_is_refused() -> None:
    assert _category("contact.x", ["x"]).id == "contact.x"
    with pytest.raises(ValidationError, match=r"group\.item"):
        _category("Contact", ["x"])
    with pytest.raises(ValidationError, match=r"group\.item"):
        _category("contact.x.y", ["x"])
    with pytest.raises(ValidationError, match="lowercase"):
        _category("contact.x", ["Email"])
