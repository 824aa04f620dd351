"""Turning Pydantic's validation errors into `file:line:col: what — hint` problems."""

from __future__ import annotations

import difflib
import re
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from pledge.declaration.model.common import Text
from pledge.declaration.yaml_source import PathKey, YamlDocument
from pledge.errors import Position, Problem

# Pydantic's markers inside a location: "*" is our any-jurisdiction legal basis, "[key]"
# means the error is about a mapping's key rather than its value.
ANY = "*"
KEY = "[key]"

# What a value of a given field is, to say "'x' is not a legal basis" instead of "not allowed".
NOUNS = {
    "legal_basis": "a legal basis",
    "trigger": "a retention trigger",
    "offered": "a right",
    "kind": "a kind",
    "action": "a retention action",
    "category": "a category",
    "erase": "an erasure action",
    "requirement": "a requirement",
    "safeguards": "a safeguard",
    "roles": "a role",
    "notify": "a notification channel",
    "languages": "a language",
    "gpc": "a signal setting",
    "dnt": "a signal setting",
    "on_discovery": "an action",
    "method": "a verification method",
}

# Fields constrained by a regular expression, and what the expression means.
PATTERNS = {
    r"^[A-Z]{2}$": (
        "is not a country code",
        "use the two-letter ISO 3166-1 code in capitals, e.g. GB, FR, US",
    ),
    r"^[A-Z_][A-Z0-9_]*$": (
        "is not an environment variable name",
        "name the variable that holds the value, e.g. SHOP_DATABASE_URL (capitals, digits, "
        "'_'); never write the secret itself here",
    ),
}


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A did-you-mean hint, or an empty string when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def dotted(path: PathKey) -> str:
    return ".".join(str(p) for p in path) or "the top level"


def problems_from(
    error: ValidationError, doc: YamlDocument, root: type[BaseModel]
) -> list[Problem]:
    details = error.errors(include_url=False)
    typos = _typo_targets(details, root)
    problems = []
    for detail in details:
        loc = tuple(detail["loc"])
        if detail["type"] == "missing" and (loc[:-1], str(loc[-1])) in typos:
            continue  # the misspelt key next to it already explains this one
        problems.append(_problem(detail, doc, root))
    return problems


def _typo_targets(details: list[ErrorDetails], root: type[BaseModel]) -> set[tuple[PathKey, str]]:
    """(parent, key) pairs where an unknown key is a near miss of `key`."""
    targets = set()
    for detail in details:
        if detail["type"] == "extra_forbidden":
            parent, key = tuple(detail["loc"][:-1]), str(detail["loc"][-1])
            close = difflib.get_close_matches(key, sorted(_fields_at(root, parent)), n=1)
            if close:
                targets.add((parent, close[0]))
    return targets


def _problem(detail: ErrorDetails, doc: YamlDocument, root: type[BaseModel]) -> Problem:
    raw: PathKey = tuple(detail["loc"])
    loc: PathKey = tuple(p for p in raw if p != ANY)
    kind = detail["type"]
    value = detail.get("input")
    ctx = detail.get("ctx", {})
    if kind == "extra_forbidden":
        parent, key = loc[:-1], str(loc[-1])
        allowed = sorted(_fields_at(root, parent))
        hint = suggest(key, allowed) or "allowed here: " + ", ".join(allowed)
        return Problem(doc.where(loc, key=True), f"unknown key '{key}' in {dotted(parent)}", hint)
    if kind == "missing":
        parent, key = loc[:-1], str(loc[-1])
        where = doc.where(parent, key=True) if parent else doc.where(())
        hint = _missing_hint(key) or f"add '{key}: ...' under {dotted(parent)}"
        return Problem(where, f"missing key '{key}' in {dotted(parent)}", hint)
    if loc and loc[-1] == KEY:
        return _key_problem(kind, value, ctx, loc[:-1], doc)
    if loc and isinstance(loc[-1], int) and loc not in doc.value_positions:
        loc = loc[:-1]  # one value the model turned into a list: `legal_basis: contract`
    where = doc.where(loc)
    field = _field_name(loc)
    if kind == "literal_error":
        choices = _choices(str(ctx.get("expected", "")))
        if field == "pledge" and loc == ("pledge",):
            return _format_version(value, where)
        noun = _noun(loc, "an accepted value")
        if isinstance(value, str | int | float):
            hint = _quoted_hint(value, choices) or suggest(str(value), choices)
            hint = hint or f"use one of: {', '.join(choices)}"
            return Problem(where, f"{dotted(loc)}: {value!r} is not {noun}", hint)
        hint = f"use one of: {', '.join(choices)}"
        return Problem(where, f"{dotted(loc)}: expected {noun}", hint)
    if kind == "value_error":
        message, _, hint = str(detail["msg"]).removeprefix("Value error, ").partition(" — ")
        language = re.match(r"unknown language '(.+?)' in a translated text; (.*)", message)
        if language:
            where = doc.where((*loc, language[1]), key=True)
            message, hint = f"unknown language '{language[1]}' in a translated text", language[2]
        return Problem(where, f"{dotted(loc)}: {message}", hint)
    if kind == "string_pattern_mismatch":
        wording, hint = PATTERNS.get(str(ctx.get("pattern")), ("has the wrong form", ""))
        return Problem(where, f"{dotted(loc)}: {value!r} {wording}", hint)
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _mapping_problem(value, loc, where, root)
    if kind == "list_type":
        return Problem(where, f"{dotted(loc)} must be a list", "write it as [a, b] or '- a' lines")
    if kind == "too_short":
        return Problem(
            where,
            f"{dotted(loc)} is empty",
            f"give at least {ctx.get('min_length', 1)} entry, e.g. [{_example(field)}]",
        )
    if kind in ("string_type", "int_type", "int_parsing", "bool_type", "bool_parsing"):
        expected = {"s": "text", "i": "a whole number", "b": "true or false"}[kind[0]]
        hint = "put it in quotes" if kind == "string_type" and value is not None else ""
        return Problem(where, f"{dotted(loc)}: expected {expected}, not {value!r}", hint)
    if kind.startswith(("date_", "datetime_")):
        hint = "write it as YYYY-MM-DD, e.g. 2026-01-31"
        return Problem(where, f"{dotted(loc)}: {value!r} is not a date", hint)
    if kind in ("less_than_equal", "greater_than_equal"):
        bound = "at most" if kind == "less_than_equal" else "at least"
        limit = ctx.get("le", ctx.get("ge"))
        return Problem(where, f"{dotted(loc)}: {value!r} is out of range", f"use {bound} {limit}")
    return Problem(where, f"{dotted(loc)}: {detail['msg'][0].lower()}{detail['msg'][1:]}", "")


