"""Expired rows of a table to delete from that rows staying still refer to, on each engine:
anonymised by the sweep that finds them expired, once, and deleted once freed; held rows
left whole; counted by a dry run; a sweep stopped midway resumes without erasing twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.errors import PledgeError
from pledge.retention.journal import journal_entries, open_keys
from pledge.retention.people import PersonRows
from pledge.retention.rules import compile_retention
from pledge.retention.sweep_record import Tally, done_tables, finish_run, finish_table, start_run
from pledge.store import Store
from pledge.store.tables import SweepResultRow, SweepRunRow
from tests.retention.sweeping import KEYS, at, company, declare, ids, innodb, run, select, store

__all__ = ["store"]

NOW = at(2026, 6, 15)
OLD = dt.datetime(2024, 1, 1)
RECENT = dt.datetime(2026, 5, 1)  # visits of that day go after 1 May 2027
LATER = dt.datetime(2026, 12, 1)
BILLED_LONG_AGO = dt.date(2010, 1, 1)

RULES = """
members:
  name: Members
  duration: 1 year
  trigger: last_contact
visits:
  name: Visits
  duration: 1 year
  trigger: collected
billing:
  name: Billing records
  duration: 10 years
  trigger: issued
  required_by: Code de commerce, art. L123-22
closed:
  name: Closed accounts
  duration: 0 days
  trigger: account_closed
"""

MEMBERS = """
members:
  subject: customer
  columns:
    name: identity.name
    phone: contact.phone
    email: { category: contact.email, identity: email }
    seen_at: online.usage
  timestamps: { last_contact: seen_at, issued: billed_on }
  retention: [members, billing]
visits:
  columns: { at: online.usage }
  timestamps: { collected: at }
  retention: [visits]
"""

# 4 is under a person's legal hold, 5 under the billing rule: held, never changed.
HELD = PersonRows(
    held={("app", "members"): frozenset({(4,)})},
    holds={("app", "members"): ("dispute D-9",)},
)
WHOLE = "SELECT id, name, phone, email, seen_at FROM members"


def club(
    url: str, members: dict[int, tuple[dt.datetime, dt.date]], visits: dict[int, Any]
) -> Engine:
    """Members (id -> last seen, billed on) and their visits (id -> (member, at))."""
    metadata = sa.MetaData()
    innodb(
        "members",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("phone", sa.String(30)),
        sa.Column("email", sa.String(100), nullable=False, unique=True),
        sa.Column("seen_at", sa.DateTime),
        sa.Column("billed_on", sa.Date, nullable=False),
    )
    innodb(
        "visits",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    return company(
        url,
        metadata,
        {
            "members": [
                {"id": i, "name": f"M{i}", "phone": f"+33 6 00 00 00 0{i}",
                 "email": f"m{i}@example.com", "seen_at": seen, "billed_on": billed}
                for i, (seen, billed) in members.items()
            ],
            "visits": [
                {"id": i, "member_id": member, "at": moment}
                for i, (member, moment) in visits.items()
            ],
        },
    )  # fmt: skip


def six_members(url: str) -> Engine:
    """1: expired, a recent visit refers to it; 2: expired, no visit; 3: seen lately;
    4 and 5: expired and referred to, but held; 6: expired, its one visit expired too."""
    return club(
        url,
        {
            1: (OLD, BILLED_LONG_AGO),
            2: (OLD, BILLED_LONG_AGO),
            3: (LATER, BILLED_LONG_AGO),
            4: (OLD, BILLED_LONG_AGO),
            5: (OLD, dt.date(2025, 1, 1)),
            6: (OLD, BILLED_LONG_AGO),
        },
        {1: (1, RECENT), 2: (4, RECENT), 3: (5, RECENT), 4: (6, OLD)},
    )


def journal(store: Store, table: str) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Each journal entry of the table, oldest first: what was done, to which keys."""
    with store.session() as session:
        return [
            (entry.action, [tuple(k) for k in open_keys(entry, KEYS.package)])
            for entry in journal_entries(session, source="app", table=table)
        ]


def recorded(store: Store, run_id: int, table: str) -> tuple[int, int, int, int]:
    """The run's record of the table: deleted, anonymised, held, referenced."""
    with store.session() as session:
        row = session.scalars(
            sa.select(SweepResultRow).where(
                SweepResultRow.run_id == run_id, SweepResultRow.table_name == table
            )
        ).one()
        return (row.deleted, row.anonymised, row.held, row.referenced)


