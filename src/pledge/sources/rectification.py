"""Rectification: writing a person's corrected values into their own rows of one source.

A correction names a category ("identity.name" -> "Jane Doe"), which sets every column
holding it, or one column as "table.column" (or "source.table.column"), which is the only
way to correct a category held by several columns of one table (an address split into
line1, city and postcode). A column named precisely wins over its category.

The person's own rows are found with the plan's statements, reading only their keys and
shared flags: old values are never read. Shared rows (a couple's address) are left alone:
correcting them would change someone else's data. Then each table gets set-based
`UPDATE ... WHERE key IN (:keys)` in batches, all in one transaction per source; the keys
are collected first, because MariaDB forbids a subquery on the table being updated, and
because a corrected email must not stop the next table's statement from finding its rows.

Keys are never changed: primary keys, foreign keys (either end), and the columns declared
links join on, unless every column at the other end of the link gets the same new value
(an email that customers and newsletter contacts both hold), so no link breaks.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.sources.access import Params
from pledge.sources.own_keys import read_steps_keys
from pledge.sources.plan import Plan, SourcePlan, Step
from pledge.sources.plan_sql import in_
from pledge.sources.schema import SchemaInfo, reflect_schema

Place = tuple[str, str, str]  # (source, table, column)

BATCH = 1000


@dataclass(frozen=True)
class TableCorrection:
    table: str
    columns: tuple[str, ...]  # the columns set
    rows: int  # the person's own rows they were set on
    shared_skipped: int  # rows shared with someone else, left as they were
    # Columns of the corrected categories left as they were: keys, or link columns whose
    # other end would not get the same value.
    kept: tuple[str, ...] = ()
    note: str | None = None  # why nothing could be set, when that is so


@dataclass(frozen=True)
class SourceCorrection:
    source: str
    tables: tuple[TableCorrection, ...]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def as_json(self) -> dict[str, object]:
        """What was done, for the proof: tables, columns and counts, never a value."""
        return {
            "source": self.source,
            "rows": self.rows,
            "tables": [
                {
                    "table": t.table,
                    "columns": list(t.columns),
                    "rows": t.rows,
                    "shared_skipped": t.shared_skipped,
                    "kept": list(t.kept),
                    **({"note": t.note} if t.note else {}),
                }
                for t in self.tables
            ],
        }


def correct_source(
    plan: Plan,
    source: str,
    engine: Engine,
    params: Params,
    declaration: Declaration,
    corrections: Mapping[str, str],
    *,
    schema: SchemaInfo | None = None,
    batch: int = BATCH,
) -> SourceCorrection:
    """Set the corrected values on the person's own rows of `source`, in one transaction.

    `params` are the values that picked the person's rows there (`AccessResult.params`),
    found before any source was corrected. `schema` saves reading the database's again.
    """
    targets = resolve_corrections(declaration, corrections)
    source_plan = _source_plan(plan, source)
    here = {(t, c): value for (s, t, c), value in targets.items() if s == source}
    steps = [step for step in source_plan.steps if any(t == step.table for t, _ in here)]
    if not steps:
        return SourceCorrection(source, ())
    protected = _protected(source, schema or reflect_schema(engine), declaration, targets)
    bound = {seed.param: list(params.get(seed.param, ())) for seed in source_plan.seeds}
    done: list[TableCorrection] = []
    with engine.begin() as connection:
        found = read_steps_keys(connection, source_plan, steps, bound)
        for step in steps:
            wanted = [c for c in step.categories if (step.table, c) in here]
            values = {c: here[(step.table, c)] for c in wanted if (step.table, c) not in protected}
            kept = tuple(c for c in wanted if c not in values)
            own, shared = found.get(step.table, ({}, 0))
            keys = list(own)
            note = None
            if not step.key:
                values, kept = {}, tuple(wanted)
                note = "the table has no primary key, so the person's rows cannot be told apart"
            rows = _update(connection, source, step, keys, values, batch) if values else 0
            done.append(TableCorrection(step.table, tuple(values), rows, shared, kept, note))
    return SourceCorrection(source, tuple(done))


def validate_corrections(declaration: Declaration, corrections: Mapping[str, str]) -> None:
    """Refuse corrections that name nothing the sources hold, or that are ambiguous."""
    resolve_corrections(declaration, corrections)


def corrected_categories(declaration: Declaration, corrections: Mapping[str, str]) -> set[str]:
    """The categories the corrections change (a column named precisely counts as its own)."""
    held = _held(declaration)
    places = resolve_corrections(declaration, corrections)
    return {held[place] for place in places}


def resolve_corrections(
    declaration: Declaration, corrections: Mapping[str, str]
) -> dict[Place, str]:
    """Every declared column the corrections set, with its new value."""
    if not corrections:
        raise PledgeError(
            "no corrections given",
            'give what should be recorded, e.g. {"identity.name": "Jane Doe"}',
        )
    held = _held(declaration)
    by_category: dict[str, list[Place]] = defaultdict(list)
    for place, category in held.items():
        by_category[category].append(place)
    by_name = _by_name(held)
    broad: dict[Place, str] = {}
    precise: dict[Place, str] = {}
    unknown: list[str] = []
    for key, value in corrections.items():
        if not isinstance(value, str) or not value.strip():
            raise PledgeError(
                f"the correction of '{key}' has no value",
                "give the value that should be recorded; to remove data, ask for erasure",
            )
        if key in by_category:
            _refuse_ambiguous(key, by_category[key], by_name)
            broad.update(dict.fromkeys(by_category[key], value))
        elif key in by_name:
            precise.update(dict.fromkeys(by_name[key], value))
        else:
            unknown.append(key)
    if unknown:
        raise _unknown(unknown, sorted(by_category), sorted(by_name))
    return {**broad, **precise}


def _held(declaration: Declaration) -> dict[Place, str]:
    return {
        (source_name, table_name, column): spec.category
        for source_name, source in declaration.sources.items()
        for table_name, table in source.tables.items()
        for column, spec in table.columns.items()
    }


def _by_name(held: Mapping[Place, str]) -> dict[str, list[Place]]:
    names: dict[str, list[Place]] = defaultdict(list)
    for place in held:
        source, table, column = place
        names[f"{table}.{column}"].append(place)
        names[f"{source}.{table}.{column}"].append(place)
    return names


def _refuse_ambiguous(category: str, places: list[Place], by_name: Mapping[str, Any]) -> None:
    per_table: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source, table, column in places:
        per_table[(source, table)].append(column)
    crowded = [(s, t, cols) for (s, t), cols in per_table.items() if len(cols) > 1]
    if not crowded:
        return
    several = "; ".join(f"{_name(s, t, by_name)} has {', '.join(cols)}" for s, t, cols in crowded)
    every = ", ".join(f"{_name(s, t, by_name)}.{c}" for s, t, c in places)
    raise PledgeError(
        f"'{category}' is held by several columns of one table ({several}), so which one"
        " a single value belongs in is unclear",
        f"correct each column by its name, as table.column: {every}",
    )


def _name(source: str, table: str, by_name: Mapping[str, Any]) -> str:
    # A table name two sources share needs its source to name one column.
    some_column = next((n for n in by_name if n.startswith(f"{table}.")), None)
    if some_column is not None and len(by_name[some_column]) > 1:
        return f"{source}.{table}"
    return table


def _unknown(keys: list[str], categories: list[str], columns: list[str]) -> PledgeError:
    guesses = [g for key in keys for g in difflib.get_close_matches(key, categories + columns, 1)]
    guess = f"did you mean {', '.join(repr(g) for g in guesses)}? " if guesses else ""
    return PledgeError(
        f"nothing the sources hold is called {', '.join(repr(k) for k in keys)}",
        f"{guess}correct a category a column holds ({', '.join(categories) or 'none'}),"
        " or a declared column as table.column",
    )


def _source_plan(plan: Plan, source: str) -> SourcePlan:
    for candidate in plan.sources:
        if candidate.name == source:
            return candidate
    names = ", ".join(s.name for s in plan.sources)
    raise PledgeError(f"the plan has no source '{source}'", f"its sources: {names}")


def _protected(
    source: str, schema: SchemaInfo, declaration: Declaration, targets: Mapping[Place, str]
) -> set[tuple[str, str]]:
    """(table, column) pairs of `source` that must keep their values."""
    keys: set[tuple[str, str]] = set()
    for table in schema.tables.values():
        keys.update((table.name, c) for c in table.primary_key)
        for fk in table.foreign_keys:
            keys.update((table.name, c) for c in fk.columns)
            keys.update((fk.referred_table, c) for c in fk.referred_columns)
    for place, partners in _link_partners(declaration).items():
        if place[0] != source:
            continue
        value = targets.get(place)
        if value is None or any(targets.get(p) != value for p in partners):
            keys.add((place[1], place[2]))
    return keys


def _link_partners(declaration: Declaration) -> dict[Place, set[Place]]:
    """Each column a declared link joins on -> the columns at the link's other end."""
    partners: dict[Place, set[Place]] = defaultdict(set)
    for source_name, source in declaration.sources.items():
        for table_name, table in source.tables.items():
            for link in table.links:
                other, _, other_table = link.table.rpartition(".")
                for mine, theirs in link.on.items():
                    here = (source_name, table_name, mine)
                    there = (other or source_name, other_table, theirs)
                    partners[here].add(there)
                    partners[there].add(here)
    return partners


def _update(
    connection: Connection,
    source: str,
    step: Step,
    keys: list[tuple[Any, ...]],
    values: Mapping[str, str],
    batch: int,
) -> int:
    table = sa.Table(
        step.table, sa.MetaData(), *(sa.Column(c) for c in dict.fromkeys([*step.key, *values]))
    )
    statement = (
        sa.update(table)
        .where(in_([table.c[c] for c in step.key], sa.bindparam("pledge_keys", expanding=True)))
        .values(dict(values))
    )
    count = 0
    try:
        for chunk in _chunks(keys, batch):
            bound = [k[0] for k in chunk] if len(step.key) == 1 else chunk
            result = connection.execute(statement, {"pledge_keys": bound})
            count += int(getattr(result, "rowcount", 0) or 0)
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise PledgeError(
            f"{source}.{step.table}: the database refused the corrected"
            f" {', '.join(values)}: {first}",
            "check that each value fits its column (type and length); nothing was changed"
            f" in {source}",
        ) from None
    return count


def _chunks(items: list[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
