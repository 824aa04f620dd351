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

from pledge.sources.plan import SourcePlan, Step
from pledge.sources.plan_sql import SHARED_LABEL

Key = tuple[Any, ...]


def read_own_keys(
    connection: Connection,
    source: SourcePlan,
    step: Step,
    bound: dict[str, list[Any]],
    also: Sequence[str] = (),
) -> tuple[dict[Key, tuple[Any, ...]], int]:
    """The keys of the step's own rows, each with the values of the `also` columns of its
    table, and how many rows are shared; the keys are also bound for the steps after it.
    A table without a primary key gives no keys."""
    if not step.key:
        return {}, 0
    statement = step.in_order
    chosen = [statement.selected_columns[c] for c in step.key]
    if step.may_share:
        chosen.append(statement.selected_columns[SHARED_LABEL])
    width, start = len(step.key), len(chosen)
    table = cast(sa.Table, chosen[0].table)  # the step's own table, as the plan built it
    chosen += [table.c[c] for c in also]
    own: dict[Key, tuple[Any, ...]] = {}
    shared = 0
    for row in connection.execute(statement.with_only_columns(*chosen), bound):
        if step.may_share and row[width]:
            shared += 1
        else:
            own[tuple(row[:width])] = tuple(row[start:])
    bind_found(bound, source.found, step, list(own))
    return own, shared


def bind_found(
    bound: dict[str, list[Any]], found: Mapping[str, str], step: Step, keys: list[Key]
) -> None:
    """Bind the step's own keys under its parameter, as an expanding IN takes them."""
    if step.table in found:
        bound[found[step.table]] = [k[0] if len(step.key) == 1 else k for k in keys]
