"""Every key of the declaration model is documented in docs/declaration.md, with an example."""

from __future__ import annotations

import re
import types
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from pledge.declaration.model import Declaration

DOCS = Path(__file__).parents[2] / "docs" / "declaration.md"
HEADING = re.compile(r"^#{2,4} `([^`]+)`", re.MULTILINE)


def _models_in(annotation: Any) -> list[tuple[str, type[BaseModel]]]:
    """The models reachable from an annotation, with the path step they add (`.*` for ids)."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [("", annotation)]
    origin = get_origin(annotation)
    if origin is dict:
        return [(".*" + step, model) for step, model in _models_in(get_args(annotation)[1])]
    if origin is list:
        return [("[]" + step, model) for step, model in _models_in(get_args(annotation)[0])]
    if origin in (Union, types.UnionType):
        return [found for arg in get_args(annotation) for found in _models_in(arg)]
    return []


def model_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys: list[str] = []
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        keys.append(path)
        for step, inner in _models_in(field.annotation):
            keys.extend(model_keys(inner, path + step))
    return keys


def documented_keys() -> dict[str, str]:
    text = DOCS.read_text(encoding="utf-8")
    sections = HEADING.split(text)[1:]
    return dict(zip(sections[0::2], sections[1::2], strict=True))


def test_every_model_key_is_documented() -> None:
    documented = documented_keys()
    missing = [key for key in model_keys(Declaration) if key not in documented]
    assert not missing, f"undocumented declaration keys in {DOCS.name}: {missing}"


def test_no_documented_key_is_stale() -> None:
    known = set(model_keys(Declaration))
    stale = [key for key in documented_keys() if key not in known]
    assert not stale, f"{DOCS.name} documents keys the model no longer has: {stale}"


def test_every_documented_key_shows_an_example() -> None:
    without = [key for key, body in documented_keys().items() if "```yaml" not in body]
    assert not without, f"keys documented without a YAML example: {without}"


def test_key_walk_reaches_nested_models() -> None:
    keys = model_keys(Declaration)
    assert "activities.*.legal_basis" in keys
    assert "sources.*.tables.*.columns.*.erase" in keys
    assert "organisation.registrations[].number" in keys
