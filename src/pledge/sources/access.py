"""Running a plan for an access request, read-only: the subject's rows, source by source.

Each step is one statement, run in the plan's order: the keys of the subject's rows that a
step finds are bound in the steps after it (`Step.staged`), so each is a few index lookups
instead of the whole chain from the identity again. A step's rows are fetched in one round
trip: the subject's own rows are all kept in the result anyway, and a server-side cursor
would cost three round trips per table for the few rows a person has. On PostgreSQL the
steps that wait for the same earlier steps are sent together (pipelined.py): a round trip
per level of the plan.

A row is exported with its key and declared columns only, each with its category. A shared
row keeps only which of its categories hold a value, and its key: its values are dropped as
soon as it is read, and neither they nor the key are ever exported. Only the second check of
an access request reads some of them again, by that key, to compare and drop
(shared_values.py).

Sources feed each other: the identities found in the subject's rows of one source, and the
columns that links from other sources point at, are bound as parameters in the others. A
source runs again when those values grew, replacing its earlier result, for at most
`max_rounds` rounds; if values were still growing then, the result says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection, Engine

from pledge.errors import PledgeError
from pledge.sources.own_keys import bind_found
from pledge.sources.pipelined import in_levels
from pledge.sources.plan import Plan, SourcePlan, Step

Params = dict[str, tuple[Any, ...]]


@dataclass(frozen=True)
class SharedRow:
    """A row that is someone else's too: which of its declared categories hold a value."""

    categories: tuple[str, ...]
    # Its primary key (none: the table has none). Out of equality and repr: two shared rows
    # holding the same categories tell the same, and no log or message prints the key.
    key: tuple[Any, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class TableAccess:
    source: str
    table: str
    columns: Mapping[str, str | None]  # exported column -> category (None: a bare key)
    rows: tuple[Mapping[str, Any], ...]  # the subject's own rows
    shared: tuple[SharedRow, ...]
    key: tuple[str, ...] = ()  # the primary key's columns, in order (none: no primary key)


@dataclass(frozen=True)
class AccessResult:
    tables: tuple[TableAccess, ...]
    runs: tuple[tuple[int, str], ...]  # (round, source), in the order they ran
    notes: tuple[str, ...] = ()
    # Per source, the parameter values its last run was given: what picks the subject's
    # rows there. An erasure keeps them, so it can resume once other sources are erased.
    params: Mapping[str, Params] = field(default_factory=dict)

    def table(self, source: str, table: str) -> TableAccess:
        return next(t for t in self.tables if (t.source, t.table) == (source, table))

    def counts(self) -> dict[str, tuple[int, int]]:
        """`source.table` -> (the subject's rows, shared rows)."""
        return {f"{t.source}.{t.table}": (len(t.rows), len(t.shared)) for t in self.tables}


@dataclass
class _Found:
    """What one run of a source found, and the values it passes to the other sources."""

    tables: list[TableAccess] = field(default_factory=list)
    identities: dict[str, dict[Any, None]] = field(default_factory=dict)  # kind -> values
    # (table, columns) -> values, for the columns that links across sources join on
    linked: dict[tuple[str, tuple[str, ...]], dict[Any, None]] = field(default_factory=dict)


def execute_access(
    plan: Plan,
    engines: Mapping[str, Engine],
    *,
    given: Mapping[str, Params] | None = None,
    max_rounds: int = 3,
) -> AccessResult:
    """Run every step of the plan read-only; `engines` are the sources' engines by name.

    `given[source]` adds parameter values to that source's own (the plan's identity and
    what other sources find): those an earlier run picked the person's rows with, kept to
    look again once an erasure has changed the identities in the rows.
    """
    seeded = given or {}
    missing = [s.name for s in plan.sources if s.steps and s.name not in engines]
    if missing:
        raise PledgeError(f"no connection for source(s) {', '.join(missing)}")
    found: dict[str, _Found] = {}
    used: dict[str, Params] = {}
    runs: list[tuple[int, str]] = []
    for round_number in range(1, max_rounds + 1):
        ran = False
        for source in plan.sources:
            params = _params(plan, source, found, seeded)
            if not source.steps or not _novel(source, params, used, found):
                continue
            used[source.name] = params
            found[source.name] = _run(source, engines[source.name], params)
            runs.append((round_number, source.name))
            ran = True
        if not ran:
            break
    pending = [
        s.name for s in plan.sources if _novel(s, _params(plan, s, found, seeded), used, found)
    ]
    notes = tuple(
        f"identities found in round {max_rounds} were not followed into {name}: "
        "raise the number of rounds"
        for name in pending
    )
    tables = tuple(t for s in plan.sources if s.name in found for t in found[s.name].tables)
    return AccessResult(tables, tuple(runs), notes, dict(used))


def _params(
    plan: Plan, source: SourcePlan, found: Mapping[str, _Found], seeded: Mapping[str, Params]
) -> Params:
    """The values of the source's parameters: given, and found in the other sources."""
    values: dict[str, dict[Any, None]] = {}
    for seed in source.seeds:
        bucket = values.setdefault(seed.param, {})
        bucket.update(dict.fromkeys(seeded.get(source.name, {}).get(seed.param, ())))
        if seed.linked_from is not None:
            other, table, columns = seed.linked_from
            if other in found:
                bucket.update(found[other].linked.get((table, columns), {}))
            continue
        kind = seed.kind or ""
        bucket.update(dict.fromkeys(plan.identity.get(kind, ())))
        for other, result in found.items():
            if other != source.name:
                bucket.update(result.identities.get(kind, {}))
    return {param: tuple(bucket) for param, bucket in values.items()}


def _novel(
    source: SourcePlan, params: Params, used: Mapping[str, Params], found: Mapping[str, _Found]
) -> bool:
    """Whether the source must run (again): a value it neither used nor holds itself.

    Values a source found in its own rows never send it back to itself, even when another
    source echoes them (the CRM knows the email the shop gave it): that would only add
    rows matched by the same value, which the first run did not take as the subject's.
    """
    if not any(params.values()):
        return False
    if source.name not in used:
        return True
    own = found[source.name]
    for seed in source.seeds:
        if seed.linked_from is not None:
            held = own.linked.get((seed.table, seed.columns), {})
        else:
            held = own.identities.get(seed.kind or "", {})
        before = set(used[source.name].get(seed.param, ()))
        if any(v not in before and v not in held for v in params[seed.param]):
            return True
    return False


def _run(source: SourcePlan, engine: Engine, params: Params) -> _Found:
    found = _Found()
    # The columns of this source's own cross-source seeds are remembered too, for _novel.
    own_links = [(s.table, s.columns) for s in source.seeds if s.linked_from is not None]
    bound: dict[str, list[Any]] = {k: list(v) for k, v in params.items()}
    read: dict[str, TableAccess] = {}
    with read_only(engine) as connection:
        for step, rows in in_levels(connection, source, bound, lambda step: step.in_order):
            groups = (*step.linked, *(c for t, c in own_links if t == step.table))
            groups = tuple(g for g in groups if set(g) <= set(step.columns))
            table = _collect(step, rows, found, tuple(dict.fromkeys(groups)))
            read[step.table] = table
            keys = [tuple(row[c] for c in step.key) for row in table.rows]
            bind_found(bound, source.found, step, keys)
    found.tables = [read[step.table] for step in source.steps]
    return found


def _collect(
    step: Step, rows: Any, found: _Found, groups: tuple[tuple[str, ...], ...]
) -> TableAccess:
    exported = {
        c: step.categories.get(c) for c in step.columns if c in step.key or c in step.categories
    }
    own: list[Mapping[str, Any]] = []
    shared: list[SharedRow] = []
    width = len(step.columns)
    for row in rows:
        values = dict(zip(step.columns, row[:width], strict=True))
        if step.may_share and row[width]:
            held = (step.categories[c] for c in step.categories if values[c] is not None)
            key = tuple(values[c] for c in step.key)
            shared.append(SharedRow(tuple(dict.fromkeys(held)), key))
            continue
        own.append({c: values[c] for c in exported})
        for column, kind in step.identities.items():
            if values[column] is not None:
                found.identities.setdefault(kind, {})[values[column]] = None
        for columns in groups:
            key = tuple(values[c] for c in columns)
            if None not in key:
                value = key[0] if len(key) == 1 else key
                found.linked.setdefault((step.table, columns), {})[value] = None
    return TableAccess(step.source, step.table, exported, tuple(own), tuple(shared), step.key)


@contextmanager
def read_only(engine: Engine) -> Iterator[Connection]:
    """A connection in a read-only transaction, refused any write by the database itself.

    PostgreSQL also reads one snapshot (REPEATABLE READ), so every step sees the same data.
    """
    with engine.connect() as connection:
        dialect = engine.dialect.name
        if dialect == "sqlite":
            connection.exec_driver_sql("PRAGMA query_only = ON")
        elif dialect == "postgresql":
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # A person's rows are a few index lookups: compiling them to machine code (JIT,
            # which the subqueries' cost estimates can trigger) costs far more than it saves.
            connection.exec_driver_sql("SET LOCAL jit = off")
        elif dialect in {"mysql", "mariadb"}:
            connection.exec_driver_sql("START TRANSACTION READ ONLY")
        try:
            yield connection
        finally:
            connection.rollback()
            if dialect == "sqlite":
                # The pool hands this connection out again: give it back writable.
                connection.exec_driver_sql("PRAGMA query_only = OFF")
