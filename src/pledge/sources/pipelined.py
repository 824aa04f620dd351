"""Reading a source's steps together, on PostgreSQL: a round trip per level of the plan.

Each step binds the keys that earlier steps found (`Step.staged`), so it must wait for
those, but not for the others: the customers first; then their orders, addresses and
sessions, which need only the customers' keys; then the orders' lines and payments. The
steps of one level go to the server at once in psycopg's pipeline mode and their results
come back together: three round trips for the demo's eleven tables instead of eleven.

Statements are compiled once per plan (plans are kept by shape) and their rows read as
the driver gives them: plan tables carry no types, so SQLAlchemy would convert nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql import visitors
from sqlalchemy.sql.compiler import SQLCompiler

from pledge.sources.plan import SourcePlan, Step
from pledge.sources.plan_cache import ShapeCache

# What may be sent in a pipeline: reads, and writes with or without RETURNING.
Statement = sa.Select[Any] | sa.Insert | sa.Update | sa.Delete

_LEVELS = ShapeCache()
_COMPILED = ShapeCache(size=1024)


def can_pipeline(connection: Connection) -> bool:
    return connection.dialect.driver == "psycopg" and psycopg.Pipeline.is_supported()


def levels(source: SourcePlan) -> list[list[Step]]:
    """The steps in groups that can run together, each group after the ones holding the
    steps whose keys it binds; in plan order within a group."""
    return _LEVELS.get((source,), "levels", lambda: _levels(source))


def _levels(source: SourcePlan) -> list[list[Step]]:
    table_of = {param: table for table, param in source.found.items()}
    level: dict[str, int] = {}
    for step in source.steps:  # a step binds only the keys of steps before it
        needs = {table_of[p] for p in _parameters(step.in_order) if p in table_of}
        level[step.table] = 1 + max((level[t] for t in needs if t in level), default=-1)
    groups: dict[int, list[Step]] = {}
    for step in source.steps:
        groups.setdefault(level[step.table], []).append(step)
    return [groups[n] for n in sorted(groups)]


def _parameters(statement: sa.Select[Any]) -> set[str]:
    return {e.key for e in visitors.iterate(statement) if isinstance(e, sa.BindParameter)}


def in_levels(
    connection: Connection,
    source: SourcePlan,
    bound: Mapping[str, Any],
    query: Callable[[Step], sa.Select[Any] | None],
) -> Iterator[tuple[Step, Any]]:
    """Each step's rows, by `query(step)` (None: the step is not read), in plan order or,
    where the driver can, level by level in one pipeline per level. The next level is sent
    only once the caller has taken this one's rows: it may bind their keys in `bound`."""
    together = can_pipeline(connection)
    for group in levels(source) if together else [[step] for step in source.steps]:
        chosen = [(step, q) for step in group if (q := query(step)) is not None]
        if together and len(chosen) > 1:
            results: list[Any] = fetch_together(connection, [q for _, q in chosen], bound)
        else:
            results = [connection.execute(q, bound) for _, q in chosen]
        yield from zip((step for step, _ in chosen), results, strict=True)


def fetch_together(
    connection: Connection, statements: Sequence[sa.Select[Any]], bound: Mapping[str, Any]
) -> list[list[tuple[Any, ...]]]:
    """The rows of each statement, all sent in one pipeline."""
    return run_together(connection, [(statement, bound) for statement in statements])


class PipelineError(sa.exc.DBAPIError):
    """A statement sent in a pipeline failed; `failed` is its place in what was sent (the
    ones after it did not run)."""

    failed: int


def run_together(
    connection: Connection, sent_items: Sequence[tuple[Statement, Mapping[str, Any]]]
) -> list[list[tuple[Any, ...]]]:
    """Run each statement with its parameters, all sent in one pipeline, in this order: the
    rows each returned (none for a statement that returns no rows).

    Statements are compiled once per statement object: keep the objects (see
    pledge.sources.plan_cache) rather than building new ones per call."""
    raw = connection.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    events = connection.dispatch
    sent: list[tuple[psycopg.Cursor[Any], str, dict[str, Any]]] = []
    try:
        with raw.pipeline():
            for statement, bound in sent_items:
                text, params = _expanded(statement, connection, bound)
                cursor = raw.cursor()
                # Listeners of the engine's cursor events see these statements too (no
                # execution context: SQLAlchemy does not run them).
                events.before_cursor_execute(connection, cursor, text, params, None, False)
                cursor.execute(text, params)
                sent.append((cursor, text, params))
        rows = [cursor.fetchall() if cursor.description else [] for cursor, _, _ in sent]
        for cursor, text, params in sent:
            events.after_cursor_execute(connection, cursor, text, params, None, False)
        return rows
    except psycopg.Error as exc:
        # The first statement without a result is the one that failed; the rest were skipped.
        failed = next((i for i, (c, _, _) in enumerate(sent) if c.pgresult is None), len(sent))
        text = sent[min(failed, len(sent) - 1)][1] if sent else ""
        error = PipelineError(text, None, exc)
        error.failed = failed
        raise error from exc
    finally:
        for cursor, _, _ in sent:
            cursor.close()


def _expanded(
    statement: Statement, connection: Connection, bound: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """The statement's SQL for the driver and its parameters, lists expanded."""
    dialect = connection.dialect
    compiled = _COMPILED.get(
        (statement, dialect), "compiled", lambda: statement.compile(dialect=dialect)
    )
    assert isinstance(compiled, SQLCompiler)
    state = compiled.construct_expanded_state(dict(bound))
    processors = state.processors
    params = {
        name: processors[name](value) if name in processors else value
        for name, value in state.parameters.items()
    }
    return state.statement, params
