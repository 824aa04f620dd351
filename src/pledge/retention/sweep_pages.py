"""A sweep's batches on PostgreSQL: windows of the table's pages rather than runs of keys.

Finding the next rows down the key's index visits them one index entry at a time, and
changing them by key descends the index again per row: on a large table that costs more
than the change itself. On PostgreSQL 14 and later an ordinary table is taken a window of
pages at a time instead (`ctid >= '(a,0)' AND ctid < '(b,0)'`: a TID range scan reads those
pages in order, as a sequential scan does). A batch is one REPEATABLE READ transaction that
takes two statements over its window:

1. the listing: how many of its rows are due, and their keys, as the journal's JSON written
   by the database (`{"column": [...]}`, see pledge.sources.values_codec): no row per key is
   read into Python. It reads at most `most` + 1 rows;
2. the DELETE, or the anonymising UPDATE, of the window's due rows.

Both statements see the same snapshot, so the second changes exactly the rows the first
listed. A listed row that someone else changes in between makes the second fail (could not
serialize) instead of changing what was not listed; the batch is then tried again. The
counts are checked too: where they differ (a trigger that skips deletes, a rule), the batch
is undone, and from then on the change returns the keys of what it changed (`RETURNING`),
which the journal takes instead, and follows its listing.

An UPDATE follows its listing, and a window holding more than `most` due rows is halved before
anything changes: an UPDATE rewrites every index and costs ten times its listing. A DELETE
costs about twice its listing, and does not wait for it: the listing runs beside it, in a
thread of its own (Lister), on another connection that takes the snapshot of the batch's
transaction (`pg_export_snapshot()`, then `SET TRANSACTION SNAPSHOT`), so that it lists what
the DELETE sees, on another core. The batch commits once both are done. A window found to hold
more than `most` due rows is then undone after its DELETE (rolled back, nothing recorded) and
narrowed to the density it showed (TooMany, PageWalk.narrow); the undone attempt counts towards
the longest batch, as it held its locks as long. (One statement that deletes and aggregates
the keys it returns, `WITH gone AS (DELETE ... RETURNING key) SELECT json_agg(key)`, costs as
much as the DELETE and its listing one after the other: RETURNING reads each deleted row again.)

Each window is sized from the last: at most fourfold bigger, about BATCH_SECONDS long at the
pace just seen, and at most `most` rows at the density just seen. The first spans about
FIRST_BATCH rows. None spans more than WIDEST times `most` rows at the table's average
density: that bounds what a DELETE undone for holding too many rows did in vain, when pages
full of due rows follow pages with few. Rows added to the table after a pass began are the
next sweep's.

Only for tables with a one-column key of integers or texts, which the journal's JSON holds as
they are, and `most` of PAGE_WALK_FROM rows or more (a page holds at most 1,165 rows, at the
largest page size): others walk their keys (pledge.retention.sweep_sql).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement

from pledge.errors import PledgeError
from pledge.retention.sweep_sql import BATCH_SECONDS, FIRST_BATCH, plain_key
from pledge.sources.values_codec import COLUMN, EncodedKeys

PAGE_WALK_FROM = 2000
# How full of rows a window is meant to be, at the density of the last: room for variation.
_FILL = 0.9
_GUESSED_ROWS_PER_PAGE = 100.0  # a table never analysed
# A window spans at most the pages that hold this many times `most` rows, on average.
WIDEST = 4
# What pg_export_snapshot() gives: written into SET TRANSACTION SNAPSHOT, which takes no
# parameters.
_SNAPSHOT = re.compile(r"[0-9A-F]+(-[0-9A-F]+)+")

Change = Callable[[ColumnElement[bool]], sa.Delete | sa.Update]
# A window's listing: how many due rows, and their keys as the journal's JSON.
Listing = sa.Select[int, str | None]


class NotAsListed(Exception):
    """The change touched other rows than the batch listed (a trigger that skips or redirects
    deletes, a rule): the batch must be undone, and done again with a change that returns
    the keys of what it changed (RETURNING), for the rest of the pass."""


class TooMany(Exception):
    """A window held more due rows than a batch may take, found after its DELETE: the batch
    must be undone, and the window narrowed (PageWalk.narrow)."""

    def __init__(self, count: int) -> None:
        super().__init__(f"a window held {count} due rows")
        self.count = count


class _Tid(sa.types.UserDefinedType[str]):
    """PostgreSQL's row address: (page, item)."""

    cache_ok = True

    def get_col_spec(self, **_: Any) -> str:
        return "tid"


