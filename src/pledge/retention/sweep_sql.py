"""One batch of a sweep in key order, in SQL: the next rows to go are picked by the database,
never read into Python first, and only their keys come back, for the journal.

PostgreSQL takes most tables by windows of pages instead (pledge.retention.sweep_pages); it
comes here for composite keys, keys of other types, hashing, and batches of a few rows.

- PostgreSQL: `DELETE FROM t WHERE ctid = ANY(ARRAY(SELECT ctid FROM t WHERE <due> AND
  pk > :after ORDER BY pk LIMIT :n))`. The array is computed once, and the rows are then
  reached by their place in the table, without a second walk down the key's index per row
  (the `pk IN (SELECT ...)` form lets the planner hash-join against a scan of the whole
  table, at every batch). A row changed by someone else in the meantime has moved: it is
  left to the next sweep, which judges it again. With a one-column key of integers or texts
  the keys come back as one array (`WITH changed AS (DELETE ... RETURNING pk) SELECT
  array_agg(pk)`): reading a row per key costs more than deleting it.
- SQLite: `DELETE FROM t WHERE pk IN (SELECT ... LIMIT :n) RETURNING pk`.
- MariaDB allows no LIMIT in an IN subquery: the keys are picked with SELECT ... FOR UPDATE,
  then deleted or updated by key, in the same transaction, at READ COMMITTED, so that InnoDB
  locks only the rows picked, not every row its scan passed.

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
from pledge.sources.erasure_writes import send_erase_columns
from pledge.sources.plan_sql import in_
from pledge.sources.statement_queue import StatementQueue

IN_SQL = ("null", "mask", "placeholder")
# The longest a batch should take, and so hold its locks: later batches are sized to it.
BATCH_SECONDS = 0.2
# The first batch's size, and the least a later one is cut to (unless `batch` is smaller).
FIRST_BATCH = 1000

# A foreign key of a table to itself: (its columns, the columns they refer to).
SelfLink = tuple[tuple[str, ...], tuple[str, ...]]


@contextmanager
def batch_transaction(engine: Engine, *, repeatable: bool = False) -> Iterator[Connection]:
    """One batch's transaction of a company database: committed at the end of the block.
    `repeatable`: at REPEATABLE READ (PostgreSQL), every statement sees the same rows."""
    if engine.dialect.name == "sqlite":
        with erasure_transaction(engine) as connection:
            yield connection
        return
    with engine.connect() as connection:
        if _innodb(connection):
            connection.execution_options(isolation_level="READ COMMITTED")
        elif repeatable:
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def last_key(keys: Sequence[Key]) -> Key:
    """The greatest key of a batch: the next batch starts after it."""
    return max(keys)


def next_size(size: int, seconds: float, most: int) -> int:
    """The next batch's size: as many rows as take BATCH_SECONDS at the last batch's pace,
    growing at most fourfold, within [FIRST_BATCH, most]."""
    paced = int(size * BATCH_SECONDS / seconds) if seconds > 0 else most
    return min(most, max(FIRST_BATCH, min(paced, size * 4)))


def erased_values(
    table: sa.Table, erasures: Sequence[ColumnErasure], types: Mapping[str, ColumnType]
) -> dict[sa.Column[Any], ColumnElement[Any]]:
    """What anonymising writes, in SQL, to the columns whose erasure SQL can do (all but hash)."""
    return {
        table.c[e.column]: assignment(e, table, types[e.column])
        for e in erasures
        if e.action in IN_SQL
    }


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
    if _innodb(connection):
        keys = _pick(connection, table, key, due, after, size)
        if keys:
            for link in unlink:
                _unlink(connection, table, key, keys, link)
            connection.execute(sa.delete(table).where(key_in(table, key, keys)))
        return keys
    statement = sa.delete(table).where(_among_next(connection, table, key, due, after, size))
    return _changed(connection, statement, table, key)


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
    hashes = [e for e in erasures if e.action == "hash"]
    values = erased_values(table, erasures, types)
    if values and not _innodb(connection):
        among = _among_next(connection, table, key, due, after, size)
        keys = _changed(connection, sa.update(table).where(among).values(values), table, key)
    else:
        keys = _pick(connection, table, key, due, after, size)
        if keys and values:
            connection.execute(sa.update(table).where(key_in(table, key, keys)).values(values))
    if keys and hashes:
        queue = StatementQueue(connection)
        erase = send_erase_columns(
            queue, table, key, types, keys, hashes, hash_key=hash_key, batch=len(keys)
        )
        erase()
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
        # A row's place in the table; unqualified, it names the row of the innermost query.
        ctid: ColumnElement[Any] = sa.literal_column("ctid")
        places = picked.with_only_columns(ctid).select_from(table)
        among: ColumnElement[bool] = ctid == sa.any_(sa.func.array(places.scalar_subquery()))
        return among
    return in_([table.c[c] for c in key], picked)


def _changed(
    connection: Connection,
    statement: sa.Delete | sa.Update,
    table: sa.Table,
    key: tuple[str, ...],
) -> list[Key]:
    """Run the DELETE or UPDATE of a batch; the keys of the rows it changed."""
    columns = [table.c[c] for c in key]
    if connection.dialect.name == "postgresql" and len(key) == 1 and plain_key(columns[0]):
        changed = statement.returning(columns[0]).cte("pledge_changed")
        found = connection.execute(sa.select(sa.func.array_agg(changed.c[key[0]]))).scalar()
        return [(value,) for value in found or ()]
    return _keys(connection.execute(statement.returning(*columns)))


def plain_key(column: sa.Column[Any]) -> bool:
    """A key column of integers or texts: read back from an array or from JSON as they are
    read from rows."""
    kind = column.type
    return isinstance(kind, (sa.Integer, sa.String)) and not isinstance(kind, sa.Enum)


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
        query = query.where(key_after(columns, after))
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


def key_after(columns: Sequence[sa.Column[Any]], after: Key) -> ColumnElement[bool]:
    """The rows whose key comes after `after`, in key order (a row value for composite keys)."""
    values = [sa.literal(v, c.type) for c, v in zip(columns, after, strict=True)]
    later: ColumnElement[bool] = (
        columns[0] > values[0] if len(columns) == 1 else sa.tuple_(*columns) > sa.tuple_(*values)
    )
    return later


def _innodb(connection: Connection) -> bool:
    return connection.dialect.name in ("mysql", "mariadb")
