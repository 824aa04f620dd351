"""One batch of a sweep, in SQL: the next rows to go are picked by the database, never read
into Python first, and only their keys come back, for the journal.

- PostgreSQL, one-column key: `DELETE FROM t WHERE pk = ANY(ARRAY(SELECT pk FROM t WHERE
  <due> AND pk > :after ORDER BY pk LIMIT :n)) RETURNING pk`. The array is computed once and
  the rows are found by the key's index; the `pk IN (SELECT ...)` form lets the planner
  hash-join against a scan of the whole table, at every batch.
- SQLite: `DELETE FROM t WHERE pk IN (SELECT ... LIMIT :n) RETURNING pk`.
- MariaDB allows no LIMIT in an IN subquery, and PostgreSQL has no array of composite keys:
  the keys are picked with SELECT ... FOR UPDATE, then deleted or updated by key, in the same
  transaction. MariaDB's runs at READ COMMITTED, so that InnoDB locks only the rows picked,
  not every row its scan passed.

An UPDATE that anonymises is built the same way. Batches walk the table in key order
(`pk > :after`), so rows a batch leaves (referenced, held) are not read again by the next
one, and a sweep reads the table about once. Each batch is its own short transaction:
SQLite's takes the write lock at once (BEGIN IMMEDIATE) with foreign keys enforced, as an
erasure's does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.elements import ColumnElement

from pledge.sources.erasure_columns import ColumnErasure, ColumnType, assignment
from pledge.sources.erasure_sql import Key, erasure_transaction, key_in
from pledge.sources.erasure_steps import erase_columns
from pledge.sources.plan_sql import in_

IN_SQL = ("null", "mask", "placeholder")

# A foreign key of a table to itself: (its columns, the columns they refer to).
SelfLink = tuple[tuple[str, ...], tuple[str, ...]]


@contextmanager
def batch_transaction(engine: Engine) -> Iterator[Connection]:
    """One batch's transaction of a company database: committed at the end of the block."""
    if engine.dialect.name == "sqlite":
        with erasure_transaction(engine) as connection:
            yield connection
        return
    with engine.connect() as connection:
        if _innodb(connection):
            connection.execution_options(isolation_level="READ COMMITTED")
        with connection.begin():
            yield connection


def last_key(keys: Sequence[Key]) -> Key:
    """The greatest key of a batch: the next batch starts after it."""
    return max(keys)


def delete_batch(
    connection: Connection,
    table: sa.Table,
    key: tuple[str, ...],
    due: ColumnElement[bool],
    *,
    after: Key | None,
    size: int,
    unlink: Sequence[SelfLink] = (),
) -> list[Key]:
    """Delete up to `size` due rows after key `after`; their keys.

    InnoDB refuses to delete a row that refers to itself (its foreign keys are checked row
    by row): on MariaDB, such references (`unlink`, nullable ones) are cleared first, in the
    batch's transaction, on the rows about to go.
    """
    if _picks_first(connection, key):
        keys = _pick(connection, table, key, due, after, size)
        if keys:
            for link in unlink:
                _unlink(connection, table, key, keys, link)
            connection.execute(sa.delete(table).where(key_in(table, key, keys)))
        return keys
    statement = sa.delete(table).where(_among_next(connection, table, key, due, after, size))
    return _keys(connection.execute(statement.returning(*(table.c[c] for c in key))))


def anonymise_batch(
    connection: Connection,
    table: sa.Table,
    key: tuple[str, ...],
    due: ColumnElement[bool],
    *,
    erasures: Sequence[ColumnErasure],
    types: Mapping[str, ColumnType],
    hash_key: bytes,
    after: Key | None,
    size: int,
) -> list[Key]:
    """Erase the columns of up to `size` due rows after key `after`, as a request erasure
    would; their keys. `due` must leave out rows already anonymised."""
    in_sql = [e for e in erasures if e.action in IN_SQL]
    hashes = [e for e in erasures if e.action == "hash"]
    values = {table.c[e.column]: assignment(e, table, types[e.column]) for e in in_sql}
    if in_sql and not _picks_first(connection, key):
        among = _among_next(connection, table, key, due, after, size)
        update = sa.update(table).where(among).values(values)
        keys = _keys(connection.execute(update.returning(*(table.c[c] for c in key))))
    else:
        keys = _pick(connection, table, key, due, after, size)
        if keys and in_sql:
            connection.execute(sa.update(table).where(key_in(table, key, keys)).values(values))
    if keys and hashes:
        erase_columns(
            connection, table, key, types, keys, hashes, hash_key=hash_key, batch=len(keys)
        )
    return keys


def _unlink(
    connection: Connection,
    table: sa.Table,
    key: tuple[str, ...],
    keys: Sequence[Key],
    link: SelfLink,
) -> None:
    columns, referred = link
    itself = [table.c[c] == table.c[r] for c, r in zip(columns, referred, strict=True)]
    update = sa.update(table).where(key_in(table, key, keys), *itself)
    connection.execute(update.values({table.c[c]: None for c in columns}))


def _among_next(
    connection: Connection,
    table: sa.Table,
    key: tuple[str, ...],
    due: ColumnElement[bool],
    after: Key | None,
    size: int,
) -> ColumnElement[bool]:
    """The rows of the next batch, as a condition of the statement that changes them."""
    picked = _next(table, key, due, after, size)
    if connection.dialect.name == "postgresql":
        column = table.c[key[0]]
        among: ColumnElement[bool] = column == sa.any_(sa.func.array(picked.scalar_subquery()))
        return among
    return in_([table.c[c] for c in key], picked)


def _keys(result: sa.CursorResult[Any]) -> list[Key]:
    # fetchall: one call to the driver, not one per row.
    if len(result.keys()) == 1:
        return [(value,) for value in result.scalars().all()]
    return [tuple(row) for row in result.all()]


def _next(
    table: sa.Table, key: tuple[str, ...], due: ColumnElement[bool], after: Key | None, size: int
) -> sa.Select[Any]:
    columns = [table.c[c] for c in key]
    query = sa.select(*columns).where(due)
    if after is not None:
        query = query.where(_after(columns, after))
    # Not correlated to the DELETE or UPDATE around it, although that names the same table.
    return query.order_by(*columns).limit(size).correlate(None)


def _pick(
    connection: Connection,
    table: sa.Table,
    key: tuple[str, ...],
    due: ColumnElement[bool],
    after: Key | None,
    size: int,
) -> list[Key]:
    query = _next(table, key, due, after, size)
    if connection.dialect.name != "sqlite":
        query = query.with_for_update()
    return _keys(connection.execute(query))


def _after(columns: Sequence[sa.Column[Any]], after: Key) -> ColumnElement[bool]:
    values = [sa.literal(v, c.type) for c, v in zip(columns, after, strict=True)]
    later: ColumnElement[bool] = (
        columns[0] > values[0] if len(columns) == 1 else sa.tuple_(*columns) > sa.tuple_(*values)
    )
    return later


def _picks_first(connection: Connection, key: Sequence[str] = ()) -> bool:
    """Whether the batch's keys are picked by a statement of their own."""
    name = connection.dialect.name
    return _innodb(connection) or (name == "postgresql" and len(key) > 1)


def _innodb(connection: Connection) -> bool:
    return connection.dialect.name in ("mysql", "mariadb")
