"""What Pledge knows about particular people that changes how long their rows are kept.

Some retention clocks start with an event Pledge itself records rather than a date in the
company's tables: an objection or a withdrawal of consent (pledge.rights.decisions), an
account closed or a relationship ended (SubjectEventRow). And a person's legal hold keeps
their rows whatever the rules say. The sweep needs these as keys of rows per table: the
rows of each such person, found with the plan machinery a request uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Key = tuple[Any, ...]
Place = tuple[str, str]  # (source, table)


@dataclass(frozen=True)
class PersonRows:
    """Per table, the rows of people Pledge knows something about.

    `triggers[(source, table)][trigger][key]` is the date a recorded trigger ("objection",
    "consent_withdrawn", "account_closed", "relationship_end", "contract_end") happened for
    the person the row belongs to; `held[(source, table)]` the keys under a person's legal
    hold on the as-of date, and `holds[(source, table)]` the reasons, for the report.
    """

    triggers: Mapping[Place, Mapping[str, Mapping[Key, dt.date]]] = field(default_factory=dict)
    held: Mapping[Place, frozenset[Key]] = field(default_factory=dict)
    holds: Mapping[Place, tuple[str, ...]] = field(default_factory=dict)

    def trigger_dates(self, place: Place, trigger: str) -> Mapping[Key, dt.date]:
        return self.triggers.get(place, {}).get(trigger, {})

    def held_keys(self, place: Place) -> frozenset[Key]:
        return self.held.get(place, frozenset())
