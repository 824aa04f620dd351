"""The day a rule lets a row go, on each engine: kept on day E, gone at the first sweep after;
timestamps at the hour; a missing last contact; several rules; a legal hold."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from pledge.store import Store
from tests.retention.sweeping import at, company, declare, ids, innodb, run, store

__all__ = ["store"]

RULES = """
candidates:
  name: Job applications
  duration: 2 years
  trigger: application
calls:
  name: Call recordings
  duration: 1 week
  trigger: recorded
prospects:
  name: Prospects
  duration: 3 years
  trigger: last_contact
usage:
  name: Usage
  duration: 1 year
  trigger: collected
invoices:
  name: Invoices
  duration: 6 years
  trigger: issued
  required_by: Companies Act 2006, s. 388
"""


def test_a_date_trigger_keeps_the_row_on_its_last_day_and_not_after(
    company_url: str, store: Store
) -> None:
    metadata = sa.MetaData()
    innodb(
        "applications",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("applied_on", sa.Date, nullable=False),
    )
    days = [dt.date(2024, 6, 14), dt.date(2024, 6, 15), dt.date(2024, 6, 16)]
    engine = company(
        company_url,
        metadata,
        {"applications": [{"id": i, "applied_on": d} for i, d in enumerate(days, 1)]},
    )
    decl = declare(
        """
applications:
  columns: { applied_on: professional.employment }
  timestamps: { application: applied_on }
  retention: [candidates]
""",
        RULES,
    )
    # Applied on 15 June 2024: kept through 15 June 2026 (E), whatever the hour.
    counted = run(store, decl, engine, as_of=at(2026, 6, 15, 23, 59), dry_run=True)
    assert counted.table("app.applications").expired == 1
    swept = run(store, decl, engine, as_of=at(2026, 6, 15, 23, 59))
    assert swept.table("app.applications").deleted == 1
    assert ids(engine, "applications") == [2, 3]
    run(store, decl, engine, as_of=at(2026, 6, 16, 0, 0))
    assert ids(engine, "applications") == [3]
    engine.dispose()


def test_a_timestamp_trigger_expires_at_the_hour(company_url: str, store: Store) -> None:
    metadata = sa.MetaData()
    innodb(
        "recordings",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
    )
    moments = [dt.datetime(2026, 6, 8, 10, 0), dt.datetime(2026, 6, 8, 10, 30)]
    engine = company(
        company_url,
        metadata,
        {"recordings": [{"id": i, "started_at": m} for i, m in enumerate(moments, 1)]},
    )
    decl = declare(
        """
recordings:
  columns: { started_at: communications.call_record }
  timestamps: { recorded: started_at }
  retention: [calls]
""",
        RULES,
    )
    assert (
        run(store, decl, engine, as_of=at(2026, 6, 15, 9, 59)).table("app.recordings").deleted == 0
    )
    assert (
        run(store, decl, engine, as_of=at(2026, 6, 15, 10, 0)).table("app.recordings").deleted == 1
    )
    assert ids(engine, "recordings") == [2]
    assert (
        run(store, decl, engine, as_of=at(2026, 6, 15, 10, 30)).table("app.recordings").deleted == 1
    )
    assert ids(engine, "recordings") == []
    engine.dispose()


def test_no_last_contact_counts_from_collection_and_every_rule_must_have_expired(
    company_url: str, store: Store
) -> None:
    metadata = sa.MetaData()
    innodb(
        "prospects",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("contacted_at", sa.DateTime),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    innodb(
        "leads",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("contacted_at", sa.DateTime),
    )
    old, recent = dt.datetime(2022, 1, 10), dt.datetime(2026, 1, 10)
    engine = company(
        company_url,
        metadata,
        {
            "prospects": [
                {"id": 1, "contacted_at": None, "created_at": old},  # both rules over
                {"id": 2, "contacted_at": None, "created_at": recent},  # neither
                {"id": 3, "contacted_at": old, "created_at": dt.datetime(2020, 1, 1)},
                {"id": 4, "contacted_at": recent, "created_at": old},  # usage over only
                {"id": 5, "contacted_at": old, "created_at": dt.datetime(2025, 9, 1)},
            ],
            "leads": [{"id": 1, "contacted_at": None}, {"id": 2, "contacted_at": old}],
        },
    )
    decl = declare(
        """
prospects:
  columns: { contacted_at: contact.email }
  timestamps: { last_contact: contacted_at, collected: created_at }
  retention: [prospects, usage]
leads:
  columns: { contacted_at: contact.email }
  timestamps: { last_contact: contacted_at }
  retention: [prospects]
""",
        RULES,
    )
    report = run(store, decl, engine, as_of=at(2026, 6, 15))
    assert report.table("app.prospects").deleted == 2
    assert ids(engine, "prospects") == [2, 4, 5]
    # With no collection date mapped, no last contact means no clock has started.
    assert report.table("app.leads").deleted == 1
    assert ids(engine, "leads") == [1]
    engine.dispose()


def test_a_legal_hold_rule_keeps_rows_the_other_rules_let_go_and_says_so(
    company_url: str, store: Store
) -> None:
    metadata = sa.MetaData()
    innodb(
        "invoices",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("issued_on", sa.Date),
    )
    engine = company(
        company_url,
        metadata,
        {
            "invoices": [
                {"id": 1, "created_at": dt.datetime(2019, 3, 1), "issued_on": dt.date(2019, 3, 1)},
                {"id": 2, "created_at": dt.datetime(2024, 3, 1), "issued_on": dt.date(2024, 3, 1)},
                {"id": 3, "created_at": dt.datetime(2024, 3, 1), "issued_on": None},
                {"id": 4, "created_at": dt.datetime(2026, 3, 1), "issued_on": dt.date(2019, 1, 1)},
            ]
        },
    )
    decl = declare(
        """
invoices:
  columns: { created_at: financial.invoice }
  timestamps: { collected: created_at, issued: issued_on }
  retention: [usage, invoices]
""",
        RULES,
    )
    counted = run(store, decl, engine, as_of=at(2026, 6, 15), dry_run=True).table("app.invoices")
    # 2: issued 2024, kept until 2030; 3: not issued yet, so its 6 years have not begun.
    assert (counted.expired, counted.held, counted.holds) == (1, 2, ("invoices",))
    assert "held by: invoices" in counted.notes
    swept = run(store, decl, engine, as_of=at(2026, 6, 15)).table("app.invoices")
    assert (swept.deleted, swept.held, swept.holds) == (1, 2, ("invoices",))
    assert ids(engine, "invoices") == [2, 3, 4]
    engine.dispose()
