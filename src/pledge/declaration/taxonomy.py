"""The built-in taxonomy of personal-data categories, read from `taxonomy.yaml`.

A declaration names these categories by dotted id (`contact.email`) and may add its own.
Each one carries notice-ready words in English and French, its California category
(Cal. Civ. Code 1798.140(v), letters A to K), whether the CPRA treats it as sensitive,
whether the GDPR treats it as special-category (or criminal) data, and hints that help map
a database column to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, field_validator
from ruamel.yaml import YAML

CcpaLetter = Literal["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K"]
CCPA_LETTERS: tuple[str, ...] = get_args(CcpaLetter)
TEXT_LANGUAGES = ("en", "fr")
CATEGORY_ID = re.compile(r"[a-z][a-z_]*\.[a-z][a-z0-9_]*")
COLUMN_HINT = re.compile(r"[a-z0-9][a-z0-9_]*")


def _both_languages(value: dict[str, str]) -> dict[str, str]:
    missing = [lang for lang in TEXT_LANGUAGES if not value.get(lang, "").strip()]
    if missing or set(value) != set(TEXT_LANGUAGES):
        raise ValueError(f"needs exactly one non-empty text per language {TEXT_LANGUAGES}")
    return value


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CcpaCategory(_Frozen):
    """One of the eleven categories of personal information the CCPA enumerates."""

    letter: CcpaLetter
    title: dict[str, str]
    description: dict[str, str]

    @field_validator("title", "description")
    @classmethod
    def _languages(cls, value: dict[str, str]) -> dict[str, str]:
        return _both_languages(value)


class BuiltinCategory(_Frozen):
    """A category of personal data Pledge knows without the declaration defining it."""

    id: str
    name: dict[str, str]
    description: dict[str, str]
    ccpa: CcpaLetter | None
    sensitive: bool
    special: bool
    column_hints: list[str]

    @field_validator("name", "description")
    @classmethod
    def _languages(cls, value: dict[str, str]) -> dict[str, str]:
        return _both_languages(value)

    @field_validator("id")
    @classmethod
    def _dotted(cls, value: str) -> str:
        if not CATEGORY_ID.fullmatch(value):
            raise ValueError(f"category id {value!r} must be 'group.item' in lowercase")
        return value

    @field_validator("column_hints")
    @classmethod
    def _hints(cls, value: list[str]) -> list[str]:
        bad = [hint for hint in value if not COLUMN_HINT.fullmatch(hint)]
        if bad:
            raise ValueError(f"column hints must be lowercase words joined by '_': {bad}")
        return value


def _load() -> dict[str, Any]:
    text = files("pledge.declaration").joinpath("taxonomy.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = YAML(typ="safe", pure=True).load(text)
    return data


@cache
def builtin_categories() -> Mapping[str, BuiltinCategory]:
    """Every built-in category by id, in the order the taxonomy file lists them."""
    entries: dict[str, Any] = _load()["categories"]
    return MappingProxyType(
        {key: BuiltinCategory(id=key, **entry) for key, entry in entries.items()}
    )


@cache
def ccpa_categories() -> Mapping[str, CcpaCategory]:
    """The CCPA categories A to K by letter, with their titles and descriptions."""
    entries: dict[str, Any] = _load()["ccpa_categories"]
    return MappingProxyType(
        {letter: CcpaCategory(letter=letter, **entry) for letter, entry in entries.items()}
    )