@dataclass
class PageWalk:
    """Where a pass over a table's pages is, and how many pages its next window spans."""

    end: int  # the table's pages when the pass began
    span: int
    start: int = 0
    widest: int = 2**62  # pages a window may span at most
    # Set once a change did not do what was listed: the change then returns its own keys.
    returning: bool = False

    def advance(self, window: Window, seconds: float, most: int) -> None:
        """Past the window just done; the next one sized from its pace and density."""
        done = window.stop - self.start
        self.start = window.stop
        by_time = done * BATCH_SECONDS / seconds if seconds > 0 else math.inf
        by_rows = done * _FILL * most / window.count if window.count else math.inf
        self.span = max(1, int(min(by_time, by_rows, done * 4, self.widest)))

    def narrow(self, count: int, most: int) -> bool:
        """After the next window held `count` due rows, more than `most`: a narrower one, at
        `most` rows at the density it showed. False when it spans one page already."""
        if self.span == 1:
            return False
        self.span = max(1, min(self.span - 1, int(self.span * _FILL * most / count)))
        return True


@dataclass(frozen=True)
class Window:
    """What one batch did: the pages it covered (up to `stop`) and the rows it changed."""

    stop: int
    count: int
    keys: EncodedKeys


def page_walk(
    connection: Connection, table: sa.Table, key: tuple[str, ...], most: int
) -> PageWalk | None:
    """A walk over the table's pages, when the sweep can take it that way; else None."""
    dialect = connection.dialect
    if (
        dialect.name != "postgresql"
        or (dialect.server_version_info or (0,)) < (14,)
        or most < PAGE_WALK_FROM
        or len(key) != 1
        or not plain_key(table.c[key[0]])
    ):
        return None
    found = connection.execute(
        sa.text(
            "SELECT c.relkind, pg_relation_size(c.oid) / current_setting('block_size')::bigint,"
            " c.reltuples, c.relpages FROM pg_class c WHERE c.oid = to_regclass(:name)"
        ),
        {"name": dialect.identifier_preparer.format_table(table)},
    ).one_or_none()
    if found is None or found[0] != "r":  # a view, a partitioned table, a foreign table
        return None
    pages, rows, counted = int(found[1]), float(found[2]), int(found[3])
    per_page = rows / counted if rows > 0 and counted > 0 else _GUESSED_ROWS_PER_PAGE
    return PageWalk(
        end=pages,
        span=max(1, int(min(FIRST_BATCH, most) / per_page)),
        widest=max(1, int(WIDEST * most / per_page)),
    )


