"""The plumbing of an erasure's SQL: one write transaction, and key lists sent in batches.

Every change an erasure makes names its rows by primary key, as bound values (`IN`, or the
row-value form for composite keys), never by a subquery on the table being changed, which
MariaDB refuses (error 1093). SQLite enforces foreign keys only when asked, once per
connection and outside a transaction, and pysqlite begins a transaction only at the first
write: the erasure's connection turns enforcement on and begins its own transaction at once
(`BEGIN IMMEDIATE`), so the rows it reads first are the rows it then changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.elements import ColumnElement

from pledge.sources.plan_sql import in_

Key = tuple[Any, ...]
KEYS = "pledge_keys"  # the parameter that carries a batch of keys (plan_sql.keys_parameter)
T = TypeVar("T")


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), max(1, size)):
        yield items[start : start + size]


def key_in(
    table: sa.Table | sa.Alias, key: Sequence[str], keys: Sequence[Key]
) -> ColumnElement[bool]:
    """The rows whose primary key is one of `keys` (tuples, even for a one-column key)."""
    columns = [table.c[c] for c in key]
    values: list[Any] = [k[0] for k in keys] if len(key) == 1 else list(keys)
    return in_(columns, values)


def locking(statement: sa.Select[Any], connection: Connection) -> sa.Select[Any]:
    """The SELECT with FOR UPDATE where the database has it: until the erasure commits, no
    one may add a row that refers to a row it is about to delete."""
    if connection.dialect.name == "sqlite":
        return statement  # BEGIN IMMEDIATE already keeps every other writer out
    return statement.with_for_update()


@contextmanager
def erasure_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction for a whole source: committed at the end, rolled back on any error."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        level = driver.isolation_level
        enforced = bool(connection.exec_driver_sql("PRAGMA foreign_keys").scalar())
        driver.isolation_level = None  # BEGIN and COMMIT are sent here, not by pysqlite
        try:
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.rollback()
                raise
            connection.commit()
        finally:
            # The pool hands this connection out again: as it was before.
            connection.exec_driver_sql(f"PRAGMA foreign_keys = {'ON' if enforced else 'OFF'}")
            connection.commit()
            driver.isolation_level = level
