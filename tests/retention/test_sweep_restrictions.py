"""A restriction of processing (GDPR Art. 18) keeps the person's marked rows from the sweep,
on each engine, read from the store as `run_sweep` reads it; once lifted, the next sweep
treats them as any other rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.declaration.model import Declaration
from pledge.retention.restrictions import RESTRICTED
from pledge.retention.sweep import run_sweep
from pledge.rights import create_request
from pledge.rights.decisions import record_decisions, release_restriction
from pledge.services import Services
from pledge.sources.access import execute_access
from pledge.sources.plan import build_plan
from pledge.store import Store
from tests.retention.sweeping import KEYS, URL_ENV, at, company, declare, ids, innodb, select, store

__all__ = ["store"]

NOW = at(2026, 6, 15)
OLD = dt.datetime(2024, 1, 1)
RECENT = dt.datetime(2026, 5, 1)
JANE = "jane@example.com"

RULES = """
people:
  name: People
  duration: 1 year
  trigger: last_contact
analytics:
  name: Audience measurement
  duration: 13 months
  trigger: collected
  action: anonymise
"""

# Visits have a key of two columns, one a date: the marks keep it as JSON text.
TABLES = """
customers:
  subject: customer
  columns:
    email: { category: contact.email, identity: email }
    seen_at: contact.email
  timestamps: { last_contact: seen_at }
  retention: [people]
visits:
  subject: customer
  links: [{ table: customers, on: { customer_id: id } }]
  columns:
    ip: online.ip_address
  timestamps: { collected: visited_on }
  retention: [analytics]
"""


def shop(url: str) -> Engine:
    metadata = sa.MetaData()
    innodb(
        "customers",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(100), nullable=False),
        sa.Column("seen_at", sa.DateTime, nullable=False),
    )
    innodb(
        "visits",
        metadata,
        sa.Column("customer_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("visited_on", sa.Date, primary_key=True),
        sa.Column("ip", sa.String(45), nullable=False),
    )
    day = dt.date(2024, 1, 1)
    return company(
        url,
        metadata,
        {
            "customers": [
                {"id": 1, "email": JANE, "seen_at": OLD},
                {"id": 2, "email": "bob@example.com", "seen_at": OLD},
                {"id": 3, "email": "ann@example.com", "seen_at": RECENT},
            ],
            "visits": [
                {"customer_id": 1, "visited_on": day, "ip": "203.0.113.1"},
                {"customer_id": 1, "visited_on": dt.date(2024, 2, 1), "ip": "203.0.113.2"},
                {"customer_id": 2, "visited_on": day, "ip": "203.0.113.3"},
                {"customer_id": 3, "visited_on": RECENT.date(), "ip": "203.0.113.4"},
            ],
        },
    )


@pytest.fixture
def declared() -> Declaration:
    return declare(TABLES, RULES)


@pytest.fixture
def services(company_url: str, declared: Declaration) -> Iterator[Services]:
    made = Services(
        declaration=lambda: declared,
        keys=KEYS,
        public_url="http://127.0.0.1",
        environ={URL_ENV: company_url},
    )
    try:
        yield made
    finally:
        made.close()


def restrict(store: Store, services: Services, email: str, *, now: dt.datetime) -> str:
    """A restriction request carried out as a run does: the person's rows found and marked."""
    declaration = services.declaration
    plan = build_plan(declaration, services.schemas(), {"email": [email]})
    access = execute_access(plan, services.engines())
    with store.session(write=True) as session:
        request = create_request(
            session, declaration, type="restriction", email=email, jurisdiction="uk", now=now
        )
        record_decisions(session, declaration, request, access=access, now=now)
        return request.id


def visit_ips(engine: Engine) -> list[tuple[int, str]]:
    query = "SELECT customer_id, ip FROM visits ORDER BY customer_id, visited_on"
    return [(int(row[0]), str(row[1])) for row in select(engine, query)]


def test_restricted_rows_are_kept_until_the_restriction_is_lifted(
    company_url: str, store: Store, services: Services
) -> None:
    engine = shop(company_url)
    ref = restrict(store, services, JANE, now=at(2026, 6, 1))

    dry = run_sweep(store, services, now=NOW, dry_run=True, started_by="test")
    assert (dry.table("app.customers").expired, dry.table("app.customers").held) == (1, 1)
    assert (dry.table("app.visits").expired, dry.table("app.visits").held) == (1, 2)

    report = run_sweep(store, services, now=NOW, dry_run=False, started_by="test")
    # Bob's rows go; Jane's, restricted, stay as they were; Ann's are recent.
    assert ids(engine, "customers") == [1, 3]
    assert visit_ips(engine) == [
        (1, "203.0.113.1"),
        (1, "203.0.113.2"),
        (2, "erased"),
        (3, "203.0.113.4"),
    ]
    customers, visits = report.table("app.customers"), report.table("app.visits")
    assert (customers.deleted, customers.held, customers.holds) == (1, 1, (RESTRICTED,))
    assert (visits.anonymised, visits.held, visits.holds) == (1, 2, (RESTRICTED,))
    kept = "kept under a restriction of processing the person asked for (GDPR Art. 18)"
    assert f"1 row {kept}: stored only, until it is lifted" in customers.notes
    assert f"2 rows {kept}: stored only, until it is lifted" in visits.notes

    with store.session(write=True) as session:
        lifted = release_restriction(
            session, ref, actor="staff:omar", reason="accuracy checked", now=at(2026, 6, 20)
        )
    assert lifted == 1
    # A sweep as of a moment before the lifting still keeps them.
    before = run_sweep(store, services, now=at(2026, 6, 19), dry_run=True, started_by="test")
    assert before.table("app.customers").held == 1
    after = run_sweep(store, services, now=at(2026, 6, 21), dry_run=False, started_by="test")
    assert ids(engine, "customers") == [3]
    assert [ip for _, ip in visit_ips(engine)] == ["erased", "erased", "erased", "203.0.113.4"]
    assert (after.table("app.customers").deleted, after.table("app.customers").held) == (1, 0)
    assert after.table("app.visits").holds == ()
    engine.dispose()


def test_a_restriction_recorded_after_the_runs_moment_keeps_the_rows_too(
    company_url: str, store: Store, services: Services
) -> None:
    # A run resumed, or started as of an earlier moment, changes rows now: a restriction in
    # force now binds it.
    engine = shop(company_url)
    restrict(store, services, JANE, now=at(2026, 6, 16))
    report = run_sweep(store, services, now=NOW, dry_run=False, started_by="test")
    assert ids(engine, "customers") == [1, 3]
    assert report.table("app.customers").holds == (RESTRICTED,)
    engine.dispose()
