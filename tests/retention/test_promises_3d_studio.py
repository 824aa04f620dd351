"""3D Studio Production (seed 000, examples/3d-studio-production) keeps its retention
promises: account data as long as the account (S000-37), contract records outliving it
(S000-40), secure deletion from every mapped store with a record free of personal data
(S000-20), a dispute's records held through an erasure and swept once it closes (S000-12),
children's accounts deleted as soon as known (S000-34), and `pledge check` asking for a rule
for every purpose (S000-18). On every engine, each sweep frozen on the scenario's days.

The seed defines no period but the account's ("0 days" from its closure); the contract
period of S000-40 is the scenario's operator value, named where the test sets it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from typer.testing import CliRunner

from pledge.cli.app import app
from pledge.declaration.lint import lint
from pledge.declaration.load import parse_declaration
from pledge.retention.children import flag_child
from pledge.retention.journal import journal_entries, open_keys
from pledge.sources.access import execute_access
from pledge.sources.plan import build_plan
from pledge.store import Store
from pledge.store.tables import SubjectEventRow, SweepResultRow, SweepRunRow
from tests.mail.smtp_server import SmtpServer, smtp_server
from tests.retention.promises import (
    SOURCE,
    URL_ENV,
    Database,
    on,
    one_database,
    opened,
    seed,
    seed_text,
    source,
    source_entry,
)
from tests.retention.sweeping import KEYS, innodb, store

__all__ = ["smtp_server", "store"]

SEED = "3d-studio-production"


def shop(*, birth_dates: bool = False) -> sa.MetaData:
    """Accounts, their addresses and their orders, the two tied to the account by keys."""
    metadata = sa.MetaData()
    innodb(
        "accounts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(120), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        *([sa.Column("born_on", sa.Date)] if birth_dates else []),
    )
    innodb(
        "addresses",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("line", sa.String(200), nullable=False),
    )
    innodb(
        "orders",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("ordered_on", sa.Date, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
    )
    return metadata


def customers(*ids: int, born: dict[int, dt.date] | None = None) -> dict[str, list[Any]]:
    """An account per id (email c<id>@example.com) with an address and an order each."""
    births = born or {}
    return {
        "accounts": [
            {"id": i, "email": f"c{i}@example.com", "name": f"C{i}",
             **({"born_on": births.get(i)} if born is not None else {})}
            for i in ids
        ],
        "addresses": [{"id": i, "account_id": i, "line": f"{i} High Street"} for i in ids],
        "orders": [
            {"id": i, "account_id": i, "ordered_on": dt.date(2024, 1, 15), "total": 100 * i}
            for i in ids
        ],
    }  # fmt: skip


ACCOUNT_TABLES = """
accounts:
  subject: customer
  activities: [services]
  erase: delete_row
  columns:
    email: { category: contact.email, identity: email }
    name: identity.name
  retention: [account]
addresses:
  activities: [services]
  erase: delete_row
  columns:
    line: contact.postal_address
  retention: [account]
orders:
  activities: [services]
  erase: delete_row
  columns:
    total: commercial.purchase_history
  timestamps: { collected: ordered_on }
  retention: [account]
"""


def test_S000_37_account_data_goes_the_day_after_the_account_is_closed(
    company_url: str, store: Store
) -> None:
    database = one_database(company_url, shop(), customers(9, 10))
    with opened(store, seed(SEED, source(ACCOUNT_TABLES)), database) as company:
        company.event("account_closed", "c9@example.com", dt.date(2024, 4, 30))
        company.sweep(on(2024, 4, 30))  # "as long as you hold the account": that day included
        assert company.ids("accounts") == [9, 10]
        report = company.sweep(on(2024, 5, 1))
        for table in ("accounts", "addresses", "orders"):
            assert company.ids(table) == [10], table  # the open account is untouched
            assert report.table(f"company.{table}").deleted == 1


CONTRACT_RECORDS = """
retention:
  general_periods:
    duration: 6 years
    trigger: collected
    required_by: Limitation Act 1980, s. 5
