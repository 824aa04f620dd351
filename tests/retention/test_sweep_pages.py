"""A sweep on PostgreSQL takes big tables by windows of pages: every due row goes once, each
batch is journaled with exactly its keys and never exceeds the batch size (a window holding
more is undone and narrowed), a batch whose rows someone changes meanwhile is undone and tried
again, where a DELETE does not do what it says (a trigger) the journal takes the keys the
DELETE returns, and a pass stopped by a failing batch resumes without journaling a row twice."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.errors import PledgeError
from pledge.retention.sweep_pages import PAGE_WALK_FROM, PageWalk, Window
from pledge.retention.sweep_sql import BATCH_SECONDS, FIRST_BATCH, next_size
from pledge.sources.connect import create_source_engine
from pledge.sources.values_codec import EncodedKeys
from pledge.store import Store
from pledge.store.tables import SweepResultRow, SweepRunRow
from tests.retention.sweeping import at, declare, ids, journaled, run, select, store

__all__ = ["store"]

NOW = at(2026, 6, 15)
OLD = dt.datetime(2025, 1, 1)
RECENT = dt.datetime(2026, 6, 1)
BATCH = PAGE_WALK_FROM

RULES = """
calls:
  name: Call recordings
  duration: 6 months
  trigger: recorded
"""

CALLS = """
calls:
  columns:
    caller: { category: contact.email, erase: "null" }
    started_at: communications.call_record
  timestamps: { recorded: started_at }
  retention: [calls]
"""

ANONYMISED = RULES + "  action: anonymise\n"


def calls(url: str, rows: str) -> Engine:
    """`calls` filled in the server: `rows` is a SELECT of (id, started_at) over g, a
    generate_series; rows go into the table's pages in the order it gives them."""
    engine = create_source_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE calls (id integer PRIMARY KEY, caller text,"
            " started_at timestamp NOT NULL)"
        )
        connection.exec_driver_sql(
            f"INSERT INTO calls (id, caller, started_at) SELECT id, 'caller-' || id, started_at"
            f" FROM ({rows}) AS numbered"
        )
    return engine


def series(first: int, last: int, old: str) -> str:
    """Rows first..last (descending when last < first), old where `old` holds of g."""
    step = 1 if last >= first else -1
    started = f"CASE WHEN {old} THEN TIMESTAMP '{OLD}' ELSE TIMESTAMP '{RECENT}' END"
    return (
        f"SELECT g AS id, {started} AS started_at"
        f" FROM generate_series({first}, {last}, {step}) AS g"
    )


def flat(entries: list[list[tuple[Any, ...]]]) -> list[int]:
    return [key[0] for entry in entries for key in entry]


