"""Erasing again, in a database restored from a backup, what the journal says must stay gone.

A backup taken before a sweep or an erasure holds the rows they removed; restoring it brings
them back. `replay_erasures` reads the journal (pledge.retention.journal) and re-applies
each entry to the restored databases, oldest entry first within a table:

- "deleted": the rows still present are deleted, the tables of a source children first as
  the erasure orders them (pledge.sources.erasure_order). A row that a row staying refers
  to is not deleted (no ON DELETE action ever fires): its declared columns are erased
  instead, and the report says so.
- "anonymised": the table's declared columns are erased on those rows, by the erasure's own
  code (pledge.sources.erasure_writes.erase_columns); rows already erased are left alone.
- "part_anonymised": rows a legal hold kept for some categories only; of their declared
  columns, only those the entry names (the ones the erasure erased) are erased again, so
  the columns the hold kept stay as the backup has them.

So replaying twice changes nothing the second time. Every statement names a batch of keys
(`IN`, or the row-value form for composite keys). Each journal entry is replayed in a
transaction of its own, so a replay interrupted half-way is simply run again; a dry run
does the same work in one transaction per source and rolls it back, so its counts are
exact. Columns are erased as the declaration in force says now.

Replay what was recorded since the backup was taken (`since`): an older entry may name a key
that a database has since given to a new row (SQLite without AUTOINCREMENT reuses the
highest key; a natural key such as an email address comes back), which the backup holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.retention.journal import (
    Action,
    Place,
    count_entries,
    journal_entries,
    journaled_places,
    open_keys,
)
from pledge.retention.replay_report import ReplayReport, TableReplay, Tally
from pledge.services import Keys
from pledge.sources.erasure_columns import ColumnErasure, ColumnType
from pledge.sources.erasure_order import Deleter, deletion_order, references
from pledge.sources.erasure_sql import Key, batches, erasure_transaction, key_in
from pledge.sources.erasure_steps import table_columns
from pledge.sources.erasure_writes import send_erase_columns
from pledge.sources.plan_sql import sql_tables
from pledge.sources.schema import reflect_schema
from pledge.sources.statement_queue import StatementQueue
from pledge.store import Store

__all__ = ["BATCH", "ReplayReport", "TableReplay", "replay_erasures"]

BATCH = 1000  # keys per statement


def replay_erasures(
    store: Store,
    declaration: Declaration,
    engines: Mapping[str, Engine],
    keys: Keys,
    *,
    since: dt.datetime | None = None,
    dry_run: bool = False,
    batch: int = BATCH,
) -> ReplayReport:
    """Re-apply the journal's entries (those recorded at or after `since`) to `engines`."""
    if since is not None and since.tzinfo is None:
        raise PledgeError("the time to replay from needs a time zone", "use UTC")
    tallies: list[Tally] = []
    with store.session() as session:
        entries = count_entries(session, since=since)
        places = journaled_places(session, since=since)
        for source in dict.fromkeys(p.source for p in places):
            here = [p for p in places if p.source == source]
            engine = engines.get(source)
            if engine is None:
                tallies += _not_connected(session, source, here, since)
                continue
            replay = _SourceReplay(session, source, engine, declaration, keys, since, batch)
            replay.run(here, dry_run=dry_run)
            tallies += replay.tallies.values()
    return ReplayReport(dry_run, entries, tuple(t.freeze() for t in tallies))


class _RolledBack(Exception):
    """Ends a dry run's transaction, undoing what it did."""


