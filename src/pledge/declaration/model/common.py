"""Building blocks shared by every part of the declaration model."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)

from pledge.declaration.durations import Duration, parse_duration

LANGUAGES = ("en", "fr")
Language = Literal["en", "fr"]
ANY_LANGUAGE = "*"


class Strict(BaseModel):
    """Every declaration object: unknown keys are errors (typos must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _to_text(value: Any) -> Any:
    # A plain string is the same text in every language; a mapping gives one per language.
    if isinstance(value, str):
        return {ANY_LANGUAGE: value}
    if isinstance(value, dict):
        unknown = [k for k in value if k not in LANGUAGES]
        if unknown:
            raise ValueError(
                f"unknown language {unknown[0]!r} in a translated text; use one of "
                + ", ".join(LANGUAGES)
            )
    return value


def _text_out(value: dict[str, str]) -> str | dict[str, str]:
    return value[ANY_LANGUAGE] if set(value) == {ANY_LANGUAGE} else value


Text = Annotated[
    dict[str, str],
    BeforeValidator(_to_text),
    PlainSerializer(_text_out),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {lang: {"type": "string"} for lang in LANGUAGES},
                    "additionalProperties": False,
                },
            ],
            "description": "Text, or one text per language: {en: ..., fr: ...}",
        }
    ),
]


def text(value: dict[str, str] | None, lang: str) -> str:
    """The text in `lang`, falling back to the language-neutral text, then to any."""
    if not value:
        return ""
    return value.get(lang) or value.get(ANY_LANGUAGE) or next(iter(value.values()))


def _duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    if not isinstance(value, str):
        raise ValueError(
            f"{value!r} is not a duration — write a number and a unit, e.g. '2 years'"
        )
    return parse_duration(value)


DurationField = Annotated[
    Duration,
    PlainValidator(_duration),
    PlainSerializer(str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*(\d+\s+\w+(\s+\w+)?|P\d+[DWMY])\s*$",
            "examples": ["1 week", "30 days", "10 business days", "3 months", "2 years"],
        }
    ),
]

Jurisdiction = Annotated[
    str,
    WithJsonSchema({"type": "string", "enum": ["uk", "eu", "fr", "us-ca", "ca", "ch"]}),
]
