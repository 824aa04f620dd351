"""The keys of the subject's own rows of one step, read as access reads them.

Steps run in their plan's order, each taking the keys the steps before it found as bound
parameters (`Step.staged`); erasure and rectification read keys the same way, so that all
three agree on whose rows are whose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pledge.sources.pipelined import in_levels
from pledge.sources.plan import SourcePlan, Step
from pledge.sources.plan_cache import ShapeCache
from pledge.sources.plan_sql import SHARED_LABEL, key_values

Key = tuple[Any, ...]

# One statement object per step and columns: a new one per request would be compiled anew
# where the pipelined path compiles by object (pledge.sources.pipelined).
_QUERIES = ShapeCache(size=1024)


def read_steps_keys(
    connection: Connection,
    source: SourcePlan,
    steps: Sequence[Step],
    bound: dict[str, list[Any]],
    also: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, tuple[dict[Key, tuple[Any, ...]], int]]:
    """Per table of `steps`: the keys of the person's own rows, each with the values of the
    `also` columns of its table, and how many rows are shared. The source's steps are read
    in order up to the last of `steps`, each binding its keys for the ones after it. A table
    without a primary key is left out.

    On PostgreSQL the steps that wait for the same keys are read together, as access does.
    """
    wanted = {step.table for step in steps if step.key}
    extra = also or {}
    if not wanted:
        return {}
    found: dict[str, tuple[dict[Key, tuple[Any, ...]], int]] = {}

    def query(step: Step) -> sa.Select[Any] | None:
        # Every step with a key: those not asked for bind the keys the others need.
        return _query(step, extra.get(step.table, ())) if step.key else None

    for step, rows in in_levels(connection, source, bound, query):
        found[step.table] = _collect(step, rows)
        bind_found(bound, source.found, step, list(found[step.table][0]))
        if wanted <= found.keys():
            break  # the steps after these are not asked for
    return {table: found[table] for table in wanted}


def read_own_keys(
    connection: Connection,
    source: SourcePlan,
    step: Step,
    bound: dict[str, list[Any]],
    also: Sequence[str] = (),
) -> tuple[dict[Key, tuple[Any, ...]], int]:
    """One step's own keys (with its `also` columns) and shared rows, by its statement alone;
    the keys are bound for the steps after it. A table without a primary key gives none."""
    if not step.key:
        return {}, 0
    own, shared = _collect(step, connection.execute(_query(step, also), bound))
    bind_found(bound, source.found, step, list(own))
    return own, shared


def _query(step: Step, also: Sequence[str]) -> sa.Select[Any]:
    """The step's statement reading only the keys, the shared flag and `also`."""
    return _QUERIES.get((step,), tuple(also), lambda: _build_query(step, also))


def _build_query(step: Step, also: Sequence[str]) -> sa.Select[Any]:
    statement = step.in_order
    chosen = [statement.selected_columns[c] for c in step.key]
    if step.may_share:
        chosen.append(statement.selected_columns[SHARED_LABEL])
    table = cast(sa.Table, chosen[0].table)  # the step's own table, as the plan built it
    return statement.with_only_columns(*chosen, *(table.c[c] for c in also))


def _collect(step: Step, rows: Any) -> tuple[dict[Key, tuple[Any, ...]], int]:
    width = len(step.key)
    start = width + (1 if step.may_share else 0)
    own: dict[Key, tuple[Any, ...]] = {}
    shared = 0
    for row in rows:
        if step.may_share and row[width]:
            shared += 1
        else:
            own[tuple(row[:width])] = tuple(row[start:])
    return own, shared


def bind_found(
    bound: dict[str, list[Any]], found: Mapping[str, str], step: Step, keys: list[Key]
) -> None:
    """Bind the step's own keys under its parameter, as a keys parameter takes them."""
    if step.table in found:
        bound[found[step.table]] = key_values(keys)
