"""The archive pass of a sweep over one table: rows past their active period moved into the
archive in Pledge's store (pledge.retention.archive), one batch at a time.

The rows to archive are due under the table's rules as its active base ends, and not yet as
they end for good (SweptTable.to_archive); the pass takes those that nothing staying refers
to, and those referred to that still have declared columns to erase. Each batch is one short
transaction of the company database, in key order as pledge.retention.sweep_sql's are:

1. ONE query reads its rows, locked (up to `size`, after the last batch's key): their key,
   declared columns and the dates the rules count from, whether a row that stays refers to
   each, and whether its columns are erased already;
2. the rows nothing refers to are deleted; the others are anonymised as a delete sweep
   anonymises a row it cannot delete (pledge.retention.sweep_tables says which columns stay);
3. inside the company's transaction, the store's record of it commits: the rows sealed into
   the archive, each with the end of its archive, the journal of their keys (deleted or
   anonymised), and the table's counts (pledge.retention.sweep_record).

A row archived and anonymised in place is taken again once nothing refers to it, with its
columns erased: it is then deleted without being archived again when the archive holds its
key already (by digest). A row past its archive as well is the table's ordinary pass's: it
is deleted without being archived.

Where an archived row's archive ends is worked out per row, from the dates its rules count
from (a DATE: the day after the last kept; a DATETIME: at its minute), the latest of them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pledge.retention.archive import Archived, archived_digests, key_digest
from pledge.retention.cutoffs import Period
from pledge.retention.people import PersonRows
from pledge.retention.predicates import Condition
from pledge.retention.rules import RuleRetention
from pledge.retention.sweep_record import Tally, record_archive_batch
from pledge.retention.sweep_sql import (
    anonymise_batch,
    batch_transaction,
    delete_batch,
    key_after,
    last_key,
)
from pledge.retention.sweep_tables import SweptSource, SweptTable
from pledge.sources.erasure_sql import Key, key_in, locking
from pledge.store import Store

# Rows per batch at most: each is read whole and sealed one by one in Python.
ARCHIVE_BATCH = 1000
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class _Picked:
    """A row a batch took: its key, the values read, and what becomes of it."""

    key: Key
    values: dict[str, Any]
    referenced: bool
    erased: bool  # its declared columns have nothing left to erase


@dataclass(frozen=True)
class ArchivePass:
    """What every batch of the archive pass needs."""

    store: Store
    run_id: int
    package_key: bytes
    most: int  # rows a batch may take
    as_of: dt.datetime
    people: PersonRows | None

    def run(self, source: SweptSource, swept: SweptTable, tally: Tally) -> int:
        """Archive the table's rows past their active period; how many rows it changed."""
        assert swept.table is not None and swept.active is not None
        take = taken(source, swept, self.as_of, self.people)
        size = max(1, min(self.most, ARCHIVE_BATCH))
        after: Key | None = None
        changed = 0
        while True:
            started = time.perf_counter()
            with batch_transaction(source.engine) as connection:
                picked = _pick(connection, source, swept, take, after, size)
                if picked:
                    self._batch(connection, source, swept, picked, tally, started)
            if not picked:
                return changed
            changed += len(picked)
            tally.longest = max(tally.longest, time.perf_counter() - started)
            if len(picked) < size:
                return changed
            after = last_key([p.key for p in picked])

    def _batch(
        self,
        connection: Connection,
        source: SweptSource,
        swept: SweptTable,
        picked: Sequence[_Picked],
        tally: Tally,
        started: float,
    ) -> None:
        """Delete or anonymise the batch's rows, then record it, archive and journal."""
        assert swept.table is not None
        retention = swept.retention
        gone = [p.key for p in picked if not p.referenced]
        kept = [p.key for p in picked if p.referenced]
        deleted: list[Key] = []
        if gone:
            rows = key_in(swept.table, swept.key, gone)
            unlink = source.unlink(retention.table)
            deleted = delete_batch(
                connection, swept.table, swept.key, rows, after=None, size=len(gone), unlink=unlink
            )
        anonymised: list[Key] = []
        if kept:
            anonymised = anonymise_batch(
                connection,
                swept.table,
                swept.key,
                key_in(swept.table, swept.key, kept),
                erasures=swept.erasures,
                types=swept.types,
                hash_key=self.package_key,
                after=None,
                size=len(kept),
            )
        archived = self._archived(swept, picked)
        tally.archived += len(archived)
        tally.deleted += len(picked) - len(archived)  # archived once already, now freed
        tally.anonymised += len(anonymised)
        tally.batches += 1
        tally.longest = max(tally.longest, time.perf_counter() - started)  # as recorded
        record_archive_batch(
            self.store,
            self.run_id,
            retention,
            archived=archived,
            deleted=deleted,
            anonymised=anonymised,
            tally=tally,
            journal_key=self.package_key,
        )

    def _archived(self, swept: SweptTable, picked: Sequence[_Picked]) -> list[Archived]:
        """The batch's rows as the archive takes them: all but those it holds already."""
        retention = swept.retention
        place = (retention.source, retention.table)
        digest = {
            p.key: key_digest(self.package_key, retention.source, retention.table, p.key)
            for p in picked
            if p.erased and not p.referenced
        }
        with self.store.session() as session:
            known = archived_digests(
                session, source=retention.source, table=retention.table, digests=digest.values()
            )
        found = []
        for p in picked:
            if p.key in digest and digest[p.key] in known:
                continue
            until, rule = _until(retention.rules, p.values, p.key, place, self.people, self.as_of)
            found.append(
                Archived(
                    key=dict(zip(swept.key, p.key, strict=True)),
                    columns={c: p.values[c] for c in swept.archived_columns},
                    rule=rule,
                    until=until,
                )
            )
        return found


