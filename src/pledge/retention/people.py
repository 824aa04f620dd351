"""What Pledge knows about particular people that changes how long their rows are kept.

Some retention clocks start with an event Pledge itself records rather than a date in the
company's tables: an objection or a withdrawal of consent (pledge.rights.decisions), an
account closed or a relationship ended (SubjectEventRow). And a person's legal hold keeps
their rows whatever the rules say. The sweep needs these as keys of rows per table: the
rows of each such person, found with the plan machinery a request uses.

`person_rows` gathers them. Cost: ONE run of the access plan per known person (everyone
with a decision in force, a recorded event or a legal hold), read-only, each a few
statements per source, and one query of the store per held person; the plan itself is
built once per identity kind and reused with each person's value. It grows with the
number of such people, not with the size of the tables, and runs once per sweep. The rows
under a restriction of processing need no plan: their keys were marked when it was carried
out, and ONE query of the store reads them (pledge.retention.restrictions).

- A decision counts from the day it was made, the first one when there are several; an
  objection or a withdrawal for one activity applies to the tables of that activity only
  (one for every activity, to every table).
- An event counts from the day it happened, the latest when there are several (the account
  closed last); one dated after the as-of day has not happened.
- A hold applies to the tables of its scope (all when empty) while it is in force. Its rows
  include those the person's erasure requests kept under a hold, by the keys the request
  keeps sealed in its journal (pledge.retention.hold_release): once the erasure anonymised
  the row that led to them (their customer row), the person's email no longer finds them.
- Only the person's own rows count, never rows shared with someone else, and only in tables
  with a primary key: a key is the tuple of the row's primary key values, in key order.
- A restriction keeps the rows it marked while it is in force; they stay keyed as the marks
  keep them (JSON values), and the sweep reads them as values of the key's columns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pledge.declaration.model import Declaration
from pledge.retention.events import CLOCK_EVENTS
from pledge.retention.hold_release import kept_keys
from pledge.retention.holds import active_holds, hold_places
from pledge.retention.restrictions import restricted_rows
from pledge.services import Services
from pledge.sources.access import execute_access
from pledge.sources.plan import Plan, build_plan
from pledge.store.tables import SubjectDecisionRow, SubjectEventRow

Key = tuple[Any, ...]
Place = tuple[str, str]  # (source, table)


@dataclass(frozen=True)
class PersonRows:
    """Per table, the rows of people Pledge knows something about.

    `triggers[(source, table)][trigger][key]` is the date a recorded trigger ("objection",
    "consent_withdrawn", "account_closed", "relationship_end", "contract_end") happened for
    the person the row belongs to; `held[(source, table)]` the keys under a person's legal
    hold on the as-of date, and `holds[(source, table)]` the reasons, for the report.
    `restricted[(source, table)]` are the keys, as marked, of rows under a restriction of
    processing in force (pledge.retention.restrictions).
    """

    triggers: Mapping[Place, Mapping[str, Mapping[Key, dt.date]]] = field(default_factory=dict)
    held: Mapping[Place, frozenset[Key]] = field(default_factory=dict)
    holds: Mapping[Place, tuple[str, ...]] = field(default_factory=dict)
    restricted: Mapping[Place, frozenset[Key]] = field(default_factory=dict)

    def trigger_dates(self, place: Place, trigger: str) -> Mapping[Key, dt.date]:
        return self.triggers.get(place, {}).get(trigger, {})

    def held_keys(self, place: Place) -> frozenset[Key]:
        return self.held.get(place, frozenset())

    def restricted_keys(self, place: Place) -> frozenset[Key]:
        return self.restricted.get(place, frozenset())

    def keeps(self, place: Place) -> bool:
        """Whether some row of the table is kept for its person: held, or restricted."""
        return bool(self.held_keys(place) or self.restricted_keys(place))


# A decision's kind -> the trigger it is, as rules name triggers.
DECISION_TRIGGERS: Mapping[str, str] = {"objection": "objection", "withdrawal": "consent_withdrawn"}
Identity = tuple[str, str]  # (kind, value), as the store names a person


@dataclass
class _Known:
    """What the store says of one person: trigger dates (per activity or all) and holds."""

    # trigger -> activity (None: every activity) -> date
    decisions: dict[str, dict[str | None, dt.date]] = field(default_factory=dict)
    events: dict[str, dt.date] = field(default_factory=dict)
    held: dict[Place, list[str]] = field(default_factory=dict)  # table -> reasons


def person_rows(
    session: Session, declaration: Declaration, services: Services, *, as_of: dt.datetime
) -> PersonRows:
    """The rows of every person Pledge knows something about, per table, on `as_of`."""
    restricted = restricted_rows(session, as_of=as_of)
    people = _known_people(session, declaration, as_of)
    kinds = _identity_kinds(declaration)
    people = {who: known for who, known in people.items() if who[0] in kinds}
    if not people:
        return PersonRows(restricted=restricted)
    schemas, engines = services.schemas(), services.engines()
    plans: dict[str, Plan] = {}
    triggers: dict[Place, dict[str, dict[Key, dt.date]]] = {}
    held: dict[Place, set[Key]] = {}
    holds: dict[Place, dict[str, None]] = {}
    for (kind, value), known in sorted(people.items()):
        if kind not in plans:
            plans[kind] = build_plan(declaration, schemas, {kind: [value]})
        # The plan's statements depend on the kinds given, not on the values.
        plan = dataclasses.replace(plans[kind], identity={kind: (value,)})
        for table in execute_access(plan, engines).tables:
            if not table.rows or not table.key:
                continue
            place = (table.source, table.table)
            keys = [tuple(row[c] for c in table.key) for row in table.rows]
            activities = declaration.sources[table.source].tables[table.table].activities
            for trigger, day in _dates(known, activities).items():
                # Two people on one row: a decision counts from the first, an event the last.
                first = trigger in DECISION_TRIGGERS.values()
                dates = triggers.setdefault(place, {}).setdefault(trigger, {})
                for key in keys:
                    before = dates.get(key, day)
                    dates[key] = min(before, day) if first else max(before, day)
            if place in known.held:
                _hold(held, holds, place, keys, known.held[place])
        if known.held:
            # Rows an erasure kept under a hold, which the values above may no longer find.
            kept = kept_keys(session, value, set(known.held), services.keys.package)
            for place, kept_rows in kept.items():
                _hold(held, holds, place, kept_rows, known.held[place])
    return PersonRows(
        triggers=triggers,
        held={place: frozenset(keys) for place, keys in held.items()},
        holds={place: tuple(reasons) for place, reasons in holds.items()},
        restricted=restricted,
    )


def _hold(
    held: dict[Place, set[Key]],
    holds: dict[Place, dict[str, None]],
    place: Place,
    keys: Iterable[Key],
    reasons: list[str],
) -> None:
    held.setdefault(place, set()).update(keys)
    holds.setdefault(place, {}).update(dict.fromkeys(reasons))


def _dates(known: _Known, activities: list[str]) -> dict[str, dt.date]:
    """The person's trigger dates that apply to a table of these activities."""
    dates: dict[str, dt.date] = dict(known.events)
    for trigger, by_activity in known.decisions.items():
        days = [d for a, d in by_activity.items() if a is None or a in activities]
        if days:
            dates[trigger] = min(days)
    return dates


