"""Clocks Pledge records about people (objections, withdrawals, closed accounts) and people's
legal holds, as the sweep is given them, on each engine; and `run_sweep` reading them from
the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.retention.events import record_event
from pledge.retention.holds import place_hold
from pledge.retention.people import PersonRows
from pledge.retention.sweep import run_sweep
from pledge.rights.decisions import identity_of
from pledge.services import Services
from pledge.store import Store
from pledge.store.tables import SubjectDecisionRow
from tests.retention.sweeping import KEYS, URL_ENV, at, company, declare, ids, innodb, run, store

__all__ = ["store"]

NOW = at(2026, 6, 15)
LONG_AGO = dt.datetime(2022, 1, 1)
RECENT = dt.datetime(2026, 5, 1)

RULES = """
newsletter:
  name: Newsletter
  duration: 0 days
  trigger: consent_withdrawn
  ends_on_objection: true
prospects:
  name: Prospects
  duration: 3 years
  trigger: last_contact
  ends_on_objection: true
closed:
  name: Closed accounts
  duration: 1 year
  trigger: account_closed
"""

TABLES = """
customers:
  subject: customer
  columns:
    email: { category: contact.email, identity: email }
    seen_at: contact.email
  timestamps: { last_contact: seen_at }
  retention: [prospects, closed]
subscribers:
  subject: customer
  columns:
    email: { category: contact.email, identity: email }
  retention: [newsletter]
"""


def people_tables(url: str) -> Engine:
    metadata = sa.MetaData()
    for name in ("customers", "subscribers"):
        innodb(
            name,
            metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("email", sa.String(100), nullable=False),
            *([sa.Column("seen_at", sa.DateTime, nullable=False)] if name == "customers" else []),
        )
    seen = [RECENT, LONG_AGO, LONG_AGO, LONG_AGO, RECENT]
    return company(
        url,
        metadata,
        {
            "customers": [
                {"id": i, "email": f"c{i}@example.com", "seen_at": s} for i, s in enumerate(seen, 1)
            ],
            "subscribers": [{"id": i, "email": f"s{i}@example.com"} for i in range(1, 5)],
        },
    )


PEOPLE = PersonRows(
    triggers={
        ("app", "customers"): {
            "objection": {(1,): dt.date(2026, 6, 10), (5,): dt.date(2026, 6, 20)},
            "account_closed": {
                (1,): dt.date(2025, 1, 1),
                (2,): dt.date(2026, 1, 1),
                (3,): dt.date(2025, 1, 1),
                (5,): dt.date(2025, 1, 1),
            },
        },
        ("app", "subscribers"): {
            "consent_withdrawn": {(1,): dt.date(2026, 6, 14), (2,): dt.date(2026, 6, 15)},
            "objection": {(3,): dt.date(2026, 6, 15)},
        },
    },
    held={("app", "customers"): frozenset({(3,)})},
    holds={("app", "customers"): ("dispute D-9",)},
)


def test_recorded_clocks_and_objections_end_rules_and_holds_keep_rows(
    company_url: str, store: Store
) -> None:
    engine = people_tables(company_url)
    decl = declare(TABLES, RULES)
    dry = run(store, decl, engine, as_of=NOW, dry_run=True, people=PEOPLE)
    customers = dry.table("app.customers")
    assert (customers.expired, customers.held, customers.holds) == (1, 1, ("dispute D-9",))
    report = run(store, decl, engine, as_of=NOW, people=PEOPLE)
    # 1: objected (its 3 years end at once) and closed over a year ago; 2: closed too
    # recently; 3: held; 4: never closed; 5: its objection is dated after the sweep.
    assert report.table("app.customers").deleted == 1
    assert ids(engine, "customers") == [2, 3, 4, 5]
    # 1 withdrew before today; 2 withdrew today (kept through today); 3 objected today.
    assert report.table("app.subscribers").deleted == 2
    assert ids(engine, "subscribers") == [2, 4]
    engine.dispose()


def test_without_people_recorded_clocks_keep_their_rows_and_say_so(
    company_url: str, store: Store
) -> None:
    engine = people_tables(company_url)
    report = run(store, declare(TABLES, RULES), engine, as_of=NOW)
    assert [(t.table, t.deleted) for t in report.tables] == [("customers", 0), ("subscribers", 0)]
    assert any("given no people" in note for note in report.table("app.customers").notes)
    engine.dispose()


def test_run_sweep_reads_decisions_events_and_holds_from_the_store(
    tmp_path: Path, store: Store
) -> None:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    engine = people_tables(url)
    decl = declare(TABLES, RULES)
    services = Services(
        declaration=lambda: decl, keys=KEYS, public_url="http://127.0.0.1", environ={URL_ENV: url}
    )
    with store.session(write=True) as session:
        kind, value = identity_of("S1@example.com")
        session.add(
            SubjectDecisionRow(
                kind="objection",
                identity_kind=kind,
                identity_value=value,
                decided_at=at(2026, 6, 1),
            )
        )
        for email in ("c1@example.com", "c2@example.com"):
            record_event(
                session,
                kind="account_closed",
                email=email,
                occurred_on=dt.date(2025, 1, 1),
                actor="test",
                note=None,
                now=at(2026, 6, 1),
            )
        place_hold(
            session,
            decl,
            email="c2@example.com",
            reason="dispute D-9",
            until=None,
            scope=[],
            actor="test",
            now=at(2026, 6, 1),
        )
    try:
        report = run_sweep(store, services, now=NOW, dry_run=False, started_by="test")
    finally:
        services.close()
    assert ids(engine, "subscribers") == [2, 3, 4]
    # c1 was seen lately: its 3 years run on; c2's clocks are over, but a hold keeps it.
    assert ids(engine, "customers") == [1, 2, 3, 4, 5]
    customers = report.table("app.customers")
    assert (customers.held, customers.holds) == (1, ("dispute D-9",))
    engine.dispose()


def test_an_objection_the_table_records_itself_ends_the_rule_that_day(
    company_url: str, store: Store
) -> None:
    metadata = sa.MetaData()
    innodb(
        "leads",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seen_at", sa.DateTime, nullable=False),
        sa.Column("objected_on", sa.Date),
    )
    days = [dt.date(2026, 6, 15), None, dt.date(2026, 6, 16)]
    engine = company(
        company_url,
        metadata,
        {"leads": [{"id": i, "seen_at": RECENT, "objected_on": d} for i, d in enumerate(days, 1)]},
    )
    decl = declare(
        """
leads:
  columns: { seen_at: contact.email }
  timestamps: { last_contact: seen_at, objection: objected_on }
  retention: [prospects]
""",
        RULES,
    )
    assert run(store, decl, engine, as_of=NOW).table("app.leads").deleted == 1
    assert ids(engine, "leads") == [2, 3]
    engine.dispose()
