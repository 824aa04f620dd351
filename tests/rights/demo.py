"""The demo company's declaration (uk, eu, us-ca), and variants of it for one test each."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from pledge.declaration.durations import parse_duration
from pledge.declaration.load import load_declaration
from pledge.declaration.model import Declaration, RightRule

DEMO = Path(__file__).parents[2] / "examples" / "demo" / "pledge.yaml"


@cache
def demo() -> Declaration:
    return load_declaration(DEMO).declaration


def with_approval() -> Declaration:
    base = demo()
    return base.model_copy(update={"rights": base.rights.model_copy(update={"approval": True})})


def with_jurisdictions(*codes: str) -> Declaration:
    base = demo()
    organisation = base.organisation.model_copy(update={"jurisdictions": list(codes)})
    return base.model_copy(update={"organisation": organisation})


def with_deadline(right: str, deadline: str) -> Declaration:
    base = demo()
    offered: dict[str, RightRule] = {str(name): rule for name, rule in base.rights.offered.items()}
    offered[right] = RightRule(deadline=parse_duration(deadline))
    rights = base.rights.model_copy(update={"offered": offered})
    return base.model_copy(update={"rights": rights})


def at(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    """A moment in UTC; noon keeps the local day the same in every jurisdiction."""
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)
