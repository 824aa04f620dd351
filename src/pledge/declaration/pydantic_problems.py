"""Turning Pydantic's validation errors into `file:line:col: what — hint` problems."""

from __future__ import annotations

import difflib
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from pledge.declaration.yaml_source import PathKey, YamlDocument
from pledge.errors import Problem


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A did-you-mean hint, or an empty string when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def dotted(path: PathKey) -> str:
    return ".".join(str(p) for p in path) or "the top level"


def problems_from(
    error: ValidationError, doc: YamlDocument, root: type[BaseModel]
) -> list[Problem]:
    return [_problem(detail, doc, root) for detail in error.errors(include_url=False)]


def _problem(detail: ErrorDetails, doc: YamlDocument, root: type[BaseModel]) -> Problem:
    loc: PathKey = tuple(detail["loc"])
    kind = detail["type"]
    value = detail.get("input")
    if kind == "extra_forbidden":
        parent, key = loc[:-1], str(loc[-1])
        allowed = sorted(_fields_at(root, parent))
        hint = suggest(key, allowed) or "allowed here: " + ", ".join(allowed)
        return Problem(doc.where(loc, key=True), f"unknown key '{key}' in {dotted(parent)}", hint)
    if kind == "missing":
        parent, key = loc[:-1], str(loc[-1])
        where = doc.where(parent, key=True) if parent else doc.where(())
        return Problem(where, f"missing key '{key}' in {dotted(parent)}", _missing_hint(key))
    where = doc.where(loc)
    if kind == "literal_error":
        expected = str(detail.get("ctx", {}).get("expected", ""))
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",")]
        hint = suggest(str(value), choices) or f"expected one of: {', '.join(choices)}"
        return Problem(where, f"{dotted(loc)}: {value!r} is not allowed", hint)
    if kind == "value_error":
        message, _, hint = str(detail["msg"]).removeprefix("Value error, ").partition(" — ")
        return Problem(where, f"{dotted(loc)}: {message}", hint)
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return Problem(where, f"{dotted(loc)} must be a mapping of keys to values", "")
    if kind == "list_type":
        return Problem(where, f"{dotted(loc)} must be a list", "write it as [a, b] or '- a' lines")
    return Problem(where, f"{dotted(loc)}: {detail['msg'][0].lower()}{detail['msg'][1:]}", "")


def _missing_hint(key: str) -> str:
    hints = {
        "legal_basis": "every activity needs a legal basis, e.g. 'legal_basis: contract'",
        "pledge": "start the file with 'pledge: 1' (the format version)",
    }
    return hints.get(key, "")


def _fields_at(root: type[BaseModel], path: PathKey) -> set[str]:
    current: Any = root
    for part in path:
        current = _step(current, part)
        if current is None:
            return set()
    model = _model_in(current)
    return set(model.model_fields) if model else set()


def _step(annotation: Any, part: str | int) -> Any:
    model = _model_in(annotation)
    if model is not None:
        field = model.model_fields.get(str(part))
        return field.annotation if field else None
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
