"""What databases add around an erasure: triggers, partitions, and all-or-nothing changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.declaration.load import parse_declaration
from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.sources.access import execute_access
from pledge.sources.connect import create_source_engine
from pledge.sources.erasure import SourceErasure, erase_source, leftovers, recheck_given
from pledge.sources.erasure_sql import erasure_transaction
from pledge.sources.plan import build_plan
from pledge.sources.schema import reflect_schema
from tests.declaration.declarations import declaration

TODAY = dt.date(2026, 6, 15)

SOURCE = """
app:
  url_env: PLEDGE_TEST_APP_URL
  tables:
    people:
      subject: customer
      columns:
        email: {category: contact.email, identity: email, erase: placeholder, placeholder: "x{id}"}
    notes:
      links: [{ table: people, on: { person_id: id } }]
      columns:
        body: communications.support_ticket
      erase: delete_row
    tags:
      links: [{ table: notes, on: { note_id: id } }]
      columns:
        label: communications.support_ticket
      erase: delete_row
"""

EVENTS_SOURCE = """
app:
  url_env: PLEDGE_TEST_APP_URL
  tables:
    people:
      subject: customer
      erase: delete_row
      columns:
        email: {category: contact.email, identity: email, erase: placeholder, placeholder: "x{id}"}
    events:
      links: [{ table: people, on: { person_id: id } }]
      columns:
        body: communications.support_ticket
      timestamps: { collected: at }
      retention: [audit]
      erase: delete_row
"""

AUDIT_RETENTION = """
accounts:
  name: Customer accounts
  duration: 3 years
  trigger: last_contact
audit:
  name: Audit trail
  duration: 1 year
  trigger: collected
  required_by: Money Laundering Regulations 2017
