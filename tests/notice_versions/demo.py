"""Variants of the demo declaration, made by editing its text as a person would."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pledge.declaration.load import parse_declaration
from pledge.declaration.model import Declaration

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo" / "pledge.yaml"


def demo_text() -> str:
    return DEMO.read_text(encoding="utf-8")


def edit(text: str, *replacements: tuple[str, str]) -> str:
    """`text` with each (old, new) replaced; old must occur exactly once, so edits stay exact."""
    for old, new in replacements:
        count = text.count(old)
        assert count == 1, f"{old!r} occurs {count} times in the demo declaration"
        text = text.replace(old, new)
    return text


def declaration(text: str) -> Declaration:
    return parse_declaration(text, "pledge.yaml").declaration


@cache  # loading YAML with positions is slow, and a Declaration is immutable
def demo(*replacements: tuple[str, str]) -> Declaration:
    return declaration(edit(demo_text(), *replacements))


# The one edit most tests use: customer accounts kept 2 years instead of 3.
SHORTER_RETENTION = ("    duration: 3 years\n", "    duration: 2 years\n")
