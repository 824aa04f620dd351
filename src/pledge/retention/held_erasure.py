"""An erasure of one source that leaves the tables under a person's legal hold as they are.

A hold on a person (holds.py) keeps their rows in the tables of its scope from a request's
erasure and a child's alike: those tables are taken out of the plan before
pledge.sources.erasure.erase_source runs, and everything else of the person is erased as
usual. A parent row that a held row still refers to is anonymised rather than deleted, as
for any row that stays (erasure_order.py).

The held tables are reported like tables a retention rule holds: their own rows counted as
held, with the holds' reasons (as "legal hold: <reason>") and their end, so the request's
summary lists them under "kept" and the re-check counts them as left on purpose. The rows
are read before the erasure: once the person's row in a parent table is anonymised, the
values that found them may no longer lead there.

The keys of the rows kept go with the values for the re-check (`SourceErasure.recheck`),
one entry "held:<table>" per table: a request erasure keeps them, sealed, in its journal,
and a child's erasure in its ChildErasureRow, until nothing holds those rows any more, and
then erases exactly those rows (hold_release.py, held_child.py). What both finishes share is
here: the plan cut down to the rows kept (`pinned_plan`), the tables an outcome says a hold
kept, and the sentence that says what was finished.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from pledge.declaration.model import Declaration
from pledge.retention.holds import PersonHold, Place
from pledge.sources.access import Params, read_only
from pledge.sources.erasure import SourceErasure, TableErasure, erase_source
from pledge.sources.erasure_sql import key_in
from pledge.sources.own_keys import Key, read_own_keys
from pledge.sources.plan import Plan, SourcePlan, Step
from pledge.sources.plan_sql import SHARED_LABEL
from pledge.sources.schema import SchemaInfo

HOLD_LABEL = "legal hold: "
# Never a bound parameter's name (those are identifiers), so never a seed's values.
HELD_KEYS = "held:"
# Finishes, in one source of a request, the erasure of the tables a legal hold kept once
# nothing holds them ("REF:source"); pledge.retention.hold_release registers it.
FINISH_HELD_JOB = "request.finish_held_erasure"


def erase_source_apart(
    plan: Plan,
    source: str,
    engine: Engine,
    params: Params,
    declaration: Declaration,
    *,
    held: Mapping[Place, PersonHold],
    today: dt.date,
    hash_key: bytes,
    schema: SchemaInfo | None = None,
) -> SourceErasure:
    """`erase_source`, leaving the person's tables that `held` names as they are."""
    source_plan = next((s for s in plan.sources if s.name == source), None)
    steps = source_plan.steps if source_plan is not None else ()
    kept_steps = [step for step in steps if (source, step.table) in held]
    if source_plan is None or not kept_steps:
        done = erase_source(
            plan, source, engine, params, declaration, today=today, hash_key=hash_key, schema=schema
        )
        # Keys of rows held before, should `params` carry them, hold nothing now.
        return dataclasses.replace(done, recheck=without_held_keys(done.recheck))
    found = _read_kept(source_plan, kept_steps, engine, params)
    kept = {
        step.table: _held_table(step, (own, shared), held[(source, step.table)], declaration)
        for step, (own, shared, _) in zip(kept_steps, found, strict=True)
    }
    keys = {
        f"{HELD_KEYS}{step.table}": own_keys
        for step, (_, _, own_keys) in zip(kept_steps, found, strict=True)
        if own_keys
    }
    rest = _without(plan, source, set(kept))
    done = erase_source(
        rest, source, engine, params, declaration, today=today, hash_key=hash_key, schema=schema
    )
    erased = {t.table: t for t in done.tables}
    tables = tuple(
        kept.get(step.table) or erased[step.table]
        for step in steps
        if step.table in kept or step.table in erased
    )
    return SourceErasure(source, tables, {**without_held_keys(done.recheck), **keys})


def held_keys(values: Params) -> dict[str, tuple[Key, ...]]:
    """Per table, the keys of the person's rows a legal hold kept, from an erasure's
    `recheck` (as `erase_source_apart` returns it, and the request's journal keeps it)."""
    return {
        name.removeprefix(HELD_KEYS): tuple(tuple(key) for key in keys)
        for name, keys in values.items()
        if name.startswith(HELD_KEYS)
    }


def without_held_keys(values: Params) -> Params:
    """The values that pick the person's rows, without the keys of the rows held."""
    return {name: found for name, found in values.items() if not name.startswith(HELD_KEYS)}


def pinned_plan(plan: Plan, source: str, pinned: Mapping[str, Sequence[Key]]) -> Plan:
    """The plan with `source` cut down to the rows with these keys, table by table. Each
    step still reads its rows by its whole chain from the person's values (no keys bound
    by the steps before it, which may be gone), so a row is taken only while it is theirs."""

    def pin(step: Step) -> Step:
        statement = step.statement
        table = cast(sa.Table, statement.selected_columns[step.key[0]].table)
        mine = key_in(table, step.key, list(dict.fromkeys(pinned[step.table])))
        return dataclasses.replace(step, statement=statement.where(mine), staged=None)

    sources = tuple(
        dataclasses.replace(
            s,
            steps=tuple(pin(step) for step in s.steps if step.key and pinned.get(step.table)),
            found={},
        )
        if s.name == source
        else s
        for s in plan.sources
    )
    return dataclasses.replace(plan, sources=sources)


