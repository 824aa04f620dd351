"""Replaying the journal after a backup restore, on SQLite, PostgreSQL and MariaDB: what a
sweep deleted or anonymised comes back with the backup and is erased again, once."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.retention.replay import ReplayReport, TableReplay, replay_erasures
from pledge.store import Store
from tests.retention.replay_company import (
    JANE,
    KEYS,
    NOW,
    app,
    copy,
    declare,
    delete,
    invoices,
    journal,
    notes,
    people,
    restore,
    rows,
    store,
    subscribers,
    visits,
)

__all__ = ["app", "store"]

JANE_VISITS = [(1, dt.date(2026, 1, 31)), (1, dt.date(2026, 2, 1))]


def replay(
    store: Store, app: Engine, *, since: dt.datetime | None = None, dry_run: bool = False
) -> ReplayReport:
    return replay_erasures(store, declare(), {"app": app}, KEYS, since=since, dry_run=dry_run)


def counts(report: ReplayReport) -> dict[str, tuple[int, int, int]]:
    """table -> (journaled, found again, erased again)"""
    return {t.table: (t.journaled, t.found, t.erased) for t in report.tables}


def table(report: ReplayReport, name: str) -> TableReplay:
    return next(t for t in report.tables if t.table == name)


def sweep_jane(app: Engine, store: Store) -> None:
    """A sweep deleting Jane's account and everything of hers, children first; the journal
    is written as it goes, the parent's entry first here on purpose."""
    delete(app, notes, [(1,), (2,)])
    delete(app, visits, JANE_VISITS)
    delete(app, subscribers, [(JANE,)])
    delete(app, people, [(1,)])
    journal(store, "people", "deleted", [(1,)])
    journal(store, "notes", "deleted", [(1,), (2,)])
    journal(store, "visits", "deleted", JANE_VISITS)
    journal(store, "subscribers", "deleted", [(JANE,)])


def test_rows_a_sweep_deleted_are_deleted_again_after_a_restore(app: Engine, store: Store) -> None:
    backup = copy(app)
    sweep_jane(app, store)
    after_sweep = copy(app)
    restore(app, backup)
    assert [r["id"] for r in rows(app, notes)] == [1, 2, 3]

    report = replay(store, app)

    # Children first, whatever order the journal has them in.
    assert counts(report) == {
        "people": (1, 1, 1),
        "notes": (2, 2, 2),
        "visits": (2, 2, 2),
        "subscribers": (1, 1, 1),
    }
    assert (report.entries, report.found, report.erased, report.dry_run) == (4, 6, 6, False)
    assert copy(app) == after_sweep
    assert all(t.notes == () for t in report.tables)


def test_replaying_twice_does_nothing_the_second_time(app: Engine, store: Store) -> None:
    backup = copy(app)
    sweep_jane(app, store)
    journal(store, "people", "anonymised", [(2,)])
    with app.begin() as connection:
        connection.execute(people.update().where(people.c.id == 2).values(email="x2", name=None))
    restore(app, backup)
    first = replay(store, app)
    assert first.erased == 7
    after = copy(app)

    second = replay(store, app)

    assert counts(second) == {
        "people": (2, 0, 0),
        "notes": (2, 0, 0),
        "visits": (2, 0, 0),
        "subscribers": (1, 0, 0),
    }
    assert copy(app) == after


def test_anonymised_rows_restored_are_anonymised_again(app: Engine, store: Store) -> None:
    backup = copy(app)
    with app.begin() as connection:  # what the declared erase actions write, as a sweep does
        connection.execute(people.update().where(people.c.id == 2).values(email="x2", name=None))
    journal(store, "people", "anonymised", [(2,)])
    restore(app, backup)
    assert rows(app, people)[1] == {"id": 2, "email": "bob@example.com", "name": "Bob Roe"}

    report = replay(store, app)

    assert counts(report) == {"people": (1, 1, 1)}
    assert (table(report, "people").anonymised, table(report, "people").deleted) == (1, 0)
    assert rows(app, people) == [
        {"id": 1, "email": JANE, "name": "Jane Doe"},
        {"id": 2, "email": "x2", "name": None},
        {"id": 3, "email": "ann@example.com", "name": "Ann Poe"},
    ]
    assert rows(app, notes)[2] == {"id": 3, "person_id": 2, "body": "his"}