def _known_people(
    session: Session, declaration: Declaration, as_of: dt.datetime
) -> dict[Identity, _Known]:
    """Everyone with a decision in force, a clock event or a hold on `as_of`: three queries."""
    day = as_of.date()
    people: dict[Identity, _Known] = {}
    decision = SubjectDecisionRow
    in_force = session.execute(
        select(
            decision.identity_kind,
            decision.identity_value,
            decision.kind,
            decision.activity,
            decision.decided_at,
        ).where(
            decision.kind.in_(list(DECISION_TRIGGERS)),
            decision.decided_at <= as_of,
            or_(decision.lifted_at.is_(None), decision.lifted_at > as_of),
        )
    )
    for kind, value, decision_kind, activity, decided_at in in_force:
        known = people.setdefault((kind, value), _Known())
        by_activity = known.decisions.setdefault(DECISION_TRIGGERS[decision_kind], {})
        decided = decided_at.astimezone(dt.UTC).date()
        by_activity[activity] = min(by_activity.get(activity, decided), decided)
    event = SubjectEventRow
    happened = session.execute(
        select(event.identity_kind, event.identity_value, event.kind, event.occurred_on).where(
            event.kind.in_(CLOCK_EVENTS), event.occurred_on <= day
        )
    )
    for kind, value, event_kind, occurred_on in happened:
        known = people.setdefault((kind, value), _Known())
        known.events[event_kind] = max(known.events.get(event_kind, occurred_on), occurred_on)
    for hold in active_holds(session, as_of=day):
        known = people.setdefault((hold.identity_kind, hold.identity_value), _Known())
        for place in hold_places(declaration, hold):
            known.held.setdefault(place, []).append(hold.reason)
    return people


def _identity_kinds(declaration: Declaration) -> set[str]:
    return {
        column.identity
        for source in declaration.sources.values()
        for table in source.tables.values()
        for column in table.columns.values()
        if column.identity
    }
