"""Deleting rows that other rows may refer to: children first, and never a row still referred to.

A row is deleted only when no row at all refers to it by a foreign key at that moment. Its
children that are the subject's and not held are deleted before it (tables in foreign-key
order, children first), so what still refers to it is a row that stays: a held invoice, a
row shared with someone else, another person's row, a row of a table the declaration does
not list. Deleting it anyway would fail (RESTRICT, NO ACTION), destroy that row (CASCADE) or
damage it (SET NULL): it is anonymised instead. So no foreign-key action ever fires.

The check is part of the DELETE itself (a NOT EXISTS per foreign key that refers to the
table, whatever table it is in), which returns the keys it took; MySQL and MariaDB, which
cannot return them, are asked first with a SELECT ... FOR UPDATE. Tables that refer to each
other (a cycle, or a table that refers to itself) are deleted in passes, each taking the
rows nothing refers to any more, until a pass deletes nothing; rows left then refer to each
other, and are anonymised.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from pledge.sources.erasure_sql import KEYS, Key, batches, locking
from pledge.sources.plan_cache import ShapeCache
from pledge.sources.plan_sql import found_parameter, in_, key_values, sql_tables
from pledge.sources.schema import SchemaInfo
from pledge.sources.statement_queue import Queued, StatementQueue

# Statements by schema, table and kind: the same objects each time, compiled once.
_STATEMENTS = ShapeCache(size=1024)


@dataclass(frozen=True)
class Reference:
    """Rows of `child` whose `child_columns` refer to `parent_columns` of a `parent` row."""

    child: str
    child_columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]


def references(schema: SchemaInfo) -> dict[str, list[Reference]]:
    """Per table, every foreign key in the database that refers to it."""
    found: dict[str, list[Reference]] = {}
    for table in schema.tables.values():
        for fk in table.foreign_keys:
            if fk.referred_table in schema.tables:
                ref = Reference(table.name, fk.columns, fk.referred_table, fk.referred_columns)
                found.setdefault(fk.referred_table, []).append(ref)
    return found


def deletion_order(tables: Sequence[str], refs: Mapping[str, list[Reference]]) -> list[list[str]]:
    """The tables in groups that refer to each other, each group after those referring to it."""
    children = {t: {r.child for r in refs.get(t, []) if r.child in tables} for t in tables}
    groups = _components(tables, children)
    position = {t: i for i, group in enumerate(groups) for t in group}
    ordered: list[list[str]] = []
    done: set[int] = set()

    def visit(index: int) -> None:
        if index in done:
            return
        done.add(index)
        for table in groups[index]:
            for child in sorted(children[table]):
                visit(position[child])
        ordered.append(groups[index])

    for index in range(len(groups)):
        visit(index)
    return ordered


def _components(tables: Sequence[str], edges: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan), iteratively: tables that refer to each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for start in tables:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, pending = work[-1]
            advanced = False
            for nxt in pending:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(edges[nxt]))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    group.append(top)
                    if top == node:
                        break
                groups.append(sorted(group))
    return groups


class Deleter:
    """Deletes the rows of one source's tables that nothing refers to any more.

    Its statements go through a queue (pledge.sources.statement_queue): on PostgreSQL the
    deletes of every table, children first, reach the server in one round trip."""

    def __init__(
        self,
        queue: StatementQueue,
        schema: SchemaInfo,
        refs: Mapping[str, list[Reference]],
        batch: int,
    ) -> None:
        self.queue = queue
        self.schema = schema
        self.tables = sql_tables(schema, list(schema.tables))
        self.keys = {t: info.primary_key for t, info in schema.tables.items()}
        self.refs = refs
        self.batch = batch

    def delete(self, pending: dict[str, list[Key]]) -> dict[str, int]:
        """Delete what can be of `pending` (table -> keys); what is left in it could not be."""
        return self.send(pending)()

    def send(self, pending: dict[str, list[Key]]) -> Callable[[], dict[str, int]]:
        """Send the deletes of `pending`, children first. The function returned gives the
        rows deleted per table, and leaves in `pending` what could not be deleted."""
        deleted = dict.fromkeys(pending, 0)
        sent: list[tuple[str, list[Queued]]] = []
        for group in deletion_order([t for t in pending if pending[t]], self.refs):
            (first, *others) = group
            if not others and all(r.child != first for r in self.refs.get(first, [])):
                sent.append((first, self._send_table(first, pending[first])))
                continue
            # Tables that refer to each other go in passes, each waiting for the last: a
            # deletion may free rows of the group it referred to.
            _settle(sent, pending, deleted)
            sent = []
            progress = True
            while progress:
                passes = [(t, self._send_table(t, pending[t])) for t in group]
                progress = _settle(passes, pending, deleted)

        def settle() -> dict[str, int]:
            _settle(sent, pending, deleted)
            return deleted

        return settle

    def referring_tables(self, table: str, keys: Sequence[Key]) -> list[str]:
        """The tables whose rows still refer to some of these rows."""
        return self.send_referring(table, keys)()

    def send_referring(self, table: str, keys: Sequence[Key]) -> Callable[[], list[str]]:
        """Send the question `referring_tables` answers, for the rows still there when it
        runs: asked right after the deletes, for the rows they could not delete."""
        refs = self.refs.get(table, [])
        if not refs or not keys:
            return list
        statement = _STATEMENTS.get(
            (self.schema,), ("referring", table), lambda: self._referring_statement(table)
        )
        doing = f"looking at what refers to {table}"
        sent = [
            self.queue.send(statement, {KEYS: key_values(chunk)}, doing)
            for chunk in batches(keys, self.batch)
        ]

        def found() -> list[str]:
            rows = [row for queued in sent for row in queued.rows()]
            held = [ref.child for i, ref in enumerate(refs) if any(row[i] for row in rows)]
            return list(dict.fromkeys(held))

        return found

    def _send_table(self, table: str, keys: Sequence[Key]) -> list[Queued]:
        """The deletes of these rows of one table, each giving the keys of the rows it took."""
        sent = []
        for chunk in batches(keys, self.batch):
            params = {KEYS: key_values(chunk)}
            if self.queue.connection.dialect.delete_returning:
                statement = self._statement("delete", table, self._delete_unreferenced)
                sent.append(self.queue.send(statement, params, "deleting rows"))
            else:  # MySQL, MariaDB before 10.5: find them, then delete them
                query = self._statement("unreferenced", table, self._unreferenced)
                free = self.queue.send(query, params, "deleting rows").rows()
                if free:
                    delete = self._statement("delete by key", table, self._delete_by_key)
                    self.queue.send(delete, {KEYS: key_values(free)}, "deleting rows")
                sent.append(Queued(self.queue, free))
        return sent

    def _statement(self, kind: str, table: str, build: Callable[[str], Any]) -> Any:
        return _STATEMENTS.get((self.schema,), (kind, table), lambda: build(table))

    def _keys_in(self, table: str) -> ColumnElement[bool]:
        target = self.tables[table]
        param = found_parameter(KEYS, self.schema, table)
        return in_([target.c[c] for c in self.keys[table]], param)

    def _free(self, table: str) -> list[ColumnElement[bool]]:
        return [sa.not_(sa.exists(self._referring(r))) for r in self.refs.get(table, [])]

    def _unreferenced(self, table: str) -> sa.Select[Any]:
        target = self.tables[table]
        query = sa.select(*(target.c[c] for c in self.keys[table]))
        return locking(query.where(self._keys_in(table), *self._free(table)), self.queue.connection)

    def _delete_unreferenced(self, table: str) -> Any:
        """One statement deletes the rows nothing refers to and gives their keys. The
        DELETE locks what it removes, as the FOR UPDATE of the other way does."""
        target = self.tables[table]
        key = [target.c[c] for c in self.keys[table]]
        statement = sa.delete(target).where(self._keys_in(table), *self._free(table))
        return statement.returning(*key)

    def _delete_by_key(self, table: str) -> sa.Delete:
        return sa.delete(self.tables[table]).where(self._keys_in(table))

    def _referring_statement(self, table: str) -> sa.Select[Any]:
        """One row: per foreign key that refers to the table, 1 when a row of it still
        refers to one of the given rows."""
        flags = [
            sa.func.max(sa.case((sa.exists(self._referring(ref)), 1), else_=0))
            for ref in self.refs.get(table, [])
        ]
        return sa.select(*flags).select_from(self.tables[table]).where(self._keys_in(table))

    def _referring(self, ref: Reference) -> sa.Select[tuple[int]]:
        return referring_rows(ref, self.tables, self.keys)


def _settle(
    sent: Sequence[tuple[str, list[Queued]]],
    pending: dict[str, list[Key]],
    deleted: dict[str, int],
) -> bool:
    """Count what the sent deletes took and take it out of `pending`; whether any did."""
    progress = False
    for table, queued in sent:
        gone = {tuple(row) for one in queued for row in one.rows()}
        if gone:
            progress = True
            deleted[table] += len(gone)
            pending[table] = [k for k in pending[table] if k not in gone]
    return progress


def referring_rows(
    ref: Reference, tables: Mapping[str, sa.Table], keys: Mapping[str, tuple[str, ...]]
) -> sa.Select[tuple[int]]:
    """Rows of the child table that refer to the outer query's row of the parent."""
    parent = tables[ref.parent]
    child: sa.FromClause = tables[ref.child]
    if ref.child == ref.parent:
        child = child.alias("pledge_referring")
    match: list[ColumnElement[bool]] = [
        child.c[c] == parent.c[p]
        for c, p in zip(ref.child_columns, ref.parent_columns, strict=True)
    ]
    if ref.child == ref.parent and keys[ref.parent]:
        # A row that refers to itself does not keep itself from being deleted.
        same = [child.c[k] == parent.c[k] for k in keys[ref.parent]]
        match.append(sa.not_(sa.and_(*same)))
    query: sa.Select[tuple[int]] = sa.select(sa.literal_column("1")).select_from(child)
    return query.where(*match).correlate(parent)