def test_rows_anonymised_in_part_have_only_those_columns_erased_again(
    app: Engine, store: Store
) -> None:
    backup = copy(app)
    with app.begin() as connection:  # a hold kept Bob's email, his name was erased
        connection.execute(people.update().where(people.c.id == 2).values(name=None))
    journal(store, "people", "part_anonymised", [(2,)], columns=["name"])
    restore(app, backup)

    report = replay(store, app)

    assert counts(report) == {"people": (1, 1, 1)}
    bob = table(report, "people")
    assert (bob.anonymised, bob.in_part) == (1, 1)
    assert bob.notes == (
        "1 row kept in part under a legal hold: only the columns erased then (name) erased again",
    )
    assert rows(app, people)[1] == {"id": 2, "email": "bob@example.com", "name": None}
    assert counts(replay(store, app)) == {"people": (1, 0, 0)}


def test_a_row_a_kept_row_refers_to_is_anonymised_instead(app: Engine, store: Store) -> None:
    with app.begin() as connection:
        connection.execute(invoices.insert().values(id=1, person_id=3))
    backup = copy(app)
    # Ann's account was swept once her invoice was gone (the company's own clean-up of
    # invoices is not Pledge's): the backup has both, and the invoice must stay.
    delete(app, invoices, [(1,)])
    delete(app, people, [(3,)])
    journal(store, "people", "deleted", [(3,)])
    restore(app, backup)

    report = replay(store, app)

    ann = table(report, "people")
    assert (ann.found, ann.deleted, ann.anonymised, ann.referenced) == (1, 0, 1, 1)
    assert ann.notes == (
        "1 row to delete still referred to by rows of invoices that stay: their columns "
        "erased instead",
    )
    assert rows(app, people)[2] == {"id": 3, "email": "x3", "name": None}
    assert rows(app, invoices) == [{"id": 1, "person_id": 3}]
    again = table(replay(store, app), "people")
    assert (again.found, again.erased, again.referenced) == (1, 0, 1)


def test_a_dry_run_counts_exactly_and_changes_nothing(app: Engine, store: Store) -> None:
    backup = copy(app)
    sweep_jane(app, store)
    restore(app, backup)

    dry = replay(store, app, dry_run=True)

    assert dry.dry_run
    assert copy(app) == backup
    real = replay(store, app)
    assert counts(dry) == counts(real)
    assert dry.erased == real.erased == 6


def test_only_what_was_erased_since_the_backup_is_replayed(app: Engine, store: Store) -> None:
    journal(store, "notes", "deleted", [(3,)], now=NOW - dt.timedelta(days=30))
    backup = copy(app)
    delete(app, notes, [(1,)])
    journal(store, "notes", "deleted", [(1,)])

    restore(app, backup)
    report = replay(store, app, since=NOW - dt.timedelta(days=1))

    assert counts(report) == {"notes": (1, 1, 1)}
    assert report.entries == 1
    assert [r["id"] for r in rows(app, notes)] == [2, 3]


def test_a_source_that_is_not_connected_is_reported(app: Engine, store: Store) -> None:
    journal(store, "notes", "deleted", [(1,)])
    journal(store, "orders", "deleted", [(1,), (2,)])

    elsewhere = replay_erasures(store, declare(), {}, KEYS)
    assert [(t.table, t.journaled, t.erased, t.notes) for t in elsewhere.tables] == [
        ("notes", 1, 0, ("source 'app' is not declared or not connected: not replayed",)),
        ("orders", 2, 0, ("source 'app' is not declared or not connected: not replayed",)),
    ]
    here = replay(store, app)
    assert table(here, "orders").notes == ("the table is not in the database: not replayed",)
    assert table(here, "notes").erased == 1


def test_replay_statements_name_batches_of_keys(app: Engine, store: Store) -> None:
    many = [(n,) for n in range(10, 40)]
    with app.begin() as connection:
        connection.execute(
            notes.insert(), [{"id": n, "person_id": 2, "body": "x"} for (n,) in many]
        )
    journal(store, "notes", "deleted", many)
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    sa.event.listen(app, "before_cursor_execute", seen)
    try:
        report = replay_erasures(store, declare(), {"app": app}, KEYS, batch=10)
    finally:
        sa.event.remove(app, "before_cursor_execute", seen)
    assert table(report, "notes").deleted == 30
    deletes = [s for s in statements if s.lstrip().upper().startswith("DELETE")]
    assert len(deletes) == 3  # 30 keys, 10 a statement: never one row at a time
