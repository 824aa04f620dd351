"""Turning ids and raw values of a declaration into the words people read.

Works on the JSON form of two declarations (`model_dump(mode="json")`), so an id that
exists only in the older one (a removed recipient) still gets its human name.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from babel import Locale

from pledge.declaration import vocabulary
from pledge.declaration.durations import parse_duration
from pledge.declaration.jurisdictions import UnknownJurisdiction, jurisdiction
from pledge.declaration.model import LANGUAGES, text
from pledge.declaration.taxonomy import builtin_categories
from pledge.declaration.vocabulary import VocabularyKind
from pledge.errors import PledgeError
from pledge.notice_versions.labels import FIELDS, ORGANISATION, SECTIONS, WORDS
from pledge.notice_versions.phrasebook import ENTRIES, SENTENCES

Json = Any  # a value of model_dump(mode="json"): dict, list, str, int, float, bool or None

# What the strings under a field name refer to, wherever that field appears: an id, or a
# code of a kind of `pledge.declaration.vocabulary`. A field name that means different codes
# in different sections (a recipient's or a channel's `kind`) is set per section instead.
REFERENCES: dict[str, str] = {
    "categories": "category", "age_from": "category", "access_match": "category",
    "category": "category", "subjects": "subject", "subject": "subject",
    "collected_from": "origin", "recipients": "recipient", "retention": "retention",
    "withdraw": "channel", "opt_out": "channel", "channels": "channel",
    "activities": "activity", "storage": "country", "country": "country",
    "allowed": "region", "jurisdictions": "jurisdiction", "languages": "language",
    "duration": "duration", "deadline": "duration", "maximum_retention": "duration",
    "lifetime": "lifetime", "trigger": "trigger", "offered": "right",
    "representatives": "jurisdiction", "authorities": "jurisdiction",
    "action": "retention_action", "safeguards": "safeguard", "gpc": "signal_response",
    "dnt": "signal_response", "method": "verification_method", "on_discovery": "on_discovery",
    "requirement": "requirement", "erase": "erasure", "roles": "role", "notify": "change_notice",
}
_TEXT_KEYS = {*LANGUAGES, "*"}
_NAMED_SECTIONS = ("subjects", "origins", "activities", "retention", "recipients")
_SECTION_OF = {
    "subject": "subjects", "recipient": "recipients", "retention": "retention",
    "activity": "activities",
}


def is_text(value: Json) -> bool:
    """A translated text in JSON form: {"en": ..., "fr": ...} (a plain text is a str)."""
    return (
        isinstance(value, dict)
        and bool(value)
        and set(value) <= _TEXT_KEYS
        and all(isinstance(v, str) for v in value.values())
    )


def as_text(value: Json) -> dict[str, str]:
    if isinstance(value, str):
        return {"*": value}
    return dict(value) if is_text(value) else {}


class Wording:
    """The words for one language, with the two declarations to look names up in."""

    def __init__(self, old: dict[str, Json], new: dict[str, Json], lang: str) -> None:
        base = lang.replace("_", "-").split("-")[0].lower()
        if base not in SENTENCES:
            raise PledgeError(
                f"changes cannot be described in {lang!r}", "use one of: " + ", ".join(SENTENCES)
            )
        self.lang = base
        self.old, self.new = old, new

    # Phrases
    def say(self, key: str, **parts: str) -> str:
        return SENTENCES[self.lang][key].format(**parts)

    def entry(self, section: str) -> tuple[str, str, str]:
        return ENTRIES[self.lang][section]

    def section(self, name: str) -> str:
        return SECTIONS[self.lang].get(name, name.replace("_", " ").capitalize())

    def organisation_field(self, name: str) -> str | None:
        return ORGANISATION[self.lang].get(name)

    def field(self, name: str) -> str:
        return FIELDS[self.lang].get(name, name.replace("_", " "))

    def word(self, key: str) -> str:
        return WORDS[self.lang][key]

    def items(self, values: list[str]) -> str:
        return self.word("and").join(values)

    def quoted(self, value: str) -> str:
        return f"{self.word('open')}{value}{self.word('close')}"

    # Values
    def text(self, value: Json) -> str:
        return text(as_text(value), self.lang)

    def code(self, kind: VocabularyKind, raw: str) -> str:
        """A code in words; one this version of Pledge does not know reads as written."""
        if vocabulary.known(kind, raw):
            return vocabulary.label(kind, raw, self.lang)
        return raw.replace("_", " ")

    def right(self, raw: str) -> str:
        return self.code("right", raw)

    def duration(self, raw: str | None, missing: str = "none") -> str:
        return parse_duration(raw).describe(self.lang) if raw else self.word(missing)

    def country(self, code: str) -> str:
        return _territories(self.lang).get(code, code)

    def region(self, code: str) -> str:
        return self.code("region", code) if code.islower() else self.country(code)

    def language(self, code: str) -> str:
        return _languages(self.lang).get(code, code)

    def jurisdiction(self, code: str) -> str:
        if code == "*":
            return self.word("everywhere")
        try:
            return text(jurisdiction(code).name, self.lang)
        except UnknownJurisdiction:
            return code

    def bases(self, value: Json) -> str:
        """Legal bases, one list per jurisdiction ("*" for all)."""
        if not isinstance(value, dict):
            return self.word("none")
        per = {
            code: " + ".join(self.code("basis", b) for b in bases) for code, bases in value.items()
        }
        if set(per) == {"*"}:
            return per["*"]
        colon = self.word("colon")
        return "; ".join(f"{self.jurisdiction(code)}{colon}{words}" for code, words in per.items())

    def period(self, rule: Json) -> str:
        """A retention period in words: "3 years from last contact"."""
        if not isinstance(rule, dict):
            return self.word("none")
        trigger = rule.get("trigger")
        if not (isinstance(trigger, str) and vocabulary.known("trigger", trigger)):
            trigger = None
        duration = parse_duration(rule["duration"]) if rule.get("duration") else None
        said = vocabulary.period(duration, trigger, self.lang)
        if duration is not None:
            return said
        return self.text(rule.get("criteria")) or said or self.word("no_period")

    # Names
    def name(self, section: str, key: str, *, older: bool = False) -> str:
        """The human name of entry `key` of `section`, as the newer (or older) one has it."""
        if section == "categories":
            return self.ref("category", key, older=older)
        if section in _NAMED_SECTIONS:
            entry = self._entry(section, key, older=older)
            return self.text(entry.get("name")) or key
        if section == "channels":
            return self.ref("channel", key, older=older)
        if section == "offered":
            return self.right(key)
        if section in ("representatives", "authorities"):
            return self.jurisdiction(key)
        if section == "extra_sections":
            return self.text(self._extra_section(key).get("title")) or key
        return key

    def ref(self, kind: str, raw: str, *, older: bool = False) -> str:
        """Words for an id or value that a field of kind `kind` holds."""
        if kind == "category":
            custom = self._entry("categories", raw, older=older)
            if custom:
                return self.text(custom.get("name")) or raw
            builtin = builtin_categories().get(raw)
            return text(builtin.name, self.lang) if builtin else raw
        if kind in _SECTION_OF:
            return self.text(self._entry(_SECTION_OF[kind], raw).get("name")) or raw
        if kind == "origin":
            entry = self._entry("origins", raw)
            return self.text(entry.get("name")) if entry else self.code("origin", raw)
        if kind == "channel":
            channel = self._entry("channels", raw, older=older)
            kind = self.code("channel_kind", str(channel.get("kind", raw)))
            address = channel.get("address")
            return self.text(channel.get("name")) or (f"{kind} ({address})" if address else kind)
        return self._simple_ref(kind, raw)

    def _simple_ref(self, kind: str, raw: str) -> str:
        if kind == "country":
            return self.country(raw)
        if kind == "region":
            return self.region(raw)
        if kind == "jurisdiction":
            return self.jurisdiction(raw)
        if kind == "language":
            return self.language(raw)
        if kind == "duration":
            return self.duration(raw)
        if kind == "lifetime":
            return self.word("session") if raw == "session" else self.duration(raw)
        if kind == "trigger":
            known = vocabulary.known("trigger", raw)
            return vocabulary.since(raw, self.lang) if known else raw
        if vocabulary.is_kind(kind):
            return self.code(kind, raw)
        return raw

    def _extra_section(self, key: str) -> dict[str, Json]:
        for declaration in (self.new, self.old):
            sections = (declaration.get("notice") or {}).get("extra_sections") or {}
            if isinstance(sections.get(key), dict):
                return dict(sections[key])
        return {}

    def _entry(self, section: str, key: str, *, older: bool = False) -> dict[str, Json]:
        for declaration in (self.old, self.new) if older else (self.new, self.old):
            entry = (declaration.get(section) or {}).get(key)
            if isinstance(entry, dict):
                return entry
        return {}


@cache
def _territories(lang: str) -> dict[str, str]:
    return dict(Locale.parse(lang).territories)


@cache
def _languages(lang: str) -> dict[str, str]:
    return dict(Locale.parse(lang).languages)