"""

TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER notes_deleted AFTER DELETE ON notes BEGIN"
        " INSERT INTO audit (ref, what) VALUES (old.id, 'note deleted'); END",
        "CREATE TRIGGER people_updated AFTER UPDATE ON people BEGIN"
        " INSERT INTO audit (ref, what) VALUES (old.id, 'person updated'); END",
        "CREATE TRIGGER locked BEFORE DELETE ON notes WHEN old.body = 'locked' BEGIN"
        " SELECT RAISE(ABORT, 'this note is locked'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION note_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF OLD.body = 'locked' THEN RAISE EXCEPTION 'this note is locked'; END IF;"
        " INSERT INTO audit (ref, what) VALUES (OLD.id, 'note deleted'); RETURN OLD; END $$",
        "CREATE TRIGGER notes_deleted AFTER DELETE ON notes"
        " FOR EACH ROW EXECUTE FUNCTION note_deleted()",
        "CREATE FUNCTION person_updated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " INSERT INTO audit (ref, what) VALUES (OLD.id, 'person updated'); RETURN NEW; END $$",
        "CREATE TRIGGER people_updated AFTER UPDATE ON people"
        " FOR EACH ROW EXECUTE FUNCTION person_updated()",
    ],
    "mariadb": [
        "CREATE TRIGGER notes_deleted AFTER DELETE ON notes FOR EACH ROW"
        " INSERT INTO audit (ref, what) VALUES (OLD.id, 'note deleted')",
        "CREATE TRIGGER people_updated AFTER UPDATE ON people FOR EACH ROW"
        " INSERT INTO audit (ref, what) VALUES (OLD.id, 'person updated')",
        "CREATE TRIGGER locked BEFORE DELETE ON notes FOR EACH ROW BEGIN"
        " IF OLD.body = 'locked' THEN"
        " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'this note is locked'; END IF; END",
    ],
}


def declare(source: str, retention: str | None = None) -> Declaration:
    sections = (
        {"sources": source} if retention is None else {"sources": source, "retention": retention}
    )
    return parse_declaration(declaration(**sections)).declaration


@pytest.fixture
def app(company_url: str) -> Iterator[Engine]:
    engine = create_source_engine(company_url)
    metadata = sa.MetaData()
    sa.Table(
        "people",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(100), nullable=False),
    )
    sa.Table(
        "notes",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("body", sa.String(100)),
    )
    sa.Table(
        "tags",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("note_id", sa.Integer, sa.ForeignKey("notes.id"), nullable=False),
        sa.Column("label", sa.String(100)),
    )
    sa.Table(
        "audit",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ref", sa.Integer, nullable=False),
        sa.Column("what", sa.String(50), nullable=False),
    )
    metadata.create_all(engine)
    dialect = "mariadb" if engine.dialect.name in ("mysql", "mariadb") else engine.dialect.name
    with engine.begin() as connection:
        for statement in TRIGGERS[dialect]:
            connection.exec_driver_sql(statement)
        connection.execute(
            metadata.tables["people"].insert(),
            [{"id": 1, "email": "jane@example.com"}, {"id": 2, "email": "bob@example.com"}],
        )
        connection.execute(
            metadata.tables["notes"].insert(),
            [
                {"id": 1, "person_id": 1, "body": "hello"},
                {"id": 2, "person_id": 1, "body": "again"},
                {"id": 3, "person_id": 2, "body": "locked"},
            ],
        )
        connection.execute(
            metadata.tables["tags"].insert(),
            [{"id": 1, "note_id": 1, "label": "mine"}, {"id": 2, "note_id": 3, "label": "his"}],
        )
    yield engine
    engine.dispose()


def erase(engine: Engine, decl: Declaration, email: str) -> SourceErasure:
    plan = build_plan(decl, {"app": reflect_schema(engine)}, {"email": email})
    before = execute_access(plan, {"app": engine})
    return erase_source(plan, "app", engine, before.params["app"], decl, today=TODAY, hash_key=b"k")


def select(engine: Engine, query: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query))]


def test_triggers_on_delete_and_update_run_and_do_not_get_in_the_way(app: Engine) -> None:
    done = erase(app, declare(SOURCE), "jane@example.com")
    assert (done.table("notes").deleted, done.table("tags").deleted) == (2, 1)
    assert done.table("people").anonymised == 1
    assert select(app, "SELECT id FROM notes ORDER BY id") == [(3,)]
    assert select(app, "SELECT ref, what FROM audit ORDER BY what, ref") == [
        (1, "note deleted"),
        (2, "note deleted"),
        (1, "person updated"),
    ]


def test_a_refusal_midway_undoes_the_whole_source(app: Engine) -> None:
    # Bob's note is locked by a trigger: his tag goes first, then the note refuses.
    with pytest.raises(PledgeError, match="while deleting rows: the database refused it"):
        erase(app, declare(SOURCE), "bob@example.com")
    assert select(app, "SELECT id FROM tags ORDER BY id") == [(1,), (2,)]
    assert select(app, "SELECT email FROM people ORDER BY id") == [
        ("jane@example.com",),
        ("bob@example.com",),
    ]
    assert select(app, "SELECT count(*) FROM audit") == [(0,)]


def test_sqlite_enforces_foreign_keys_during_the_erasure_only(tmp_path: object) -> None:
    engine = create_source_engine(f"sqlite:///{tmp_path}/fk.db")
    try:
        with erasure_transaction(engine) as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            connection.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
            assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
        with pytest.raises(RuntimeError), erasure_transaction(engine) as connection:
            connection.exec_driver_sql("INSERT INTO t (id) VALUES (1)")
            raise RuntimeError("stop")
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
    finally:
        engine.dispose()


@pytest.fixture
def partitioned(postgres_company_url: str) -> Iterator[Engine]:
    engine = create_source_engine(postgres_company_url)
    statements = [
        "CREATE TABLE people (id integer PRIMARY KEY, email text NOT NULL)",
        "CREATE TABLE events (id integer, person_id integer NOT NULL"
        " REFERENCES people (id) ON DELETE RESTRICT, at date NOT NULL, body text,"
        " PRIMARY KEY (id, at)) PARTITION BY RANGE (at)",
        "CREATE TABLE events_2025 PARTITION OF events"
        " FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
        "CREATE TABLE events_2026 PARTITION OF events"
        " FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
        "CREATE TABLE event_notes (id integer PRIMARY KEY, event_id integer, event_at date,"
        " FOREIGN KEY (event_id, event_at) REFERENCES events (id, at))",
        "INSERT INTO people VALUES (1, 'jane@example.com'), (2, 'bob@example.com')",
        "INSERT INTO events VALUES (1, 1, '2025-03-01', 'old'), (2, 1, '2026-02-01', 'recent'),"
        " (3, 1, '2025-05-01', 'noted'), (4, 2, '2026-01-05', 'his')",
        "INSERT INTO event_notes VALUES (1, 3, '2025-05-01')",
    ]
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    yield engine
    engine.dispose()


def test_a_partitioned_table_is_one_table_and_is_erased_as_one(partitioned: Engine) -> None:
    schema = reflect_schema(partitioned)
    assert set(schema.tables) == {"people", "events", "event_notes"}
    assert [fk.referred_table for fk in schema.tables["event_notes"].foreign_keys] == ["events"]
    decl = declare(EVENTS_SOURCE, AUDIT_RETENTION)
    done = erase(partitioned, decl, "jane@example.com")
    # Event 1 is past its hold; 2 is held; 3 has a note referring to it (an undeclared table).
    assert select(partitioned, "SELECT id, body FROM events ORDER BY id") == [
        (2, "recent"),
        (3, None),
        (4, "his"),
    ]
    events = done.table("events")
    assert (events.deleted, events.anonymised, events.held) == (1, 1, 1)
    assert events.held_until == dt.date(2027, 2, 1)
    assert select(partitioned, "SELECT email FROM people ORDER BY id") == [
        ("x1",),
        ("bob@example.com",),
    ]
    plan = build_plan(decl, {"app": schema}, {"email": "jane@example.com"})
    after = execute_access(plan, {"app": partitioned}, given=recheck_given([done]))
    assert after.counts()["app.events"] == (2, 0)
    assert leftovers(after, [done]) == []