def _key_problem(
    kind: str, value: Any, ctx: Any, loc: PathKey, doc: YamlDocument
) -> Problem:
    where = doc.where(loc, key=True)
    parent = loc[:-1]
    if kind == "literal_error":
        choices = _choices(str(ctx.get("expected", "")))
        noun = _noun(parent, "an accepted key")
        hint = suggest(str(value), choices) or f"use one of: {', '.join(choices)}"
        return Problem(where, f"{dotted(parent)}: {value!r} is not {noun}", hint)
    return Problem(where, f"{dotted(parent)}: the key {value!r} must be text", "put it in quotes")


def _format_version(value: Any, where: Position) -> Problem:
    if isinstance(value, str) and value.strip() == "1":
        message = "pledge: the format version is the number 1, not the text '1'"
        return Problem(where, message, "remove the quotes")
    return Problem(
        where,
        f"pledge: unsupported format version {value!r}",
        "this version of Pledge reads format 1: write 'pledge: 1'",
    )


def _mapping_problem(value: Any, loc: PathKey, where: Position, root: type[BaseModel]) -> Problem:
    annotation = _annotation_at(root, loc)
    if value is None:
        hint = "write the value after the colon, or remove the key"
        return Problem(where, f"{dotted(loc)} has no value", hint)
    if _field_name(loc) == "legal_basis":
        return Problem(
            where,
            f"{dotted(loc)}: expected a basis, a list of bases, or one per jurisdiction",
            "e.g. 'legal_basis: contract' or 'legal_basis: {uk: consent, us-ca: contract}'",
        )
    if _is_text(annotation):
        hint = "put it in quotes"
        if isinstance(value, list | dict):
            hint = "write one text, or one per language: {en: ..., fr: ...}"
        return Problem(where, f"{dotted(loc)}: expected text, not {value!r}", hint)
    hint = "write 'key: value' lines indented below it"
    return Problem(where, f"{dotted(loc)} must be a mapping of keys to values", hint)


def _choices(expected: str) -> list[str]:
    return [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",") if c.strip()]


def _quoted_hint(value: Any, choices: list[str]) -> str:
    # `pledge: '1'` or `minimum_age: "13"`: right value, wrong type.
    if isinstance(value, str) and value in choices and not value.isidentifier():
        return "remove the quotes"
    return ""


def _noun(loc: PathKey, default: str) -> str:
    # The nearest field with a name for its values: legal_basis.uk -> "a legal basis".
    for part in reversed(loc):
        if isinstance(part, str) and part in NOUNS:
            return NOUNS[part]
    return default


def _field_name(loc: PathKey) -> str:
    named = [p for p in loc if isinstance(p, str) and p not in (ANY, KEY)]
    return named[-1] if named else ""


def _example(field: str) -> str:
    return {"jurisdictions": "uk", "subjects": "customer", "categories": "contact.email"}.get(
        field, "..."
    )


def _missing_hint(key: str) -> str:
    hints = {
        "legal_basis": "every activity needs a legal basis, e.g. 'legal_basis: contract'",
        "pledge": "start the file with 'pledge: 1' (the format version)",
        "organisation": "say who the controller is: 'organisation:' with name, country and "
        "jurisdictions",
        "jurisdictions": "list the laws that apply, e.g. 'jurisdictions: [uk, eu]'",
    }
    return hints.get(key, "")


_TEXT_MARK = get_args(Text)[1]  # the validator that makes a field translated text


def _is_text(annotation: Any) -> bool:
    if get_origin(annotation) is Annotated:
        return _TEXT_MARK in get_args(annotation)[1:]
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is_text(arg) for arg in get_args(annotation))
    return False


def _annotation_at(root: type[BaseModel], path: PathKey) -> Any:
    current: Any = root
    for part in path:
        current = _step(current, part)
        if current is None:
            return None
    return current


def _fields_at(root: type[BaseModel], path: PathKey) -> set[str]:
    model = _model_in(_annotation_at(root, path))
    return set(model.model_fields) if model else set()


def _step(annotation: Any, part: str | int) -> Any:
    model = _model_in(annotation)
    if model is not None:
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        # Pydantic moves a field's Annotated extras into `metadata`; put them back.
        if not field.metadata:
            return field.annotation
        return Annotated[(field.annotation, *field.metadata)]
    args = get_args(_unwrap(annotation))
    origin = get_origin(_unwrap(annotation))
    if origin is dict and len(args) == 2:
        return args[1]
    if origin is list and args:
        return args[0]
    return None


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _model_in(annotation: Any) -> type[BaseModel] | None:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            found = _model_in(arg)
            if found:
                return found
    return None
