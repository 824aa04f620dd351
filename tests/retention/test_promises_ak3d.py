"""AK3D Studio (seed 001, examples/ak3d-studio) keeps its retention promises: information kept
while the account exists (S001-17), then deleted or anonymised except what the law requires
(S001-19), records of an open claim held through the closure until it ends (S001-11), and an
open complaint keeping what it concerns until it is resolved (S001-18). On every engine,
each sweep frozen on the scenario's days: kept on the last day, gone the day after.

The seed names no legal period (L-001-04); S001-19's "invoices: 6 years from invoice date"
is the scenario's operator value, written into the seed's own `legally_required` rule.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from pledge.store import Store
from tests.retention.promises import on, one_database, opened, seed, source
from tests.retention.sweeping import innodb, store

__all__ = ["store"]

SEED = "ak3d-studio"
ACCOUNTS = """
accounts:
  subject: customer
  activities: [accounts_and_guarantees, updates_and_marketing]
  columns:
    email: { category: contact.email, identity: email }
    name: identity.name
    marketing_opt_in: preferences.marketing
    last_ip: online.ip_address
  retention: [account_lifetime]
"""


def accounts(metadata: sa.MetaData, *ids: int) -> list[dict[str, object]]:
    innodb(
        "accounts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(120), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("marketing_opt_in", sa.Boolean, nullable=False),
        sa.Column("last_ip", sa.String(45)),
    )
    return [
        {"id": i, "email": f"c{i}@example.com", "name": f"C{i}", "marketing_opt_in": True,
         "last_ip": f"192.0.2.{i}"}
        for i in ids
    ]  # fmt: skip


def test_S001_17_an_open_account_is_untouched_and_a_closed_one_goes_the_next_day(
    company_url: str, store: Store
) -> None:
    metadata = sa.MetaData()
    rows = {"accounts": accounts(metadata, 1, 2)}
    database = one_database(company_url, metadata, rows)
    with opened(store, seed(SEED, source(ACCOUNTS)), database) as company:
        report = company.sweep(on(2024, 9, 30))
        assert report.table("company.accounts").expired == 0
        company.event("account_closed", "c1@example.com", dt.date(2024, 10, 1))
        company.sweep(on(2024, 10, 1))  # closed that day: kept through it
        assert company.ids("accounts") == [1, 2]
        company.sweep(on(2024, 10, 2))
        assert company.ids("accounts") == [2]


AFTER_CLOSURE = """
invoices:
  activities: [goods_and_services]
  columns:
    account_email: { category: contact.email, identity: email }
    amount: commercial.purchase_history
  timestamps: { issued: issued_on }
  retention: [account_lifetime, legally_required]
page_views:
  activities: [updates_and_marketing]
  links: [{ table: accounts, on: { account_id: id } }]
  columns:
    account_id: { category: online.usage, erase: "null" }
    ip: { category: online.ip_address, erase: "null" }
    page: { category: online.usage, erase: keep }
  retention: [journey]
"""
OPERATOR = """
retention:
  legally_required:
    duration: 6 years
    trigger: issued
    required_by: Companies Act 2006, s. 388
  journey:
    name: Site journeys, kept as figures once the account is closed
    duration: 0 days
    trigger: account_closed
    action: anonymise
activities:
  updates_and_marketing: { retention: [account_lifetime, journey] }
"""


def test_S001_19_after_closure_profile_goes_journeys_are_anonymised_and_invoices_wait(
    company_url: str, store: Store
) -> None:
    metadata = sa.MetaData()
    profile = accounts(metadata, 1, 2)
    innodb(
        "invoices",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("account_email", sa.String(120), nullable=False),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
    )
    innodb(
        "page_views",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("account_id", sa.Integer),  # a log, linked by value: no foreign key
        sa.Column("ip", sa.String(45)),
        sa.Column("page", sa.String(200), nullable=False),
    )
    rows = {
        "accounts": profile,
        "invoices": [
            {"id": 1, "account_email": "c1@example.com", "amount": 40,
             "issued_on": dt.date(2024, 3, 1)},
            {"id": 2, "account_email": "c2@example.com", "amount": 90,
             "issued_on": dt.date(2018, 1, 1)},  # C2 still holds the account
        ],
        "page_views": [
            {"id": 1, "account_id": 1, "ip": "192.0.2.1", "page": "/shop"},
            {"id": 2, "account_id": 1, "ip": "192.0.2.1", "page": "/basket"},
            {"id": 3, "account_id": 2, "ip": "192.0.2.2", "page": "/shop"},
        ],
    }  # fmt: skip
    declaration = seed(SEED, source(ACCOUNTS + AFTER_CLOSURE) + OPERATOR)
    views = "SELECT id, account_id, ip, page FROM page_views ORDER BY id"
    with opened(store, declaration, one_database(company_url, metadata, rows)) as company:
        company.event("account_closed", "c1@example.com", dt.date(2024, 10, 1))
        company.sweep(on(2024, 10, 1))
        assert company.ids("accounts") == [1, 2]
        report = company.sweep(on(2024, 10, 2))
        # Profile, marketing choice and IP address go with the account's row.
        assert company.ids("accounts") == [2]
        assert company.select(views) == [
            (1, None, None, "/shop"),
            (2, None, None, "/basket"),
            (3, 2, "192.0.2.2", "/shop"),
        ]
        invoices = report.table("company.invoices")
        assert (invoices.held, invoices.holds) == (1, ("legally_required",))
        assert company.ids("invoices") == [1, 2]
        company.sweep(on(2030, 3, 1))  # issued 1 March 2024: kept through 1 March 2030
        assert company.ids("invoices") == [1, 2]
        company.sweep(on(2030, 3, 2))
        assert company.ids("invoices") == [2]


CLAIM = "claim CL-2, raised 2024-09-01"
DEALINGS = """
transactions:
  activities: [crime_and_legal_claims]
  columns:
    account_email: { category: contact.email, identity: email }
    amount: financial.transaction
  retention: [account_lifetime]
