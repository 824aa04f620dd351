"""The built-in vocabularies are documented in docs/declaration.md, and documented right.

The reference lists things Pledge knows without being told: the category taxonomy, the CCPA
letters, the jurisdiction profiles, the allowed values of every key with a fixed list, and the
lint rules. Each list here is read from the code or its data file, so a category, a value or
a rule added there fails this test until the docs describe it.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from pledge.declaration.jurisdictions import jurisdiction, jurisdiction_codes
from pledge.declaration.lint import RULES
from pledge.declaration.model import Declaration
from pledge.declaration.taxonomy import builtin_categories, ccpa_categories
from tests.docs.test_declaration_docs import DOCS, _models_in, documented_keys

CATEGORIES = "Personal-data categories"
# | `contact.email` | Email address | A | ... (the CCPA cell is a dash when no letter fits)
TAXONOMY_ROW = re.compile(r"^\| `([a-z_]+\.[a-z0-9_]+)` \| ([^|]+?) \| ([A-K—]) \|", re.M)
LETTER_ROW = re.compile(r"^\| ([A-K]) \| ([^|]+?) \|$", re.M)
JURISDICTION_ROW = re.compile(r"^\| `([a-z-]+)` \|(.*)$", re.M)
SAME_AS_UK = "the same nine as `uk`"
LINT_ROW = re.compile(r"^\| `([A-Z]+(?:-[A-Z]+)+)` \|", re.M)


def _section(title: str) -> str:
    """The introduction section of declaration.md headed `## {title}`, up to the next one."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = re.compile(r"^#{1,2} ", re.M).search(text, start + len(title) + 5)
    return text[start : end.start() if end else len(text)]


def test_every_builtin_category_has_its_row() -> None:
    table = TAXONOMY_ROW.findall(_section(CATEGORIES))
    rows = {key: (name, letter) for key, name, letter in table}
    wrong = []
    for key, category in builtin_categories().items():
        expected = (category.name["en"], category.ccpa or "—")
        if rows.get(key) != expected:
            wrong.append(f"{key}: documented {rows.get(key)}, taxonomy says {expected}")
    assert not wrong, "taxonomy table in declaration.md is out of date:\n" + "\n".join(wrong)


def test_no_documented_category_is_unknown() -> None:
    documented = {key for key, _, _ in TAXONOMY_ROW.findall(_section(CATEGORIES))}
    stale = sorted(documented - set(builtin_categories()))
    assert not stale, f"declaration.md lists categories the taxonomy lacks: {stale}"


def test_ccpa_letters_have_their_titles() -> None:
    rows = dict(LETTER_ROW.findall(_section(CATEGORIES)))
    expected = {letter: entry.title["en"] for letter, entry in ccpa_categories().items()}
    assert rows == expected


def test_every_jurisdiction_has_a_row_with_its_age_and_authority() -> None:
    rows = dict(JURISDICTION_ROW.findall(_section("Jurisdictions")))
    wrong = []
    for code in jurisdiction_codes():
        profile = jurisdiction(code)
        row = rows.get(code, "")
        cells = [cell.strip() for cell in row.split("|")]
        authority = profile.authority.name["en"] if profile.authority else "none"
        if str(profile.child_age) not in cells or not any(
            cell.startswith(authority) for cell in cells
        ):
            wrong.append(f"{code}: needs child age {profile.child_age} and '{authority}'")
        if SAME_AS_UK in row:
            # The row points at the uk row instead of listing the rights: they must be equal.
            if set(profile.rights) != set(jurisdiction("uk").rights):
                wrong.append(f"{code}: says '{SAME_AS_UK}' but its rights differ")
            continue
        missing = [right for right in profile.rights if f"`{right}`" not in row]
        if missing:
            wrong.append(f"{code}: rights not listed: {missing}")
    assert not wrong, "jurisdiction table in declaration.md:\n" + "\n".join(wrong)


def _literals(annotation: Any) -> Iterator[object]:
    """Every Literal value in an annotation, not looking inside nested models."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return
    origin = get_origin(annotation)
    if origin is Literal:
        yield from get_args(annotation)
        return
    if origin is Annotated:
        yield from _literals(get_args(annotation)[0])
        return
    if origin in (list, dict, Union, types.UnionType):
        for arg in get_args(annotation):
            yield from _literals(arg)


def _keys_with_values(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, list[str]]]:
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        values = [str(value) for value in _literals(field.annotation)]
        if values:
            yield path, values
        for step, inner in _models_in(field.annotation):
            yield from _keys_with_values(inner, path + step)


def test_every_allowed_value_is_documented_under_its_key() -> None:
    documented = documented_keys()
    missing = [
        f"{key}: `{value}`"
        for key, values in _keys_with_values(Declaration)
        for value in values
        if f"`{value}`" not in documented.get(key, "")
    ]
    assert not missing, "allowed values not documented under their key:\n" + "\n".join(missing)


def test_value_walk_finds_the_fixed_lists() -> None:
    found = dict(_keys_with_values(Declaration))
    assert "legitimate_interests" in found["activities.*.legal_basis"]
    assert "delete_row" in found["sources.*.tables.*.columns.*.erase"]
    assert "minors_removal" in found["rights.offered"]


def test_every_lint_rule_is_in_the_checks_table() -> None:
    documented = set(LINT_ROW.findall(_section("Checks: errors and warnings")))
    assert sorted(set(RULES) - documented) == [], "lint rules missing from declaration.md"
    assert sorted(documented - set(RULES)) == [], "declaration.md lists unknown lint rules"
