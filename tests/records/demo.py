"""The demo declaration, and variants of it that change one thing for a test."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from pledge.declaration.load import load_declaration, parse_declaration
from pledge.declaration.model import Declaration

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo" / "pledge.yaml"


def demo() -> Declaration:
    return load_declaration(DEMO).declaration


def variant(change: Callable[[dict[str, Any]], None]) -> Declaration:
    """The demo after `change` edits its YAML data, loaded the way a user's file would be."""
    yaml = YAML()  # round-trip: keeps the file's order, which the record follows
    data: dict[str, Any] = yaml.load(DEMO.read_text(encoding="utf-8"))
    change(data)
    out = io.StringIO()
    yaml.dump(data, out)
    return parse_declaration(out.getvalue()).declaration


def with_us_analytics(data: dict[str, Any]) -> None:
    """Analytics also goes to a US processor under SCCs and to an Indian one with nothing."""
    data["recipients"]["acme"] = {
        "name": "Acme Insights Inc.",
        "kind": "processor",
        "country": "US",
        "safeguards": ["scc"],
    }
    data["recipients"]["bharat"] = {
        "name": "Bharat Dashboards",
        "kind": "processor",
        "country": "IN",
    }
    data["activities"]["analytics"]["recipients"] += ["acme", "bharat"]
    data["transfers"]["allowed"] += ["US", "IN"]


def with_archive(data: dict[str, Any]) -> None:
    """Customer accounts, once their 3 years are over, go to the restricted archive for 2."""
    data["retention"]["customer_account"]["archive"] = "2 years"
