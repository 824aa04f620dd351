"""An erasure of one source that leaves the tables under a person's legal hold as they are.

A hold on a person (holds.py) keeps their rows in the tables of its scope from a request's
erasure and a child's alike: those tables are taken out of the plan before
pledge.sources.erasure.erase_source runs, and everything else of the person is erased as
usual. A parent row that a held row still refers to is anonymised rather than deleted, as
for any row that stays (erasure_order.py).

The held tables are reported like tables a retention rule holds: their own rows counted as
held, with the holds' reasons (as "legal hold: <reason>") and their end, so the request's
summary lists them under "kept" and the re-check counts them as left on purpose. The rows
are counted before the erasure: once the person's row in a parent table is anonymised, the
values that found them may no longer lead there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.declaration.model import Declaration
from pledge.retention.holds import PersonHold, Place
from pledge.sources.access import Params, read_only
from pledge.sources.erasure import SourceErasure, TableErasure, erase_source
from pledge.sources.plan import Plan, SourcePlan, Step
from pledge.sources.plan_sql import SHARED_LABEL
from pledge.sources.schema import SchemaInfo

HOLD_LABEL = "legal hold: "


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
        return erase_source(
            plan, source, engine, params, declaration, today=today, hash_key=hash_key, schema=schema
        )
    counts = _count(source_plan, kept_steps, engine, params)
    kept = {
        step.table: _held_table(step, found, held[(source, step.table)], declaration)
        for step, found in zip(kept_steps, counts, strict=True)
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
    return SourceErasure(source, tables, done.recheck)


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


def _count(
    source_plan: SourcePlan, steps: list[Step], engine: Engine, params: Params
) -> list[tuple[int, int]]:
    """(own rows, shared rows) of the person in each step's table, counted by the database."""
    bound = {seed.param: list(params.get(seed.param, ())) for seed in source_plan.seeds}
    counts = []
    with read_only(engine) as connection:
        for step in steps:
            found = step.statement.subquery()
            shared: sa.ColumnElement[int] = sa.literal(0)
            if step.may_share:
                shared = sa.func.coalesce(sa.func.sum(found.c[SHARED_LABEL]), 0)
            total, of_others = connection.execute(
                sa.select(sa.func.count(), shared).select_from(found), bound
            ).one()
            counts.append((int(total) - int(of_others), int(of_others)))
    return counts


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