class _SourceReplay:
    """The replay of one source's entries, table by table."""

    def __init__(
        self,
        session: Session,
        source: str,
        engine: Engine,
        declaration: Declaration,
        keys: Keys,
        since: dt.datetime | None,
        batch: int,
    ) -> None:
        self.session = session
        self.source = source
        self.engine = engine
        self.declared = declaration.sources.get(source)
        self.key = keys.package
        self.since = since
        self.batch = batch
        self.schema = reflect_schema(engine)
        self.refs = references(self.schema)
        self.tables = sql_tables(self.schema, list(self.schema.tables))
        self.keys = {t: info.primary_key for t, info in self.schema.tables.items()}
        self.tallies: dict[str, Tally] = {}
        self.shared: Connection | None = None
        self.doing = "starting its transaction"
        self._columns: dict[str, tuple[dict[str, ColumnType], list[ColumnErasure]] | None] = {}

    def run(self, places: Sequence[Place], *, dry_run: bool) -> None:
        for place in places:
            self.tally(place.table)
        try:
            if not dry_run:
                self._replay(places)
                return
            try:
                with erasure_transaction(self.engine) as connection:
                    self.shared = connection
                    self._replay(places)
                    raise _RolledBack
            except _RolledBack:
                pass
        except DBAPIError as exc:
            # The database's own message may quote a value: only its kind is repeated.
            raise PledgeError(
                f"replaying the journal in source '{self.source}' failed while {self.doing}: "
                f"the database refused it ({type(exc.orig).__name__})",
                "what was replayed before stays replayed; correct the cause and run it again",
            ) from None
        finally:
            self.shared = None

    def tally(self, table: str) -> Tally:
        return self.tallies.setdefault(table, Tally(self.source, table))

    def _replay(self, places: Sequence[Place]) -> None:
        usable = [p.table for p in places if self._usable(p)]
        deleting = [p.table for p in places if p.action == "deleted" and p.table in usable]
        for group in deletion_order(deleting, self.refs):
            if self._cyclic(group):
                # Rows of tables that refer to each other may only go together: all at once.
                pending: dict[str, list[Key]] = {t: [] for t in group}
                for table in group:
                    for _, found in self._entries(table, "deleted"):
                        pending[table] += found
                self._delete(pending)
                continue
            for _, found in self._entries(group[0], "deleted"):
                self._delete({group[0]: found})
        for place in places:
            if place.table not in usable:
                continue
            if place.action == "anonymised":
                for _, found in self._entries(place.table, "anonymised"):
                    self._anonymise(place.table, found)
            elif place.action == "part_anonymised":
                for columns, found in self._entries(place.table, "part_anonymised"):
                    self._anonymise_in_part(place.table, found, columns)

    def _usable(self, place: Place) -> bool:
        tally = self.tally(place.table)
        if place.table not in self.schema.tables:
            tally.notes["the table is not in the database: not replayed"] = None
        elif not self.keys[place.table]:
            tally.notes["the table has no primary key any more: not replayed"] = None
        else:
            return True
        tally.journaled += self._count(place)
        return False

    def _count(self, place: Place) -> int:
        found = journal_entries(
            self.session,
            source=self.source,
            table=place.table,
            action=place.action,
            since=self.since,
        )
        return sum(entry.count for entry in found)

    def _entries(self, table: str, action: Action) -> Iterator[tuple[list[str], list[Key]]]:
        """The columns erased (for "part_anonymised") and the keys of each entry, oldest
        first, counted as journaled; keys of another width than the table's primary key (it
        changed since) are left out, with a note."""
        tally = self.tally(table)
        width = len(self.keys[table])
        for entry in journal_entries(
            self.session, source=self.source, table=table, action=action, since=self.since
        ):
            tally.journaled += entry.count
            keys = open_keys(entry, self.key)
            fitting = [k for k in keys if len(k) == width]
            if len(fitting) < len(keys):
                tally.notes[
                    "its primary key changed since some entries were written: those were "
                    "not replayed"
                ] = None
            if fitting:
                yield list(entry.columns or ()), fitting

    def _cyclic(self, group: Sequence[str]) -> bool:
        first = group[0]
        return len(group) > 1 or any(r.child == first for r in self.refs.get(first, []))

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        if self.shared is not None:
            yield self.shared
            return
        with erasure_transaction(self.engine) as connection:
            yield connection

    def _delete(self, pending: dict[str, list[Key]]) -> None:
        with self._transaction() as connection:
            self.doing = f"deleting rows of {', '.join(pending)}"
            deleter = Deleter(StatementQueue(connection), self.schema, self.refs, self.batch)
            for table, count in deleter.delete(pending).items():
                self.tally(table).deleted += count
                self.tally(table).found += count
            for table, left in pending.items():
                # What is left was gone already, or is referred to by a row that stays.
                present = self._present(connection, table, left)
                if not present:
                    continue
                tally = self.tally(table)
                tally.found += len(present)
                tally.referenced += len(present)
                tally.referring.update(dict.fromkeys(deleter.referring_tables(table, present)))
                tally.anonymised += len(self._erase(connection, table, present))

    def _anonymise(self, table: str, keys: Sequence[Key]) -> None:
        with self._transaction() as connection:
            changed = self._erase(connection, table, keys)
            self.tally(table).found += len(changed)
            self.tally(table).anonymised += len(changed)

    def _anonymise_in_part(self, table: str, keys: Sequence[Key], columns: Sequence[str]) -> None:
        tally = self.tally(table)
        if not columns:  # written before the store recorded them (a downgrade and back)
            tally.notes["entries without the columns erased: not replayed"] = None
            return
        with self._transaction() as connection:
            changed = self._erase(connection, table, keys, only=columns)
            tally.found += len(changed)
            tally.anonymised += len(changed)
            tally.in_part += len(changed)
            tally.part_columns.update(dict.fromkeys(columns))

    def _erase(
        self,
        connection: Connection,
        table: str,
        keys: Sequence[Key],
        *,
        only: Sequence[str] | None = None,
    ) -> set[Key]:
        """Erase the declared columns of these rows (of them, `only` those named); the keys
        of the rows that changed."""
        plan = self._column_plan(table)
        if plan is None:
            self.tally(table).notes[
                "the table is not declared any more: its columns cannot be erased again"
            ] = None
            return set()
        types, erasures = plan
        if only is not None:
            erasures = [e for e in erasures if e.column in only]
            if not erasures:
                return set()
        self.doing = f"erasing columns of {table}"
        erase = send_erase_columns(
            StatementQueue(connection),
            self.tables[table],
            self.keys[table],
            types,
            keys,
            erasures,
            hash_key=self.key,
            batch=self.batch,
        )
        return erase()

    def _column_plan(self, table: str) -> tuple[dict[str, ColumnType], list[ColumnErasure]] | None:
        if table not in self._columns:
            declared = self.declared.tables.get(table) if self.declared else None
            if declared is None:
                self._columns[table] = None
            else:
                types, columns, _ = table_columns(
                    table, declared, self.schema, self.refs, self.keys[table]
                )
                erasable = [c for c in columns.values() if c.action != "keep"]
                self._columns[table] = (types, erasable)
        return self._columns[table]

    def _present(self, connection: Connection, table: str, keys: Sequence[Key]) -> list[Key]:
        target = self.tables[table]
        key = self.keys[table]
        found: list[Key] = []
        for chunk in batches(keys, self.batch):
            query = sa.select(*(target.c[c] for c in key)).where(key_in(target, key, chunk))
            found += [tuple(row) for row in connection.execute(query)]
        return found


def _not_connected(
    session: Session, source: str, places: Sequence[Place], since: dt.datetime | None
) -> list[Tally]:
    tallies: dict[str, Tally] = {}
    for place in places:
        tally = tallies.setdefault(place.table, Tally(source, place.table))
        for entry in journal_entries(
            session, source=source, table=place.table, action=place.action, since=since
        ):
            tally.journaled += entry.count
        tally.notes[f"source '{source}' is not declared or not connected: not replayed"] = None
    return list(tallies.values())