"""


def test_S000_40_contract_records_outlive_the_account_for_6_years_from_the_order(
    company_url: str, store: Store
) -> None:
    # Operator: "contract records: 6 years from order date" (the seed gives no figure).
    tables = ACCOUNT_TABLES.replace(
        "timestamps: { collected: ordered_on }\n  retention: [account]",
        "timestamps: { collected: ordered_on }\n  retention: [account, general_periods]",
    )
    database = one_database(company_url, shop(), customers(1, 2))
    with opened(store, seed(SEED, source(tables) + CONTRACT_RECORDS), database) as company:
        company.event("account_closed", "c1@example.com", dt.date(2024, 3, 1))
        report = company.sweep(on(2024, 3, 2))
        assert company.ids("addresses") == [2]
        orders = report.table("company.orders")
        assert (orders.held, orders.holds) == (1, ("general_periods",))
        # The order refers to the account: the account's row stays while the order does.
        assert report.table("company.accounts").referenced == 1
        assert company.ids("accounts") == [1, 2]
        company.sweep(on(2030, 1, 15))  # ordered 15 January 2024: kept through this day
        assert company.ids("orders") == [1, 2]
        company.sweep(on(2030, 1, 16))
        assert company.ids("orders") == [2]
        assert company.ids("accounts") == [2]  # freed by its order, gone in the same sweep


CRM = "PLEDGE_TEST_CRM_URL"
MESSAGES = """
messages:
  subject: customer
  activities: [customer_service]
  erase: delete_row
  columns:
    email: { category: contact.email, identity: email }
    body: communications.email
  retention: [account]
"""


def test_S000_20_the_sweep_deletes_from_every_store_and_records_no_personal_data(
    company_url: str, store: Store, tmp_path: Path
) -> None:
    crm = sa.MetaData()
    innodb(
        "messages",
        crm,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(120), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    messages = [{"id": i, "email": f"c{i}@example.com", "body": "Hello"} for i in (3, 4)]
    sections = "sources:\n" + "".join(
        [
            source_entry(ACCOUNT_TABLES, name=SOURCE, url_env=URL_ENV),
            source_entry(MESSAGES, name="crm", url_env=CRM),
        ]
    )
    declaration = seed(SEED, sections)
    databases = {
        **one_database(company_url, shop(), customers(3, 4)),
        "crm": Database(f"sqlite:///{tmp_path / 'crm.db'}", crm, {"messages": messages}, CRM),
    }
    with opened(store, declaration, databases) as company:
        company.event("account_closed", "c3@example.com", dt.date(2024, 7, 1))  # expires then
        company.sweep(on(2024, 7, 1))
        assert company.ids("messages", source="crm") == [3, 4]
        report = company.sweep(on(2024, 7, 2))

        plan = build_plan(declaration, company.services.schemas(), {"email": ["c3@example.com"]})
        found = execute_access(plan, company.services.engines())
        assert {name: rows for name, (rows, _) in found.counts().items()} == {
            "company.accounts": 0,
            "company.addresses": 0,
            "company.orders": 0,
            "crm.messages": 0,
        }
        assert company.ids("messages", source="crm") == [4]

        with store.session() as session:
            run = session.get_one(SweepRunRow, report.run_id)
            results = session.scalars(
                sa.select(SweepResultRow).where(SweepResultRow.run_id == run.id)
            ).all()
            entries = list(journal_entries(session))
            assert (run.as_of, run.started_by, run.state) == (on(2024, 7, 2), "schedule", "done")
            assert {(r.source, r.table_name, tuple(r.rules), r.deleted) for r in results} == {
                (SOURCE, "accounts", ("account",), 1),
                (SOURCE, "addresses", ("account",), 1),
                (SOURCE, "orders", ("account",), 1),
                ("crm", "messages", ("account",), 1),
            }
            # What must stay gone is journaled by key, sealed: the address is nowhere in it.
            assert {e.cause for e in entries} == {f"sweep:{run.id}"}
            assert sorted(open_keys(e, KEYS.package) for e in entries) == [[(3,)]] * 4
            recorded = [repr(r.notes) for r in results] + [bytes(e.keys).hex() for e in entries]
            assert not any("c3@example.com" in text for text in recorded)
            assert not any(b"c3@example.com" in bytes(e.keys) for e in entries)


DISPUTE = "dispute or claim D-9"
SHOP_WITH_EMAIL = ACCOUNT_TABLES.replace(
    "  columns:\n    total: commercial.purchase_history",
    "  columns:\n    customer_email: { category: contact.email, identity: email }\n"
    "    total: commercial.purchase_history",
)


def test_S000_12_a_disputes_records_are_held_through_an_erasure_and_swept_once_it_closes(
    company_url: str, store: Store, smtp_server: SmtpServer
) -> None:
    metadata = shop()
    # The order names its customer, so it is still found once the account is erased.
    metadata.tables["orders"].append_column(sa.Column("customer_email", sa.String(120)))
    rows = customers(1, 2)
    for order in rows["orders"]:
        order["customer_email"] = f"c{order['id']}@example.com"
    declaration = seed(SEED, source(SHOP_WITH_EMAIL))
    database = one_database(company_url, metadata, rows)
    with opened(store, declaration, database, smtp=smtp_server) as company:
        hold = company.hold("c1@example.com", DISPUTE, on(2024, 6, 1, 10), scope=["company.orders"])
        erasure = company.request(
            "erasure", "c1@example.com", on(2024, 6, 10, 9), jurisdiction="uk"
        )
        assert erasure.state == "completed", erasure.outcome
        assert company.ids("orders") == [1, 2]  # held: the disputed order
        assert company.ids("addresses") == [2]  # the rest of C1's data is erased
        # Its account stays for the held order to refer to, but no longer names C1.
        assert company.ids("accounts") == [1, 2]
        assert company.select("SELECT id FROM accounts WHERE email = 'c1@example.com'") == []
        kept = company.summary(erasure.id)["kept"]
        assert [(k["table"], k["rules"], k["until"]) for k in kept] == [
            ("orders", [f"legal hold: {DISPUTE}"], None)
        ]
        # The account is gone with the erasure: its rule counts from that day.
        company.event("account_closed", "c1@example.com", dt.date(2024, 6, 10))

        held = company.sweep(on(2024, 6, 11)).table("company.orders")
        assert (held.held, held.holds) == (1, (DISPUTE,))
        company.sweep(on(2024, 12, 1))
        assert company.ids("orders") == [1, 2]
        company.release(hold, on(2024, 12, 1, 16))  # D-9 closes
        company.sweep(on(2024, 12, 2))
        assert company.ids("orders") == [2]
        assert company.select("SELECT id FROM accounts WHERE email = 'c2@example.com'") == [(2,)]


CHILDREN = """
children:
  age_from: [identity.date_of_birth]