interactions:
  activities: [crime_and_legal_claims]
  columns:
    account_email: { category: contact.email, identity: email }
    summary: commercial.purchase_history
  retention: [account_lifetime]
"""


def test_S001_11_a_claims_records_survive_the_closure_until_the_claim_ends(
    company_url: str, store: Store
) -> None:
    metadata = sa.MetaData()
    profile = accounts(metadata, 1, 2)
    for name, column in (("transactions", "amount"), ("interactions", "summary")):
        innodb(
            name,
            metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("account_email", sa.String(120), nullable=False),
            sa.Column(column, sa.String(200), nullable=False),
        )
    rows = {
        "accounts": profile,
        "transactions": [{"id": 1, "account_email": "c1@example.com", "amount": "120.00"}],
        "interactions": [{"id": 1, "account_email": "c1@example.com", "summary": "refund asked"}],
    }
    declaration = seed(SEED, source(ACCOUNTS + DEALINGS))
    with opened(store, declaration, one_database(company_url, metadata, rows)) as company:
        claim = company.hold(
            "c1@example.com",
            CLAIM,
            on(2024, 9, 1, 11),
            scope=["company.transactions", "company.interactions"],
        )
        company.event("account_closed", "c1@example.com", dt.date(2024, 9, 15))
        report = company.sweep(on(2024, 9, 16))
        assert company.ids("accounts") == [2]
        for table in ("transactions", "interactions"):
            swept = report.table(f"company.{table}")
            assert (swept.held, swept.holds) == (1, (CLAIM,)), table
            assert company.ids(table) == [1], table
        company.sweep(on(2025, 2, 1))
        assert company.ids("transactions") == [1]
        company.release(claim, on(2025, 2, 1, 15))  # CL-2 is closed
        company.sweep(on(2025, 2, 2))
        assert company.ids("transactions") == []
        assert company.ids("interactions") == []


COMPLAINTS = """
complaints:
  activities: [accounts_and_guarantees]
  columns:
    summary: commercial.purchase_history
  timestamps: { collected: opened_on, request_resolved: resolved_on }
  retention: [account_lifetime, complaints]
"""
# Operator: "we keep your information to address any complaints" until one is resolved.
UNTIL_RESOLVED = """
retention:
  complaints:
    name: Complaints
    duration: 0 days
    trigger: request_resolved
activities:
  accounts_and_guarantees: { retention: [account_lifetime, complaints] }
"""


def test_S001_18_an_open_complaint_keeps_what_it_concerns_until_it_is_resolved(
    company_url: str, store: Store
) -> None:
    metadata = sa.MetaData()
    profile = accounts(metadata, 1)
    innodb(
        "complaints",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("summary", sa.String(200), nullable=False),
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("resolved_on", sa.Date),
    )
    rows = {
        "accounts": profile,
        "complaints": [
            {"id": 1, "account_id": 1, "summary": "CP-1: late delivery",
             "opened_on": dt.date(2024, 9, 20), "resolved_on": None},
        ],
    }  # fmt: skip
    declaration = seed(SEED, source(ACCOUNTS + COMPLAINTS) + UNTIL_RESOLVED)
    with opened(store, declaration, one_database(company_url, metadata, rows)) as company:
        company.event("account_closed", "c1@example.com", dt.date(2024, 10, 1))
        report = company.sweep(on(2024, 10, 2))
        # CP-1 is open: it stays, and so does the account it is about.
        assert company.ids("complaints") == [1]
        assert company.ids("accounts") == [1]
        assert report.table("company.accounts").referenced == 1
        with company.engines["company"].begin() as connection:
            connection.execute(
                sa.text("UPDATE complaints SET resolved_on = :day WHERE id = 1"),
                {"day": dt.date(2024, 11, 15)},
            )
        company.sweep(on(2024, 11, 15))
        assert company.ids("complaints") == [1]
        company.sweep(on(2024, 11, 16))
        assert company.ids("complaints") == []
        assert company.ids("accounts") == []