def taken(
    source: SweptSource, swept: SweptTable, as_of: dt.datetime, people: PersonRows | None
) -> Condition:
    """The rows the archive pass takes: past their active period, and either referred to by
    no row that stays, or with declared columns still to erase."""
    assert swept.table is not None
    refers = source.referenced(swept.retention.table)
    return sa.and_(swept.to_archive(as_of, people), sa.or_(sa.not_(refers), _erasable(swept)))


def would_archive(
    source: SweptSource, swept: SweptTable, as_of: dt.datetime, people: PersonRows | None
) -> tuple[Condition, Condition]:
    """A dry run's conditions: the rows the pass would archive (those archived earlier and
    freed since included), and the rows past their active period that rows staying would
    still refer to."""
    refers = source.referenced_after(swept.retention.table, as_of, people)
    due = swept.to_archive(as_of, people)
    return sa.and_(due, sa.or_(sa.not_(refers), _erasable(swept))), sa.and_(due, refers)


def left_referenced(
    source: SweptSource, swept: SweptTable, as_of: dt.datetime, people: PersonRows | None
) -> Condition:
    """The rows past their active period that rows staying refer to: kept in place."""
    return sa.and_(swept.to_archive(as_of, people), source.referenced(swept.retention.table))


def _erasable(swept: SweptTable) -> Condition:
    return swept.to_anonymise() if swept.erasures else sa.false()


def _pick(
    connection: Connection,
    source: SweptSource,
    swept: SweptTable,
    take: Condition,
    after: Key | None,
    size: int,
) -> list[_Picked]:
    """The batch's rows, read and locked in ONE query."""
    table = swept.table
    assert table is not None
    key = [table.c[c] for c in swept.key]
    names = list(dict.fromkeys([*swept.archived_columns, *_date_columns(swept.retention.rules)]))
    flags = [
        sa.case((source.referenced(swept.retention.table), 1), else_=0),
        sa.case((_erasable(swept), 0), else_=1) if swept.erasures else sa.literal(0),
    ]
    query = sa.select(*key, *(table.c[n] for n in names), *flags).where(take)
    if after is not None:
        query = query.where(key_after(key, after))
    query = locking(query.order_by(*key).limit(size), connection)
    found = []
    width = len(key)
    for row in connection.execute(query).all():
        values = dict(zip(names, row[width : width + len(names)], strict=True))
        referenced, erased = row[width + len(names) :]
        found.append(_Picked(tuple(row[:width]), values, bool(referenced), bool(erased)))
    return found


def _date_columns(rules: Sequence[RuleRetention]) -> list[str]:
    return [c for rule in rules for c in (rule.column, rule.fallback) if c is not None]


def _until(
    rules: Sequence[RuleRetention],
    values: Mapping[str, Any],
    key: Key,
    place: tuple[str, str],
    people: PersonRows | None,
    as_of: dt.datetime,
) -> tuple[dt.datetime, str]:
    """When the row's archive ends, and the rule that keeps it longest: the row goes once
    every rule has ended for it, archives counted in."""
    ends = []
    for rule in rules:
        if rule.problem is not None or rule.duration is None:
            continue
        start = _start(rule, values, key, place, people)
        if start is not None:
            ends.append((_end(rule.duration, start), rule.name))
    if not ends:
        # Cannot happen to a row the rules let go; counted from today, it is never early.
        ends = [(_end(r.duration, as_of), r.name) for r in rules if r.duration is not None]
    return max(ends, key=lambda end: end[0])


def _start(
    rule: RuleRetention,
    values: Mapping[str, Any],
    key: Key,
    place: tuple[str, str],
    people: PersonRows | None,
) -> Any:
    if rule.recorded:
        return people.trigger_dates(place, rule.trigger or "").get(key) if people else None
    value = values.get(rule.column) if rule.column is not None else None
    if value is None and rule.fallback is not None:
        value = values.get(rule.fallback)
    return value


def _end(period: Period, start: Any) -> dt.datetime:
    """The moment from which a rule counting `period` from `start` has ended, as the sweep
    judges it (pledge.retention.cutoffs)."""
    if isinstance(start, str):
        text = start.strip()
        start = dt.date.fromisoformat(text) if len(text) <= 10 else dt.datetime.fromisoformat(text)
    if isinstance(start, dt.datetime):
        moment = start if start.tzinfo is not None else start.replace(tzinfo=dt.UTC)
        moment = moment.astimezone(dt.UTC)
        return dt.datetime.combine(period.after(moment.date()), moment.timetz())
    return dt.datetime.combine(period.after(start) + _ONE_DAY, dt.time(tzinfo=dt.UTC))