def keeps_rows_in(source: str, outcome: Mapping[str, object] | None, places: set[Place]) -> bool:
    """Whether an erasure's outcome in `source` says a legal hold kept rows in one of
    `places` (a request's journal entry or a child's record, while it keeps values)."""
    return any((source, table) in places for table in legally_held(outcome))


def add_held_keys(
    found: dict[Place, set[Key]], source: str, values: Params, places: set[Place]
) -> None:
    """Add to `found` the keys of the rows a legal hold kept in `places`, from the values an
    erasure in `source` kept."""
    for table, keys in held_keys(values).items():
        if (source, table) in places:
            found.setdefault((source, table), set()).update(keys)


def legally_held(outcome: Mapping[str, object] | None) -> list[str]:
    """The tables where a legal hold kept rows, from an outcome (`SourceErasure.as_json`)."""
    tables = (outcome or {}).get("tables")
    if not isinstance(tables, list):
        return []
    return [
        str(t["table"])
        for t in tables
        if isinstance(t, Mapping)
        and t.get("held")
        and any(str(h).startswith(HOLD_LABEL) for h in t.get("holds") or ())
    ]


def not_found_again(
    kept: Mapping[str, Sequence[Key]], freed: Sequence[str], done: SourceErasure
) -> int:
    """How many of the rows kept in the `freed` tables the finish no longer found (changed
    or deleted by hand since)."""
    found = {
        table: sum(
            t.deleted + t.anonymised + t.held + t.shared + t.unchanged
            for t in done.tables
            if t.table == table
        )
        for table in freed
    }
    return sum(max(0, len(kept[table]) - found[table]) for table in freed)


def finished_note(source: str, freed: Sequence[str], done: SourceErasure, missing: int) -> str:
    """What finishing the erasure of the tables no hold keeps any more did, in one sentence."""
    tables = ", ".join(f"{source}.{table}" for table in freed)
    deleted = sum(t.deleted for t in done.tables)
    anonymised = sum(t.anonymised for t in done.tables)
    held = sum(t.held for t in done.tables)
    shared = sum(t.shared for t in done.tables)
    note = (
        f"no legal hold keeps {tables} any more: erasure finished there: {deleted} rows "
        f"deleted, {anonymised} anonymised, {held} kept (by a retention rule or another legal "
        f"hold), {shared} shared with others left as they are"
    )
    if missing:
        note += (
            f"; {missing} of the rows kept could not be found again (changed or deleted since)"
            ": left as they are, for staff to look at"
        )
    return note


def _without(plan: Plan, source: str, tables: set[str]) -> Plan:
    def trimmed(source_plan: SourcePlan) -> SourcePlan:
        if source_plan.name != source:
            return source_plan
        # The steps left read their rows by their whole chain: the keys a held table's step
        # would have bound for them are not read.
        steps = tuple(
            dataclasses.replace(s, staged=None) for s in source_plan.steps if s.table not in tables
        )
        return dataclasses.replace(source_plan, steps=steps, found={})

    return dataclasses.replace(plan, sources=tuple(trimmed(s) for s in plan.sources))


def _read_kept(
    source_plan: SourcePlan, steps: list[Step], engine: Engine, params: Params
) -> list[tuple[int, int, tuple[Key, ...]]]:
    """Per step: the person's own rows, the rows shared with others, and the keys of the own
    ones (none in a table without a primary key, whose rows the database only counts)."""
    bound: dict[str, list[Any]] = {
        seed.param: list(params.get(seed.param, ())) for seed in source_plan.seeds
    }
    unstaged = dataclasses.replace(source_plan, found={})
    found: list[tuple[int, int, tuple[Key, ...]]] = []
    with read_only(engine) as connection:
        for step in steps:
            if not step.key:
                found.append((*_count(connection, step, bound), ()))
                continue
            # By the whole chain: the steps before it, whose keys it would bind, do not run.
            whole = dataclasses.replace(step, staged=None)
            own, shared = read_own_keys(connection, unstaged, whole, bound)
            found.append((len(own), shared, tuple(own)))
    return found


def _count(connection: Connection, step: Step, bound: dict[str, list[Any]]) -> tuple[int, int]:
    """(own rows, shared rows) of the person in a table without a key, counted by the database."""
    found = step.statement.subquery()
    shared: sa.ColumnElement[int] = sa.literal(0)
    if step.may_share:
        shared = sa.func.coalesce(sa.func.sum(found.c[SHARED_LABEL]), 0)
    total, of_others = connection.execute(
        sa.select(sa.func.count(), shared).select_from(found), bound
    ).one()
    return int(total) - int(of_others), int(of_others)


def _held_table(
    step: Step, counts: tuple[int, int], hold: PersonHold, declaration: Declaration
) -> TableErasure:
    own, shared = counts
    declared = declaration.sources[step.source].tables[step.table]
    until = hold.until.isoformat() if hold.until else "it is released"
    reasons = "; ".join(hold.reasons)
    return TableErasure(
        table=step.table,
        deleted=0,
        anonymised=0,
        held=own,
        held_until=hold.until,
        holds=tuple(f"{HOLD_LABEL}{reason}" for reason in hold.reasons),
        shared=shared,
        kept_columns=tuple(declared.columns) if own else (),
        notes=(f"kept as they are under a legal hold on the person ({reasons}) until {until}",)
        if own
        else (),
    )