def test_a_referenced_row_is_anonymised_once_then_deleted_when_freed(
    company_url: str, store: Store
) -> None:
    engine = six_members(company_url)
    decl = declare(MEMBERS, RULES)
    before = select(engine, f"{WHOLE} ORDER BY id")

    first = run(store, decl, engine, as_of=NOW, people=HELD)
    members = first.table("app.members")
    assert (members.expired, members.deleted, members.anonymised) == (3, 2, 1)
    assert (members.referenced, members.referenced_anonymised, members.held) == (1, 1, 2)
    assert members.holds == ("billing", "dispute D-9")
    assert ids(engine, "members") == [1, 3, 4, 5]
    after = select(engine, f"{WHOLE} ORDER BY id")
    # Placeholders where the column is NOT NULL (a unique one made unique by the key), NULL
    # elsewhere; the date the rule counts from stays, so that the row still goes later.
    assert after[0] == (1, "erased", None, "erased-1", before[0][4])
    assert after[1:] == [before[2], before[3], before[4]]  # 3 not due; 4 and 5 held
    assert "1 row not deleted: rows that stay refer to it; anonymised instead" in members.notes
    assert any(
        n.startswith("seen_at holds the date rule members counts from") for n in members.notes
    )
    assert journal(store, "members") == [("deleted", [(2,), (6,)]), ("anonymised", [(1,)])]
    assert recorded(store, first.run_id, "members") == (2, 1, 2, 1)

    # Still referred to the next day: counted as referenced, neither written nor counted
    # as anonymised again.
    again = run(store, decl, engine, as_of=NOW + dt.timedelta(days=1), people=HELD)
    members = again.table("app.members")
    assert (members.expired, members.deleted, members.anonymised) == (1, 0, 0)
    assert (members.referenced, members.referenced_anonymised, members.batches) == (1, 0, 0)
    assert not any("anonymised instead" in note for note in members.notes)
    assert select(engine, f"{WHOLE} ORDER BY id") == after
    assert len(journal(store, "members")) == 2

    # Its visit goes after 1 May 2027: then so does the row.
    freed = run(store, decl, engine, as_of=at(2027, 5, 2), people=HELD)
    assert ids(engine, "visits") == []
    members = freed.table("app.members")
    assert (members.deleted, members.anonymised, members.referenced) == (1, 0, 0)
    assert ids(engine, "members") == [3, 4, 5]
    assert select(engine, f"{WHOLE} WHERE id IN (4, 5) ORDER BY id") == [before[3], before[4]]
    assert journal(store, "members")[-1] == ("deleted", [(1,)])
    engine.dispose()


def test_a_dry_run_counts_the_referenced_rows_it_would_anonymise(
    company_url: str, store: Store
) -> None:
    engine = six_members(company_url)
    decl = declare(MEMBERS, RULES)
    before = {t: select(engine, f"SELECT * FROM {t} ORDER BY id") for t in ("members", "visits")}

    dry = run(store, decl, engine, as_of=NOW, dry_run=True, people=HELD)
    members = dry.table("app.members")
    assert (members.expired, members.held, members.referenced) == (3, 2, 1)
    assert members.referenced_anonymised == 1
    assert (members.deleted, members.anonymised) == (0, 0)  # nothing was changed
    assert (
        "1 row would not be deleted: rows that would stay refer to it; anonymised instead"
    ) in members.notes
    # Recorded as what it would do: delete 2, anonymise 1.
    assert recorded(store, dry.run_id, "members") == (2, 1, 2, 1)
    assert {t: select(engine, f"SELECT * FROM {t} ORDER BY id") for t in before} == before
    assert journal(store, "members") == []

    run(store, decl, engine, as_of=NOW, people=HELD)
    later = run(store, decl, engine, as_of=NOW + dt.timedelta(days=1), dry_run=True, people=HELD)
    members = later.table("app.members")
    assert (members.expired, members.referenced, members.referenced_anonymised) == (1, 1, 0)
    assert not any("anonymised instead" in note for note in members.notes)
    assert recorded(store, later.run_id, "members") == (0, 0, 2, 1)
    engine.dispose()


def test_referenced_rows_with_nothing_to_erase_stay_as_they_are(
    company_url: str, store: Store
) -> None:
    engine = six_members(company_url)
    kept = MEMBERS.replace("name: identity.name", "name: { category: identity.name, erase: keep }")
    kept = kept.replace("    phone: contact.phone\n", "").replace(
        "email: { category: contact.email, identity: email }",
        "email: { category: contact.email, identity: email, erase: keep }",
    )
    before = select(engine, f"{WHOLE} WHERE id = 1")

    report = run(store, declare(kept, RULES), engine, as_of=NOW, people=HELD)
    members = report.table("app.members")
    assert (members.deleted, members.anonymised, members.referenced) == (2, 0, 1)
    assert (
        "1 row not deleted: rows that stay refer to it; nothing to anonymise instead: no "
        "declared column of the table can be erased"
    ) in members.notes
    assert any(
        n.startswith("seen_at holds the date rule members counts from") for n in members.notes
    )
    assert select(engine, f"{WHOLE} WHERE id = 1") == before
    assert [action for action, _ in journal(store, "members")] == ["deleted"]
    engine.dispose()


