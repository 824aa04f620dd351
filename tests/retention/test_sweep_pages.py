"""A sweep on PostgreSQL takes big tables by windows of pages: every due row goes once, each
batch is journaled with exactly its keys and never exceeds the batch size, a batch whose rows
someone changes meanwhile is undone and tried again, and where a DELETE does not do what it
says (a trigger), the journal takes the keys the DELETE returns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.retention.sweep_pages import PAGE_WALK_FROM, PageWalk, Window
from pledge.retention.sweep_sql import BATCH_SECONDS, FIRST_BATCH, next_size
from pledge.sources.connect import create_source_engine
from pledge.sources.values_codec import EncodedKeys
from pledge.store import Store
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


def test_a_big_table_goes_by_pages_each_batch_journaled_with_its_keys(
    postgres_company_url: str, store: Store
) -> None:
    # Ids written in descending order: the table's first pages hold the greatest ids.
    engine = calls(postgres_company_url, series(12000, 1, "mod(g, 3) <> 0"))
    swept = run(store, declare(CALLS, RULES), engine, as_of=NOW, batch=BATCH).table("app.calls")
    due = [i for i in range(1, 12001) if i % 3]
    assert (swept.deleted, swept.expired, swept.held, swept.referenced) == (8000, 8000, 0, 0)
    entries = journaled(store, "calls")
    assert len(entries) == swept.batches >= 4
    assert all(0 < len(entry) <= BATCH for entry in entries)
    assert sorted(flat(entries)) == due  # every due row once, nothing else
    assert 11999 in flat(entries[:1])  # the first pages first, not the smallest keys
    assert ids(engine, "calls") == list(range(3, 12001, 3))
    engine.dispose()


def test_a_window_that_reaches_rows_due_in_bulk_is_narrowed_to_the_batch_size(
    postgres_company_url: str, store: Store
) -> None:
    # 14,000 recent rows first, then 6,000 due: windows grow over the recent pages, then
    # meet far more due rows than a batch may take.
    engine = calls(postgres_company_url, series(1, 20000, "g > 14000"))
    swept = run(store, declare(CALLS, RULES), engine, as_of=NOW, batch=BATCH).table("app.calls")
    entries = journaled(store, "calls")
    assert swept.deleted == 6000
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
