"""What a sweep does to expired rows on each engine: anonymise once, delete children first,
leave what rows that stay refer to, and in a dry run change nothing."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.store import Store
from pledge.store.tables import GoneRowsRow, SweepResultRow, SweepRunRow
from tests.retention.sweeping import (
    at,
    company,
    declare,
    ids,
    innodb,
    journaled,
    run,
    select,
    store,
)

__all__ = ["store"]

NOW = at(2026, 6, 15)
OLD = dt.datetime(2024, 1, 1)
RECENT = dt.datetime(2026, 5, 1)

RULES = """
analytics:
  name: Audience measurement
  duration: 13 months
  trigger: collected
  action: anonymise
fraud:
  name: Fraud checks
  duration: 13 months
  trigger: collected
people:
  name: People
  duration: 1 year
  trigger: last_contact
events:
  name: Events
  duration: 1 year
  trigger: collected
"""


def visits(url: str) -> Engine:
    metadata = sa.MetaData()
    innodb(
        "visits",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("ip", sa.String(45), nullable=False),
        sa.Column("agent", sa.String(200)),
        sa.Column("token", sa.String(64)),
        sa.Column("started_at", sa.DateTime, nullable=False),
    )
    return company(
        url,
        metadata,
        {
            "visits": [
                {
                    "id": 1,
                    "ip": "203.0.113.9",
                    "agent": "Firefox",
                    "token": "t1",
                    "started_at": OLD,
                },
                {"id": 2, "ip": "203.0.113.7", "agent": None, "token": "t2", "started_at": OLD},
                {
                    "id": 3,
                    "ip": "198.51.100.1",
                    "agent": "Safari",
                    "token": None,
                    "started_at": OLD,
                },
                {"id": 4, "ip": "192.0.2.44", "agent": "Edge", "token": "t4", "started_at": RECENT},
            ]
        },
    )


VISITS = """
visits:
  columns:
    ip: online.ip_address
    agent: online.device
    token: { category: online.device, erase: hash }
    started_at: online.usage
  timestamps: { collected: started_at }
  retention: [fraud, analytics]
"""


def test_anonymising_rewrites_expired_rows_once(company_url: str, store: Store) -> None:
    engine = visits(company_url)
    decl = declare(VISITS, RULES)
    dry = run(store, decl, engine, as_of=NOW, dry_run=True).table("app.visits")
    assert (dry.action, dry.expired, dry.anonymised) == ("anonymise", 3, 0)
    first = run(store, decl, engine, as_of=NOW).table("app.visits")
    assert (first.expired, first.anonymised, first.deleted) == (3, 3, 0)
    after = select(engine, "SELECT id, ip, agent, token FROM visits ORDER BY id")
    assert [row[1:3] for row in after] == [
        ("erased", None),
        ("erased", None),
        ("erased", None),
        ("192.0.2.44", "Edge"),
    ]
    hashed = [row[3] for row in after[:2]]
    assert all(re.fullmatch("[0-9a-f]{64}", h) for h in hashed) and hashed[0] != hashed[1]
    assert after[2][3] is None and after[3][3] == "t4"
    assert journaled(store, "visits") == [[(1,), (2,), (3,)]]

    again = run(store, decl, engine, as_of=NOW).table("app.visits")
    assert (again.expired, again.anonymised, again.batches) == (0, 0, 0)
    assert select(engine, "SELECT id, ip, agent, token FROM visits ORDER BY id") == after
    assert len(journaled(store, "visits")) == 1
    engine.dispose()


def family(url: str) -> Engine:
    """People referred to by kept rows of undeclared tables, by each kind of foreign key, and
    by expired rows of a declared table."""
    metadata = sa.MetaData()
    innodb(
        "people",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seen_at", sa.DateTime, nullable=False),
    )

    def child(name: str, on_delete: str, nullable: bool = False) -> None:
        innodb(
            name,
            metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column(
                "person_id",
                sa.Integer,
                sa.ForeignKey("people.id", ondelete=on_delete),
                nullable=nullable,
            ),
            sa.Column("at", sa.DateTime, nullable=False),
        )

    child("contracts", "RESTRICT")
    child("notes", "CASCADE")
    child("tags", "SET NULL", nullable=True)
    child("events", "RESTRICT")
    return company(
        url,
        metadata,
        {
            "people": [{"id": i, "seen_at": OLD} for i in range(1, 7)]
            + [{"id": 7, "seen_at": RECENT}],
            "contracts": [{"id": 1, "person_id": 1, "at": OLD}],
            "notes": [{"id": 1, "person_id": 2, "at": OLD}],
            "tags": [{"id": 1, "person_id": 3, "at": OLD}],
            # Person 5's events all go first; person 6 keeps a recent one.
            "events": [
                {"id": 1, "person_id": 5, "at": OLD},
                {"id": 2, "person_id": 5, "at": OLD},
                {"id": 3, "person_id": 6, "at": OLD},
                {"id": 4, "person_id": 6, "at": RECENT},
                {"id": 5, "person_id": 7, "at": OLD},
            ],
        },
    )


FAMILY = """
people:
  columns: { seen_at: contact.email }
  timestamps: { last_contact: seen_at }
  retention: [people]