def test_while_a_rule_counts_from_a_recorded_date_the_identity_stays(
    company_url: str, store: Store
) -> None:
    engine = club(
        company_url,
        {1: (OLD, BILLED_LONG_AGO), 2: (OLD, BILLED_LONG_AGO)},
        {1: (1, RECENT)},
    )
    tables = MEMBERS.replace("retention: [members, billing]", "retention: [closed]")
    closed = PersonRows(
        triggers={
            ("app", "members"): {"account_closed": {(1,): dt.date(2026, 1, 1), (2,): NOW.date()}}
        }
    )
    decl = declare(tables, RULES)

    members = run(store, decl, engine, as_of=NOW, people=closed).table("app.members")
    assert (members.deleted, members.anonymised, members.referenced) == (0, 1, 1)
    # The sweep finds the row again from the person's email, to judge its rule once freed.
    assert select(engine, f"{WHOLE} ORDER BY id")[0][1:4] == ("erased", None, "m1@example.com")
    assert any(
        n.startswith("email identifies the person, whose recorded dates rules count from")
        for n in members.notes
    )
    run(store, decl, engine, as_of=at(2027, 5, 2), people=closed)
    assert ids(engine, "members") == []
    engine.dispose()


LOCK = {
    "sqlite": [
        "CREATE TRIGGER locked BEFORE UPDATE ON members WHEN old.id = 2 BEGIN"
        " SELECT RAISE(ABORT, 'this member is locked'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION member_locked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF OLD.id = 2 THEN RAISE EXCEPTION 'this member is locked'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER locked BEFORE UPDATE ON members FOR EACH ROW"
        " EXECUTE FUNCTION member_locked()",
    ],
    "mariadb": [
        "CREATE TRIGGER locked BEFORE UPDATE ON members FOR EACH ROW BEGIN"
        " IF OLD.id = 2 THEN"
        " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'this member is locked'; END IF; END"
    ],
}
UNLOCK = {"postgresql": "DROP TRIGGER locked ON members"}


def test_a_sweep_stopped_while_anonymising_resumes_without_erasing_twice(
    company_url: str, store: Store
) -> None:
    engine = club(
        company_url,
        dict.fromkeys((1, 2, 3), (OLD, BILLED_LONG_AGO)),
        {1: (1, RECENT), 2: (2, RECENT)},
    )
    decl = declare(MEMBERS, RULES)
    dialect = "mariadb" if engine.dialect.name in ("mysql", "mariadb") else engine.dialect.name
    with engine.begin() as connection:
        for statement in LOCK[dialect]:
            connection.exec_driver_sql(statement)
    with pytest.raises(PledgeError, match=r"while anonymising the rows of app\.members"):
        run(store, decl, engine, as_of=NOW, batch=1)
    with store.session() as session:
        stopped = session.scalars(sa.select(SweepRunRow)).one()
        result = session.scalars(
            sa.select(SweepResultRow).where(SweepResultRow.table_name == "members")
        ).one()
        assert (result.deleted, result.anonymised, result.done) == (1, 1, False)
    assert stopped.state == "failed"
    assert [row[1] for row in select(engine, f"{WHOLE} ORDER BY id")] == ["erased", "M2"]
    assert journal(store, "members") == [("deleted", [(3,)]), ("anonymised", [(1,)])]

    with engine.begin() as connection:
        connection.exec_driver_sql(UNLOCK.get(dialect, "DROP TRIGGER locked"))
    resumed = run(store, decl, engine, as_of=at(2027, 6, 15), batch=1, run_id=stopped.id)
    members = resumed.table("app.members")
    assert (members.expired, members.deleted, members.anonymised) == (3, 1, 2)
    assert (members.referenced, members.referenced_anonymised) == (2, 2)
    assert [row[1] for row in select(engine, f"{WHOLE} ORDER BY id")] == ["erased", "erased"]
    # Member 1 was not written, nor journaled, again.
    assert journal(store, "members") == [
        ("deleted", [(3,)]),
        ("anonymised", [(1,)]),
        ("anonymised", [(2,)]),
    ]
    engine.dispose()


def test_a_resumed_dry_run_reports_its_finished_tables_counting_referenced_rows_once(
    store: Store,
) -> None:
    retention = compile_retention(declare(MEMBERS, RULES))
    members = next(t for t in retention if t.table == "members")
    run_id = start_run(store, as_of=NOW, dry_run=True, started_by="test")
    # What a dry run records: 2 rows it would delete, 1 referenced it would anonymise.
    tally = Tally(deleted=2, anonymised=1)
    finish_table(store, run_id, members, tally=tally, held=2, referenced=1, notes=[])
    finish_run(store, run_id, error="stopped")
    [done] = done_tables(store, run_id, dry_run=True).values()
    assert (done.expired, done.referenced, done.referenced_anonymised) == (3, 1, 1)
    assert (done.deleted, done.anonymised) == (0, 0)