"""
BORN = ACCOUNT_TABLES.replace(
    "    name: identity.name\n  retention: [account]",
    "    name: identity.name\n    born_on: identity.date_of_birth\n  retention: [account]",
    1,
)


def test_S000_34_a_flagged_childs_account_is_deleted_at_once_and_logged(
    company_url: str, store: Store
) -> None:
    database = one_database(company_url, shop(), customers(55, 56))
    with opened(store, seed(SEED, source(ACCOUNT_TABLES)), database) as company:
        flagged = on(2024, 6, 10, 9)
        done = flag_child(
            store, company.services, email="C55@example.com", actor="staff:ann", now=flagged
        )
        assert done.erased and done.deleted == 3
        for table in ("accounts", "addresses", "orders"):
            assert company.ids(table) == [56], table
        with store.session() as session:
            run = session.get_one(SweepRunRow, done.run_id)
            event = session.get_one(SubjectEventRow, done.event_id)
        assert (run.started_by, run.state, run.as_of) == ("child under 18", "done", flagged)
        assert run.finished_at is not None and run.finished_at >= run.started_at
        assert (event.kind, event.identity_value, event.recorded_by) == (
            "child",
            "c55@example.com",
            "staff:ann",
        )
        assert event.handled_at is not None


def test_S000_34_the_sweep_deletes_an_account_whose_holder_is_under_18_that_day(
    company_url: str, store: Store
) -> None:
    born = {57: dt.date(2006, 6, 10), 58: dt.date(2006, 6, 11), 59: dt.date(1990, 1, 1)}
    database = one_database(company_url, shop(birth_dates=True), customers(57, 58, 59, born=born))
    with opened(store, seed(SEED, source(BORN) + CHILDREN), database) as company:
        # On 10 June 2024, 57 turns 18; 58 does the next day.
        report = company.sweep(on(2024, 6, 10))
        assert len(report.child_runs) == 1
        for table in ("accounts", "addresses", "orders"):
            assert company.ids(table) == [57, 59], table
        assert company.sweep(on(2024, 6, 11)).child_runs == ()


def test_S000_18_a_purpose_without_retention_fails_the_strict_check(tmp_path: Path) -> None:
    text = seed_text(SEED, "activities:\n  marketing: { retention: null }\n")
    found = [p.message for p in lint(parse_declaration(text)) if p.code == "RET-UNDEFINED"]
    assert "activity 'marketing' has no retention rule" in found
    path = tmp_path / "pledge.yaml"
    path.write_text(text, encoding="utf-8")
    assert CliRunner().invoke(app, ["check", "--strict", str(path)]).exit_code == 1