events:
  links: [{ table: people, on: { person_id: id } }]
  columns: { at: online.usage }
  timestamps: { collected: at }
  retention: [events]
"""


def test_rows_that_stay_keep_what_they_refer_to_whatever_the_foreign_key(
    company_url: str, store: Store
) -> None:
    engine = family(company_url)
    decl = declare(FAMILY, RULES)
    dry = run(store, decl, engine, as_of=NOW, dry_run=True)
    # Person 5's events would go first, so person 5 is not counted as referenced.
    assert (dry.table("app.events").expired, dry.table("app.events").referenced) == (4, 0)
    assert (dry.table("app.people").expired, dry.table("app.people").referenced) == (6, 4)

    swept = run(store, decl, engine, as_of=NOW)
    people = swept.table("app.people")
    assert (people.expired, people.deleted, people.referenced) == (6, 2, 4)
    assert swept.table("app.events").deleted == 4
    assert ids(engine, "people") == [1, 2, 3, 6, 7]
    assert ids(engine, "events") == [4]
    # No ON DELETE action fired: the children are as they were.
    assert select(engine, "SELECT id, person_id FROM notes") == [(1, 2)]
    assert select(engine, "SELECT id, person_id FROM tags") == [(1, 3)]
    assert select(engine, "SELECT id, person_id FROM contracts") == [(1, 1)]
    assert sorted(k for entry in journaled(store, "people") for k in entry) == [(4,), (5,)]
    engine.dispose()


def test_a_dry_run_changes_nothing_and_is_recorded(company_url: str, store: Store) -> None:
    engine = family(company_url)
    decl = declare(FAMILY, RULES)
    tables = ("people", "contracts", "notes", "tags", "events")
    before = {t: select(engine, f"SELECT * FROM {t} ORDER BY id") for t in tables}
    report = run(store, decl, engine, as_of=NOW, dry_run=True)
    assert {t: select(engine, f"SELECT * FROM {t} ORDER BY id") for t in tables} == before
    assert report.dry_run and all(
        t.deleted == t.anonymised == t.batches == 0 for t in report.tables
    )
    with store.session() as session:
        run_row = session.get(SweepRunRow, report.run_id)
        assert run_row is not None and (run_row.dry_run, run_row.state) == (True, "done")
        results = session.scalars(sa.select(SweepResultRow).order_by(SweepResultRow.table_name))
        # Recorded as what it would do.
        assert [(r.table_name, r.deleted, r.referenced, r.done) for r in results] == [
            ("events", 4, 0, True),
            ("people", 2, 4, True),
        ]
        assert session.scalar(sa.select(sa.func.count()).select_from(GoneRowsRow)) == 0
    engine.dispose()


def test_a_table_the_sweep_cannot_change_is_reported_with_the_reason(
    tmp_path: Path, store: Store
) -> None:
    metadata = sa.MetaData()
    innodb("logs", metadata, sa.Column("at", sa.DateTime, nullable=False))
    innodb(
        "events",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    engine = company(
        f"sqlite:///{tmp_path / 'company.db'}",
        metadata,
        {"logs": [{"at": OLD}], "events": [{"id": 1, "at": OLD}]},
    )
    decl = declare(
        """
logs:
  timestamps: { collected: at }
  retention: [events]
events:
  timestamps: { collected: created_at }
  retention: [events]
missing:
  timestamps: { collected: at }
  retention: [events]
""",
        RULES,
    )
    report = run(store, decl, engine, as_of=NOW)
    assert {t.table: t.notes for t in report.tables} == {
        "logs": ("not swept: the table has no primary key to tell rows apart",),
        "events": (
            "not swept: the table has no column created_at (rule events), named under `timestamps`",
        ),
        "missing": ("not swept: the table is not in the database",),
    }
    assert select(engine, "SELECT COUNT(*) FROM logs") == [(1,)]
    assert ids(engine, "events") == [1]
    engine.dispose()
