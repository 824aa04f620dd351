"""Erasing declared columns of rows named by key: the UPDATEs an erasure, a sweep and the
replay of the journal share.

Rows already erased are not written again: each UPDATE changes only rows where erasing would
change something, and gives back their keys (`RETURNING`; MySQL and MariaDB are asked
first). Statements are kept per table and erasure, so that the pipelined path compiles them
once (pledge.sources.statement_queue).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from pledge.sources.erasure_columns import (
    ColumnErasure,
    ColumnType,
    assignment,
    changes,
    hashed,
    looks_hashed,
)
from pledge.sources.erasure_sql import KEYS, Key, batches
from pledge.sources.plan_cache import ShapeCache
from pledge.sources.plan_sql import in_, key_values, keys_parameter
from pledge.sources.statement_queue import Queued, StatementQueue

IN_SQL = ("null", "mask", "placeholder")

_STATEMENTS = ShapeCache(size=1024)


def send_erase_columns(
    queue: StatementQueue,
    target: sa.Table,
    key: tuple[str, ...],
    types: Mapping[str, ColumnType],
    keys: Sequence[Key],
    erasures: Sequence[ColumnErasure],
    *,
    hash_key: bytes,
    batch: int,
) -> Callable[[], set[Key]]:
    """Send the statements that erase these columns of the rows with these keys, in
    batches; the function returned gives the keys of the rows that changed. To erase at
    once: `send_erase_columns(StatementQueue(connection), ...)()`."""
    in_sql = tuple(e for e in erasures if e.action in IN_SQL)
    hashes = [e for e in erasures if e.action == "hash"]
    shape = _Shape(queue, target, key, types)
    doing = f"erasing columns of {target.name}"
    sent: list[Queued] = []
    changed: set[Key] = set()
    for chunk in batches(keys, batch):
        params = {KEYS: key_values(chunk)}
        if in_sql and queue.connection.dialect.update_returning:  # one statement
            sent.append(queue.send(shape.statement("update returning", in_sql), params, doing))
        elif in_sql:  # MySQL/MariaDB cannot return what an UPDATE changed: ask first
            rows = queue.send(shape.statement("changing", in_sql), params, doing).rows()
            if rows:
                update = shape.statement("update", in_sql)
                queue.send(update, {KEYS: key_values(rows)}, doing)
                changed.update(rows)
        for erasure in hashes:
            changed.update(_hash(queue, shape, chunk, erasure, hash_key))

    def result() -> set[Key]:
        return changed | {row for queued in sent for row in queued.rows()}

    return result


class _Shape:
    """The statements for one table and key, kept by their shape."""

    def __init__(
        self,
        queue: StatementQueue,
        target: sa.Table,
        key: tuple[str, ...],
        types: Mapping[str, ColumnType],
    ) -> None:
        self.target = target
        self.key = key
        self.types = types
        self.dialect = queue.connection.dialect.name

    def statement(self, kind: str, erasures: tuple[ColumnErasure, ...]) -> Any:
        details = (kind, self.key, erasures, self.dialect)
        return _STATEMENTS.get((self.target,), details, lambda: self._build(kind, erasures))

    def keys_in(self) -> sa.ColumnElement[bool]:
        param = keys_parameter(KEYS, self.dialect, [self.types[c].type for c in self.key])
        return in_([self.target.c[c] for c in self.key], param)

    def _build(self, kind: str, erasures: tuple[ColumnErasure, ...]) -> Any:
        target, types = self.target, self.types
        keys_sql = [target.c[c] for c in self.key]
        if kind == "hash":  # the values to hash, of the rows that hold one
            (erasure,) = erasures
            column = target.c[erasure.column]
            return sa.select(*keys_sql, column).where(self.keys_in(), column.is_not(None))
        would = sa.or_(*(changes(e, target, types[e.column]) for e in erasures))
        if kind == "changing":
            return sa.select(*keys_sql).where(self.keys_in(), would)
        values = {target.c[e.column]: assignment(e, target, types[e.column]) for e in erasures}
        update = sa.update(target).values(values)
        if kind == "update":  # rows already known to change
            return update.where(self.keys_in())
        return update.where(self.keys_in(), would).returning(*keys_sql)


def _hash(
    queue: StatementQueue,
    shape: _Shape,
    keys: Sequence[Key],
    erasure: ColumnErasure,
    hash_key: bytes,
) -> list[Key]:
    """Hash one column of these rows, in Python: one implementation gives every engine the
    same hash. Values that already look hashed are left."""
    width = len(shape.key)
    query = shape.statement("hash", (erasure,))
    doing = f"erasing columns of {shape.target.name}"
    rows = [
        (tuple(row[:width]), row[width])
        for row in queue.send(query, {KEYS: key_values(keys)}, doing).rows()
        if not looks_hashed(row[width], erasure.length)
    ]
    if not rows:
        return []
    target = shape.target
    names = [f"pledge_key_{i}" for i in range(width)]
    match = [target.c[c] == sa.bindparam(n) for c, n in zip(shape.key, names, strict=True)]
    column = target.c[erasure.column]
    update = sa.update(target).where(*match).values({column: sa.bindparam("pledge_value")})
    values = [
        {
            **dict(zip(names, row_key, strict=True)),
            "pledge_value": hashed(v, hash_key, erasure.length),
        }
        for row_key, v in rows
    ]
    queue.execute_now(update, values, doing)
    return [row_key for row_key, _ in rows]
