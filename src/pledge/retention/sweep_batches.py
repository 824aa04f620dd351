"""One pass of a sweep over one table: its batches, each committed with the store's record.

A batch is one short transaction of the company database. Inside it, once its rows are
changed, the store's record of it (the table's counts, and the journal entry with the
batch's keys, sealed) is committed, then the company's transaction commits: the journal
never misses a batch that was committed (pledge.retention.sweep_record).

A pass walks the table once: by windows of pages on PostgreSQL where it can
(pledge.retention.sweep_pages; a DELETE's keys are listed beside it, on a second connection
in a thread of its own), else in key order (pledge.retention.sweep_sql), batches
growing from FIRST_BATCH rows towards `most`, each sized from the pace of the last to take
about BATCH_SECONDS: a delete goes tens of thousands of rows at a time, an update that
rewrites several indexes fewer.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from pledge.errors import PledgeError
from pledge.retention.predicates import Condition
from pledge.retention.sweep_pages import (
    Change,
    Lister,
    NotAsListed,
    PageWalk,
    TooMany,
    Window,
    could_not_serialize,
    page_walk,
    take_window,
)
from pledge.retention.sweep_record import Tally, record_batch
from pledge.retention.sweep_sql import (
    FIRST_BATCH,
    anonymise_batch,
    batch_transaction,
    delete_batch,
    erased_values,
    last_key,
    next_size,
)
from pledge.retention.sweep_tables import SweptSource, SweptTable
from pledge.sources.erasure_sql import Key
from pledge.sources.values_codec import EncodedKeys
from pledge.store import Store

# A batch whose rows someone else changed meanwhile is undone and tried again, this often.
_TRIES = 3


@dataclass(frozen=True)
class Batches:
    """What every batch of a run needs: where its record goes, and how big it may be."""

    store: Store
    run_id: int
    journal_key: bytes
    most: int  # rows a batch may change

    def run(self, source: SweptSource, swept: SweptTable, due: Condition, tally: Tally) -> int:
        """One pass of batches over the table; how many rows they changed."""
        assert swept.table is not None
        with source.engine.connect() as connection:
            walk = page_walk(connection, swept.table, swept.key, self.most)
        if walk is not None and (swept.deletes or not _hashes(swept)):
            return self._by_pages(source, swept, due, tally, walk)
        return self._by_keys(source, swept, due, tally)

    def _by_keys(self, source: SweptSource, swept: SweptTable, due: Condition, tally: Tally) -> int:
        assert swept.table is not None
        retention = swept.retention
        after: Key | None = None
        changed = 0
        size = min(self.most, FIRST_BATCH)
        while True:
            started = time.perf_counter()
            with batch_transaction(source.engine) as connection:
                if swept.deletes:
                    keys = delete_batch(
                        connection,
                        swept.table,
                        swept.key,
                        due,
                        after=after,
                        size=size,
                        unlink=source.unlink(retention.table),
                    )
                else:
                    keys = anonymise_batch(
                        connection,
                        swept.table,
                        swept.key,
                        due,
                        erasures=swept.erasures,
                        types=swept.types,
                        hash_key=self.journal_key,
                        after=after,
                        size=size,
                    )
                if keys:
                    self._record(swept, tally, keys, len(keys), started)
            if not keys:
                return changed
            seconds = time.perf_counter() - started
            tally.longest = max(tally.longest, seconds)
            changed += len(keys)
            if len(keys) < size:
                return changed
            after = last_key(keys)
            size = next_size(size, seconds, self.most)

    def _by_pages(
        self,
        source: SweptSource,
        swept: SweptTable,
        due: Condition,
        tally: Tally,
        walk: PageWalk,
    ) -> int:
        table = swept.table
        assert table is not None
        values = {} if swept.deletes else erased_values(table, swept.erasures, swept.types)

        def change(rows: Condition) -> sa.Delete | sa.Update:
            if swept.deletes:
                return sa.delete(table).where(rows)
            return sa.update(table).where(rows).values(values)

        changed = 0
        # A DELETE's keys are listed beside it; an UPDATE, ten times slower, follows them.
        with Lister(source.engine) if swept.deletes else nullcontext() as beside:
            while walk.start < walk.end:
                started = time.perf_counter()
                try:
                    window = self._window(source, swept, due, walk, change, tally, started, beside)
                except NotAsListed:
                    walk.returning = True  # that batch was undone: again, journaling what changed
                    continue
                except TooMany as exc:
                    self._narrow(table.name, walk, exc.count, tally, started)
                    continue
                seconds = time.perf_counter() - started
                if window.count:
                    tally.longest = max(tally.longest, seconds)
                    changed += window.count
                walk.advance(window, seconds, self.most)
        return changed

    def _narrow(self, name: str, walk: PageWalk, count: int, tally: Tally, started: float) -> None:
        """After a window undone for holding `count` due rows: a narrower one."""
        # Nothing was recorded, but the undone batch held its locks as long as it ran.
        tally.longest = max(tally.longest, time.perf_counter() - started)
        if not walk.narrow(count, self.most):
            raise PledgeError(
                f"{name}: more than {self.most} due rows in one page", "sweep with a bigger batch"
            )

    def _window(
        self,
        source: SweptSource,
        swept: SweptTable,
        due: Condition,
        walk: PageWalk,
        change: Change,
        tally: Tally,
        started: float,
        beside: Lister | None,
    ) -> Window:
        """The walk's next window, done and recorded; tried again when its rows changed
        under it."""
        assert swept.table is not None
        for attempt in range(1, _TRIES + 1):
            try:
                with batch_transaction(source.engine, repeatable=True) as connection:
                    window = take_window(
                        connection, swept.table, swept.key[0], due, walk, self.most, change, beside
                    )
                    if window.count:
                        self._record(swept, tally, window.keys, window.count, started)
                    return window
            except DBAPIError as exc:
                # Raised by the change, before anything was recorded: nothing to take back.
                if attempt == _TRIES or not could_not_serialize(exc):
                    raise
        raise AssertionError("unreachable")

    def _record(
        self,
        swept: SweptTable,
        tally: Tally,
        keys: list[Key] | EncodedKeys,
        count: int,
        started: float,
    ) -> None:
        """The batch into the tally, and the tally and keys into the store."""
        if swept.deletes:
            tally.deleted += count
        else:
            tally.anonymised += count
        tally.batches += 1
        tally.longest = max(tally.longest, time.perf_counter() - started)
        record_batch(
            self.store,
            self.run_id,
            swept.retention,
            keys,
            tally=tally,
            journal_key=self.journal_key,
        )


def _hashes(swept: SweptTable) -> bool:
    """Whether anonymising hashes a column: done in Python, by key."""
    return any(e.action == "hash" for e in swept.erasures)
