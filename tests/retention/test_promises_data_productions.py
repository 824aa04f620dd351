"""Data Productions (seed 004, examples/data-productions) keeps its retention promises: contact
details, account details and payment history for seven years (S004-28), kept through an
erasure request with the law as the reason while the rest is erased (S004-37). On every
engine, each sweep frozen on the scenario's days: kept on the last day, gone the day after.

The seed says neither when "your data" ends nor from when the seven years run (L-004-04);
as COMMITMENTS.md assumes, both count from the end of the relationship, which the operator
writes into the seed's own rules here.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from pledge.store import Store
from tests.mail.smtp_server import SmtpServer, smtp_server
from tests.retention.promises import on, one_database, opened, seed, source
from tests.retention.sweeping import innodb, store

__all__ = ["smtp_server", "store"]

SEED = "data-productions"
OPERATOR = """
retention:
  relationship: { duration: 0 days }
  seven_years: { trigger: relationship_end }
"""
RECORDS = """
contacts:
  subject: customer
  activities: [it_support]
  columns:
    email: { category: contact.email, identity: email }
    phone: contact.phone
  retention: [relationship, seven_years]
accounts:
  activities: [it_support]
  columns:
    contact_email: { category: contact.email, identity: email }
    username: account.registration
  retention: [relationship, seven_years]
payments:
  activities: [hardware_orders]
  columns:
    contact_email: { category: contact.email, identity: email }
    amount: financial.transaction
  retention: [relationship, seven_years]
"""


def test_S004_28_contact_account_and_payment_records_go_7_years_after_the_relationship(
    company_url: str, store: Store
) -> None:
    metadata = sa.MetaData()
    for name, email, column in (
        ("contacts", "email", "phone"),
        ("accounts", "contact_email", "username"),
        ("payments", "contact_email", "amount"),
    ):
        innodb(
            name,
            metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column(email, sa.String(120), nullable=False),
            sa.Column(column, sa.String(60), nullable=False),
        )
    people = enumerate(("c1@example.com", "c2@example.com"), 1)  # C2 is still a customer
    rows: dict[str, list[dict[str, object]]] = {"contacts": [], "accounts": [], "payments": []}
    for i, email in people:
        rows["contacts"].append({"id": i, "email": email, "phone": "020 7946 0000"})
        rows["accounts"].append({"id": i, "contact_email": email, "username": f"c{i}"})
        rows["payments"].append({"id": i, "contact_email": email, "amount": "75.00"})
    declaration = seed(SEED, source(RECORDS) + OPERATOR)
    with opened(store, declaration, one_database(company_url, metadata, rows)) as company:
        company.event("relationship_end", "c1@example.com", dt.date(2017, 4, 30))
        report = company.sweep(on(2024, 4, 29))
        for table in ("contacts", "accounts", "payments"):
            swept = report.table(f"company.{table}")
            assert (swept.held, swept.holds) == (1, ("seven_years",)), table
        company.sweep(on(2024, 4, 30))  # the relationship ended 30 April 2017
        assert company.ids("payments") == [1, 2]
        company.sweep(on(2024, 5, 1))
        for table in ("contacts", "accounts", "payments"):
            assert company.ids(table) == [2], table


ERASURE = """
customers:
  subject: customer
  activities: [it_support, marketing]
  columns:
    email: { category: contact.email, identity: email }
    name: identity.name
    newsletter_topics: preferences.marketing
  timestamps: { relationship_end: relationship_ended_on }
  retention: [relationship, seven_years]
payments:
  activities: [hardware_orders]
  erase: delete_row
  columns:
    amount: financial.transaction
  retention: [relationship, seven_years]
call_recordings:
  activities: [it_support]
  erase: delete_row
  columns:
    audio: communications.call_recording
  retention: [relationship]
ip_logs:
  activities: [it_support]
  erase: delete_row
  columns:
    customer_email: { category: contact.email, identity: email }
    ip: online.ip_address
  retention: [relationship]
marketing:
  activities: [marketing]
  erase: delete_row
  columns:
    email: { category: contact.email, identity: email }
    channel: preferences.marketing
  retention: [relationship]
"""


def erasure_company() -> tuple[sa.MetaData, dict[str, list[dict[str, object]]]]:
    metadata = sa.MetaData()
    innodb(
        "customers",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(120), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("newsletter_topics", sa.String(200)),
        sa.Column("relationship_ended_on", sa.Date),
    )
    for name, column in (("payments", "amount"), ("call_recordings", "audio")):
        innodb(
            name,
            metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
            sa.Column(column, sa.String(200), nullable=False),
        )
    for name, column in (("ip_logs", "customer_email"), ("marketing", "email")):
        innodb(
            name,
            metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column(column, sa.String(120), nullable=False),
            sa.Column("ip" if name == "ip_logs" else "channel", sa.String(45), nullable=False),
        )
    rows: dict[str, list[dict[str, object]]] = {
        "customers": [
            {"id": 1, "email": "c1@example.com", "name": "C1", "newsletter_topics": "backups",
             "relationship_ended_on": dt.date(2022, 1, 1)},
        ],
        "payments": [{"id": 1, "customer_id": 1, "amount": "350.00"}],
        "call_recordings": [{"id": 1, "customer_id": 1, "audio": "calls/2021-11-02.wav"}],
        "ip_logs": [{"id": 1, "customer_email": "c1@example.com", "ip": "198.51.100.20"}],
        "marketing": [{"id": 1, "email": "c1@example.com", "channel": "email"}],
    }  # fmt: skip
    return metadata, rows


def test_S004_37_an_erasure_keeps_the_7_year_records_with_the_law_as_reason(
    company_url: str, store: Store, smtp_server: SmtpServer
) -> None:
    metadata, rows = erasure_company()
    declaration = seed(SEED, source(ERASURE) + OPERATOR)
    database = one_database(company_url, metadata, rows)
    with opened(store, declaration, database, smtp=smtp_server) as company:
        # Staff recorded the end of the relationship: payments have no date of their own.
        company.event("relationship_end", "c1@example.com", dt.date(2022, 1, 1))
        erasure = company.request("erasure", "c1@example.com", on(2024, 5, 2, 9), jurisdiction="uk")
        # Done on the day it is confirmed, well before 2 June.
        assert erasure.state == "completed", erasure.outcome
        for table in ("call_recordings", "ip_logs", "marketing"):
            assert company.ids(table) == [], table
        # Contact and account details and payments stay; what is not theirs to keep goes.
        assert company.select("SELECT email, name, newsletter_topics FROM customers") == [
            ("c1@example.com", "C1", None)
        ]
        assert company.ids("payments") == [1]
        kept = {k["table"]: k for k in company.summary(erasure.id)["kept"]}
        assert set(kept) == {"customers", "payments"}
        assert kept["customers"]["rules"] == ["seven_years"]
        assert kept["customers"]["required_by"] == ["law"]
        assert kept["customers"]["until"] == "2029-01-01"
        assert (kept["payments"]["rules"], kept["payments"]["required_by"]) == (
            ["seven_years"],
            ["law"],
        )

        company.sweep(on(2029, 1, 1))
        assert company.ids("customers") == [1]
        assert company.ids("payments") == [1]
        company.sweep(on(2029, 1, 2))
        assert company.ids("payments") == []
        assert company.ids("customers") == []