class Lister:
    """Lists windows' keys in a thread of its own, each on a connection of its own that takes
    the snapshot of the transaction that changes the window."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._thread = futures.ThreadPoolExecutor(1, thread_name_prefix="pledge-sweep-keys")

    def __enter__(self) -> Lister:
        return self

    def __exit__(self, *_: object) -> None:
        self._thread.shutdown()

    def start(self, snapshot: str, query: Listing) -> futures.Future[tuple[int, str | None]]:
        """The listing `query` run from `snapshot` (pg_export_snapshot's), begun."""
        if not _SNAPSHOT.fullmatch(snapshot):
            raise ValueError(f"not a snapshot: {snapshot!r}")
        return self._thread.submit(self._list, snapshot, query)

    def _list(self, snapshot: str, query: Listing) -> tuple[int, str | None]:
        with self._engine.connect() as connection:
            connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                # First in the transaction, before its snapshot is taken.
                connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                count, blob = connection.execute(query).one()
        return int(count), blob


def take_window(
    connection: Connection,
    table: sa.Table,
    column: str,
    due: ColumnElement[bool],
    walk: PageWalk,
    most: int,
    change: Change,
    beside: Lister | None = None,
) -> Window:
    """List and change the due rows of the walk's next window, in the caller's REPEATABLE READ
    transaction. Listed first, a window holding more than `most` due rows is narrowed before
    anything changes; listed `beside` the change, TooMany is raised after it, and the caller
    must undo its transaction."""
    if beside is not None and not walk.returning:
        return _beside(connection, table, column, due, walk, most, change, beside)
    stop = walk.start + walk.span
    while True:
        count, blob = connection.execute(_listing(table, column, due, walk.start, stop, most)).one()
        if count <= most:
            break
        if stop - walk.start == 1:
            raise PledgeError(
                f"{table.name}: more than {most} due rows in one page",
                "sweep with a bigger batch",
            )
        stop = walk.start + (stop - walk.start) // 2
    if count and walk.returning:
        changed = change(sa.and_(_within(walk.start, stop), due))
        count, blob = _returned(connection, changed, table.c[column])
    elif count:
        done = connection.execute(change(sa.and_(_within(walk.start, stop), due))).rowcount
        if done != count:
            raise NotAsListed(f"{table.name}: a batch listed {count} rows and changed {done}")
    return Window(stop, count, EncodedKeys(count, (blob or "").encode()))


def _beside(
    connection: Connection,
    table: sa.Table,
    column: str,
    due: ColumnElement[bool],
    walk: PageWalk,
    most: int,
    change: Change,
    beside: Lister,
) -> Window:
    """Change the window's due rows while `beside` lists them from the same snapshot."""
    stop = walk.start + walk.span
    # The transaction's first statement: its snapshot is taken here, and shared.
    snapshot = connection.execute(sa.select(sa.func.pg_export_snapshot())).scalar_one()
    listing = beside.start(snapshot, _listing(table, column, due, walk.start, stop, most))
    try:
        done = connection.execute(change(sa.and_(_within(walk.start, stop), due))).rowcount
    except BaseException:
        futures.wait([listing])  # its connection back before the batch is undone
        raise
    count, blob = listing.result()
    if max(count, done) > most:
        raise TooMany(max(count, done))
    if done != count:
        raise NotAsListed(f"{table.name}: a batch listed {count} rows and changed {done}")
    return Window(stop, count, EncodedKeys(count, (blob or "").encode()))


def could_not_serialize(error: DBAPIError) -> bool:
    """A batch's rows changed under it: it was undone and can be tried again."""
    return getattr(error.orig, "sqlstate", None) == "40001"


def _listing(
    table: sa.Table, column: str, due: ColumnElement[bool], start: int, stop: int, most: int
) -> Listing:
    """How many due rows the window holds (at most `most` + 1: no more are read), and their
    keys as the journal's JSON."""
    rows = (
        sa.select(table.c[column].label("key"))
        .select_from(table)
        .where(_within(start, stop), due)
        .limit(most + 1)
        .subquery()
    )
    keys = sa.func.json_build_object(COLUMN, sa.func.json_agg(rows.c.key))
    return sa.select(sa.func.count(), sa.cast(keys, sa.Text))


def _returned(
    connection: Connection, changed: sa.Delete | sa.Update, column: sa.Column[Any]
) -> tuple[int, str | None]:
    """Run the change; how many rows it changed, and their keys as the journal's JSON."""
    rows = changed.returning(column.label("key")).cte("pledge_changed")
    keys = sa.func.json_build_object(COLUMN, sa.func.json_agg(rows.c.key))
    count, blob = connection.execute(sa.select(sa.func.count(), sa.cast(keys, sa.Text))).one()
    return int(count), blob


def _within(start: int, stop: int) -> ColumnElement[bool]:
    place: ColumnElement[Any] = sa.literal_column("ctid")
    first = sa.cast(sa.literal(f"({start},0)"), _Tid())
    after = sa.cast(sa.literal(f"({stop},0)"), _Tid())
    return sa.and_(place >= first, place < after)