def undone_changes(engine: Engine) -> list[str]:
    """Filled, as the engine works, with the changes (DELETE, UPDATE) it rolled back."""
    undone: list[str] = []
    pending: dict[int, str] = {}  # by connection: a change not yet committed

    def ran(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "DELETE FROM" in statement or "UPDATE " in statement:
            pending[id(conn)] = statement

    def ended(conn: Any) -> None:
        pending.pop(id(conn), None)

    def rolled_back(conn: Any) -> None:
        if id(conn) in pending:
            undone.append(pending.pop(id(conn)))

    sa.event.listen(engine, "before_cursor_execute", ran)
    sa.event.listen(engine, "commit", ended)
    sa.event.listen(engine, "rollback", rolled_back)
    return undone


def test_a_big_table_goes_by_pages_each_batch_journaled_with_its_keys(
    postgres_company_url: str, store: Store
) -> None:
    # Ids written in descending order: the table's first pages hold the greatest ids.
    engine = calls(postgres_company_url, series(12000, 1, "mod(g, 3) <> 0"))
    undone = undone_changes(engine)
    listed_by: set[str] = set()

    def listing(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "json_agg" in statement:
            listed_by.add(threading.current_thread().name)

    sa.event.listen(engine, "before_cursor_execute", listing)
    swept = run(store, declare(CALLS, RULES), engine, as_of=NOW, batch=BATCH).table("app.calls")
    # The keys were listed beside each DELETE, in a thread of their own.
    assert len(listed_by) == 1 and threading.current_thread().name not in listed_by
    due = [i for i in range(1, 12001) if i % 3]
    assert (swept.deleted, swept.expired, swept.held, swept.referenced) == (8000, 8000, 0, 0)
    entries = journaled(store, "calls")
    assert len(entries) == swept.batches >= 4
    assert all(0 < len(entry) <= BATCH for entry in entries)
    assert sorted(flat(entries)) == due  # every due row once, nothing else
    assert 11999 in flat(entries[:1])  # the first pages first, not the smallest keys
    assert undone == []  # due rows spread evenly: windows sized to them are never too full
    assert ids(engine, "calls") == list(range(3, 12001, 3))
    engine.dispose()


def test_a_window_that_reaches_rows_due_in_bulk_is_narrowed_to_the_batch_size(
    postgres_company_url: str, store: Store
) -> None:
    # 14,000 recent rows first, then 6,000 due: windows grow over the recent pages, then
    # meet far more due rows than a batch may take.
    engine = calls(postgres_company_url, series(1, 20000, "g > 14000"))
    undone = undone_changes(engine)
    swept = run(store, declare(CALLS, RULES), engine, as_of=NOW, batch=BATCH).table("app.calls")
    entries = journaled(store, "calls")
    assert undone  # a window deleted more than a batch may take, and was undone
    assert swept.deleted == 6000 and swept.batches == len(entries)
    assert all(len(entry) <= BATCH for entry in entries)
    assert sorted(flat(entries)) == list(range(14001, 20001))
    assert ids(engine, "calls") == list(range(1, 14001))
    engine.dispose()


def test_anonymising_by_pages_changes_each_row_once(
    postgres_company_url: str, store: Store
) -> None:
    engine = calls(postgres_company_url, series(1, 5000, "g <= 3000"))
    decl = declare(CALLS, ANONYMISED)
    swept = run(store, decl, engine, as_of=NOW, batch=BATCH).table("app.calls")
    assert (swept.anonymised, swept.expired) == (3000, 3000)
    assert sorted(flat(journaled(store, "calls"))) == list(range(1, 3001))
    left = select(engine, "SELECT count(*), count(caller) FROM calls WHERE id <= 3000")
    assert left == [(3000, 0)]
    assert select(engine, "SELECT count(caller) FROM calls WHERE id > 3000") == [(2000,)]
    again = run(store, decl, engine, as_of=NOW, batch=BATCH).table("app.calls")
    assert (again.anonymised, again.batches) == (0, 0)
    engine.dispose()


def test_a_batch_whose_row_someone_changes_meanwhile_is_tried_again(
    postgres_company_url: str, store: Store
) -> None:
    engine = calls(postgres_company_url, series(1, 3000, "TRUE"))
    other = create_source_engine(postgres_company_url)
    changed: list[int] = []

    def meanwhile(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # Between the batch listing its rows and deleting them, someone else makes row 1
        # recent again: the DELETE must not take it.
        if statement.lstrip().upper().startswith("DELETE") and not changed:
            with other.begin() as connection:
                connection.execute(
                    sa.text("UPDATE calls SET started_at = :at WHERE id = 1"), {"at": RECENT}
                )
            changed.append(1)

    sa.event.listen(engine, "before_cursor_execute", meanwhile)
    swept = run(store, declare(CALLS, RULES), engine, as_of=NOW, batch=BATCH).table("app.calls")
    assert changed == [1]
    assert swept.deleted == 2999
    assert sorted(flat(journaled(store, "calls"))) == list(range(2, 3001))
    assert ids(engine, "calls") == [1]
    other.dispose()
    engine.dispose()


def test_a_batch_whose_row_someone_changes_while_it_deletes_is_tried_again(
    postgres_company_url: str, store: Store
) -> None:
    engine = calls(postgres_company_url, series(1, 3000, "TRUE"))
    other = create_source_engine(postgres_company_url)
    holder = other.connect()
    changes: list[str] = []
    waited = threading.Event()

    def commit_once_waited_for(pid: int) -> None:
        # The batch's DELETE has seen row 1 due and waits for its lock: only then does the
        # other transaction commit row 1 made recent again.
        with other.connect() as watcher:
            for _ in range(200):
                query = sa.text("SELECT cardinality(pg_blocking_pids(:pid)) > 0")
                if watcher.execute(query, {"pid": pid}).scalar():
                    waited.set()
                    break
                time.sleep(0.05)
        holder.commit()

    def meanwhile(_conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if "DELETE FROM calls" not in statement:
            return
        changes.append(statement)
        if len(changes) == 1:
            holder.begin()
            holder.execute(
                sa.text("UPDATE calls SET started_at = :at WHERE id = 1"), {"at": RECENT}
            )
            pid = cursor.connection.info.backend_pid
            threading.Thread(target=commit_once_waited_for, args=(pid,)).start()

    sa.event.listen(engine, "before_cursor_execute", meanwhile)
    swept = run(store, declare(CALLS, RULES), engine, as_of=NOW, batch=BATCH).table("app.calls")
    assert waited.is_set()  # the change really came while the DELETE ran
    assert len(changes) >= 2  # that batch was undone and done again
    assert swept.deleted == 2999
    assert sorted(flat(journaled(store, "calls"))) == list(range(2, 3001))
    assert ids(engine, "calls") == [1]
    holder.close()
    other.dispose()
    engine.dispose()


def test_a_table_whose_trigger_keeps_some_rows_journals_only_the_rows_that_went(
    postgres_company_url: str, store: Store
) -> None:
    engine = calls(postgres_company_url, series(1, 3000, "TRUE"))
    with engine.begin() as connection:
        # Rows with an even id are archived instead of deleted: the DELETE skips them.
        connection.exec_driver_sql(
            "CREATE FUNCTION keep_even() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " IF mod(OLD.id, 2) = 0 THEN RETURN NULL; END IF; RETURN OLD; END $$"
        )
        connection.exec_driver_sql(
            "CREATE TRIGGER keep_even BEFORE DELETE ON calls"
            " FOR EACH ROW EXECUTE FUNCTION keep_even()"
        )
    swept = run(store, declare(CALLS, RULES), engine, as_of=NOW, batch=BATCH).table("app.calls")
    assert swept.deleted == 1500
    assert sorted(flat(journaled(store, "calls"))) == list(range(1, 3001, 2))
    assert ids(engine, "calls") == list(range(2, 3001, 2))
    engine.dispose()


def test_batches_grow_towards_their_pace_and_the_most_they_may_take() -> None:
    assert next_size(1000, BATCH_SECONDS / 100, 200_000) == 4000  # at most fourfold
    assert next_size(40_000, BATCH_SECONDS * 2, 200_000) == 20_000  # halved: twice too slow
    assert next_size(4000, BATCH_SECONDS * 100, 200_000) == FIRST_BATCH  # never below
    assert next_size(2, 0.0, 2) == 2  # never above the batch asked for
    walk = PageWalk(end=1000, span=10)
    walk.advance(Window(stop=10, count=500, keys=EncodedKeys(0, b"")), BATCH_SECONDS / 10, 1000)
    # 50 due rows a page: 18 pages hold 900, under the 1,000 a batch may take.
    assert (walk.start, walk.span) == (10, 18)
    walk.advance(Window(stop=28, count=0, keys=EncodedKeys(0, b"")), BATCH_SECONDS / 10, 1000)
    assert (walk.start, walk.span) == (28, 72)  # nothing due: fourfold


def test_a_window_that_held_too_many_rows_is_narrowed_to_the_density_it_showed() -> None:
    walk = PageWalk(end=1000, span=100, start=20)
    assert walk.narrow(4000, 1000)
    # 40 due rows a page: 22 pages hold 880, under the 1,000 a batch may take.
    assert (walk.start, walk.span) == (20, 22)
    assert walk.narrow(1001, 1000) and walk.span == 19  # always narrower, however close
    walk.span = 1
    assert not walk.narrow(5000, 1000)  # one page: nothing narrower


def test_a_sweep_by_pages_stopped_by_a_failing_batch_resumes_journaling_each_row_once(
    postgres_company_url: str, store: Store
) -> None:
    engine = calls(postgres_company_url, series(1, 12000, "mod(g, 3) <> 0"))
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE FUNCTION call_locked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " IF OLD.id = 9001 THEN RAISE EXCEPTION 'this call is locked'; END IF;"
            " RETURN OLD; END $$"
        )
        connection.exec_driver_sql(
            "CREATE TRIGGER locked BEFORE DELETE ON calls"
            " FOR EACH ROW EXECUTE FUNCTION call_locked()"
        )
    decl = declare(CALLS, RULES)
    with pytest.raises(PledgeError, match=r"while deleting from app\.calls: the database refused"):
        run(store, decl, engine, as_of=NOW, batch=BATCH)
    due = [i for i in range(1, 12001) if i % 3]
    gone = flat(journaled(store, "calls"))
    # What went before the failing batch is journaled, once; its own batch left no trace.
    assert 0 < len(gone) < 8000 and 9001 not in gone
    assert ids(engine, "calls") == sorted(set(range(1, 12001)) - set(gone))
    with store.session() as session:
        stopped = session.scalars(sa.select(SweepRunRow)).one()
        result = session.scalars(sa.select(SweepResultRow)).one()
        assert (stopped.state, result.deleted, result.done) == ("failed", len(gone), False)

    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER locked ON calls")
    resumed = run(store, decl, engine, as_of=NOW, batch=BATCH, run_id=stopped.id)
    swept = resumed.table("app.calls")
    entries = journaled(store, "calls")
    assert swept.deleted == 8000 and swept.batches == len(entries)
    assert sorted(flat(entries)) == due  # every due row once, across both attempts
    assert ids(engine, "calls") == list(range(3, 12001, 3))
    engine.dispose()
