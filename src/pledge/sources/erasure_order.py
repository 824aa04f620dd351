"""Deleting rows that other rows may refer to: children first, and never a row still referred to.

A row is deleted only when no row at all refers to it by a foreign key at that moment. Its
children that are the subject's and not held are deleted before it (tables in foreign-key
order, children first), so what still refers to it is a row that stays: a held invoice, a
row shared with someone else, another person's row, a row of a table the declaration does
not list. Deleting it anyway would fail (RESTRICT, NO ACTION), destroy that row (CASCADE) or
damage it (SET NULL): it is anonymised instead. So no foreign-key action ever fires.

The check is one SELECT per batch of keys with a NOT EXISTS per foreign key that refers to
the table, whatever table it is in. Tables that refer to each other (a cycle, or a table
that refers to itself) are deleted in passes, each taking the rows nothing refers to any
more, until a pass deletes nothing; rows left then refer to each other, and are anonymised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from pledge.sources.erasure_sql import Key, batches, key_in, locking
from pledge.sources.schema import SchemaInfo


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
    """Deletes the rows of one source's tables that nothing refers to any more."""

    def __init__(
        self,
        connection: Connection,
        tables: Mapping[str, sa.Table],
        keys: Mapping[str, tuple[str, ...]],
        refs: Mapping[str, list[Reference]],
        batch: int,
    ) -> None:
        self.connection = connection
        self.tables = tables
        self.keys = keys
        self.refs = refs
        self.batch = batch

    def delete(self, pending: dict[str, list[Key]]) -> dict[str, int]:
        """Delete what can be of `pending` (table -> keys); what is left in it could not be."""
        deleted = dict.fromkeys(pending, 0)
        for group in deletion_order([t for t in pending if pending[t]], self.refs):
            cyclic = len(group) > 1 or any(r.child == group[0] for r in self.refs.get(group[0], []))
            progress = True
            while progress:
                progress = False
                for table in group:
                    if self.connection.dialect.delete_returning:
                        free = self._delete_unreferenced(table, pending[table])
                    else:  # MySQL, MariaDB before 10.5: find them, then delete them
                        free = self._unreferenced(table, pending[table])
                        self._delete(table, free)
                    if not free:
                        continue
                    deleted[table] += len(free)
                    gone = set(free)
                    pending[table] = [k for k in pending[table] if k not in gone]
                    progress = cyclic  # a deletion may free rows of the group it referred to
        return deleted

    def referring_tables(self, table: str, keys: Sequence[Key]) -> list[str]:
        """The tables whose rows still refer to some of these rows."""
        found = []
        for ref in self.refs.get(table, []):
            target = self.tables[table]
            for chunk in batches(keys, self.batch):
                query: sa.Select[Any] = sa.select(sa.literal_column("1")).where(
                    key_in(target, self.keys[table], chunk), sa.exists(self._referring(ref))
                )
                if self.connection.execute(query.limit(1)).first() is not None:
                    found.append(ref.child)
                    break
        return list(dict.fromkeys(found))

    def _unreferenced(self, table: str, keys: Sequence[Key]) -> list[Key]:
        target = self.tables[table]
        key = self.keys[table]
        free: list[Key] = []
        for chunk in batches(keys, self.batch):
            conditions = [sa.not_(sa.exists(self._referring(r))) for r in self.refs.get(table, [])]
            query = sa.select(*(target.c[c] for c in key)).where(
                key_in(target, key, chunk), *conditions
            )
            free += [tuple(row) for row in self.connection.execute(locking(query, self.connection))]
        return free

    def _delete_unreferenced(self, table: str, keys: Sequence[Key]) -> list[Key]:
        """Delete the rows nothing refers to, in one statement per batch; their keys. The
        DELETE locks what it removes, as the FOR UPDATE of the other way does."""
        target = self.tables[table]
        key = [target.c[c] for c in self.keys[table]]
        conditions = [sa.not_(sa.exists(self._referring(r))) for r in self.refs.get(table, [])]
        gone: list[Key] = []
        for chunk in batches(keys, self.batch):
            statement = sa.delete(target).where(key_in(target, self.keys[table], chunk))
            found = self.connection.execute(statement.where(*conditions).returning(*key))
            gone += [tuple(row) for row in found]
        return gone

    def _referring(self, ref: Reference) -> sa.Select[tuple[int]]:
        return referring_rows(ref, self.tables, self.keys)

    def _delete(self, table: str, keys: Sequence[Key]) -> None:
        target = self.tables[table]
        for chunk in batches(keys, self.batch):
            statement = sa.delete(target).where(key_in(target, self.keys[table], chunk))
            self.connection.execute(statement)


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
