"""`pledge check --live`: the declared sources against the company's real databases."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from pytest import CaptureFixture, MonkeyPatch

from pledge.cli import run
from pledge.declaration.load import parse_declaration
from pledge.sources.connect import create_source_engine
from pledge.sources.live_check import check_live
from tests.declaration.declarations import declaration, where
from tests.sources.test_mapping import TODAY, assert_no_personal_value, build_company

# Right where the database agrees; wrong in one way per kind of finding.
SOURCES = """
shop:
  url_env: PLEDGE_SHOP_URL
  tables:
    customers:
      subject: customer
      columns:
        email: {category: contact.email, identity: email}
        full_name: identity.name
        birth_date: identity.date_of_birth
      timestamps: {last_contact: created_at}
    custmers:
      subject: customer
    customer_addresses:
      links: [{table: customers, on: {customer_id: id}}]
    addresses:
      links: [{table: customer_addresses, on: {idd: address_id}, shared: true}]
      columns:
        line: contact.postal_address
        line1: contact.postal_address
        city: contact.postal_address
        postcode: contact.postal_address
      timestamps: {collected: last_seen_at}
    orders:
      links: [{table: customers, on: {customer_id: ident}}]
      columns:
        total: financial.invoice
    support_tickets:
      links: [{table: customers, on: {customer_email: email}}]
      columns:
        customer_email: {category: contact.email, identity: email}
"""

UNDECLARED = [
    "newsletter_contacts' is not declared, but its columns look personal: email "
    "(contact.email), subscribed_at (preferences.marketing)",
    "order_lines' is not declared, but its columns look personal: quantity "
    "(commercial.purchase_history)",
    "payments' is not declared, but its columns look personal: card_number "
    "(financial.payment_card), amount (financial.invoice)",
    "sessions' is not declared, but its columns look personal: ip (online.ip_address)",
]


def expected_lines(text: str) -> list[str]:
    undeclared_hint = (
        " — declare it under tables; `pledge map` drafts it [PERSONAL-COLUMN-UNMAPPED]"
    )
    return [
        *(
            f"{where(text, 'tables:')}: warning: table '{found}{undeclared_hint}"
            for found in UNDECLARED
        ),
        f"{where(text, 'columns:')}: warning: column 'phone' of table 'customers' looks personal "
        "but is not mapped (contact.phone: name matches 'phone'; 4/4 sampled values look like "
        "phone numbers) — map it under columns, e.g. 'phone: contact.phone' "
        "[PERSONAL-COLUMN-UNMAPPED]",
        f"{where(text, 'custmers:')}: source 'shop' has no table 'custmers' — did you mean "
        "'customers'?",
        f"{where(text, 'idd')}: link to 'customer_addresses': table 'addresses' has no column "
        "'idd' — did you mean 'id'?",
        f"{where(text, 'line:')}: table 'addresses' has no column 'line' — did you mean 'line1'?",
        f"{where(text, 'last_seen_at')}: timestamps: table 'addresses' has no column "
        "'last_seen_at' — its columns: id, line1, city, postcode",
        f"{where(text, 'ident}')}: link to 'customers': table 'customers' has no column 'ident' "
        "— its columns: id, email, full_name, phone, birth_date, created_at",
        f"{where(text, '{table: customers, on: {customer_email')}: info: no foreign key holds "
        "the link from 'support_tickets' to 'customers' (customer_email = customers.email) — "
        "Pledge trusts it as declared; index both sides, as requests join on them "
        "[LINK-WITHOUT-CONSTRAINT]",
        f"{where(text, 'identity: email}', after='customer_email: {')}: warning: identity "
        "column 'customer_email' of table 'support_tickets' is not unique: 1 value is on "
        "several rows — a request would match several people: make it unique, or choose "
        "another [IDENTITY-NOT-UNIQUE]",
    ]


def test_every_kind_of_finding(company_url: str) -> None:
    build_company(company_url)
    text = declaration(sources=SOURCES)
    found = check_live(parse_declaration(text), {"PLEDGE_SHOP_URL": company_url}, today=TODAY)
    lines = [str(problem) for problem in found]
    assert lines == expected_lines(text)
    assert_no_personal_value("\n".join(lines))


def test_a_missing_environment_variable_is_named_at_url_env() -> None:
    text = declaration(sources=SOURCES)
    (problem,) = check_live(parse_declaration(text), {})
    assert str(problem) == (
        f"{where(text, 'PLEDGE_SHOP_URL')}: source 'shop': the environment variable "
        "PLEDGE_SHOP_URL is not set — export PLEDGE_SHOP_URL=<database URL>, e.g. "
        "postgresql://user@host/db"
    )


def test_an_unreachable_database_is_an_error_at_url_env() -> None:
    text = declaration(sources=SOURCES)
    environ = {"PLEDGE_SHOP_URL": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"}
    (problem,) = check_live(parse_declaration(text), environ)
    assert str(problem).startswith(
        f"{where(text, 'PLEDGE_SHOP_URL')}: source 'shop': cannot read the database: "
    )
    assert problem.hint == "check the URL in PLEDGE_SHOP_URL and that the server is running"


def test_the_command_reports_errors_and_exits_1(
    company_url: str, tmp_path: Path, monkeypatch: MonkeyPatch, capsys: CaptureFixture[str]
) -> None:
    build_company(company_url)
    text = declaration(sources=SOURCES)
    (tmp_path / "pledge.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLEDGE_SHOP_URL", company_url)
    assert run(["check", "pledge.yaml", "--live"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    for line in expected_lines(text):
        assert line in lines
    assert lines[-1] == "5 errors."
    assert_no_personal_value(err)


def test_without_live_the_databases_are_not_touched(
    tmp_path: Path, monkeypatch: MonkeyPatch, capsys: CaptureFixture[str]
) -> None:
    good = SOURCES.split("    custmers:")[0]
    (tmp_path / "pledge.yaml").write_text(declaration(sources=good), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PLEDGE_SHOP_URL", raising=False)
    assert run(["check", "pledge.yaml"]) == 0
    summary = capsys.readouterr().out.splitlines()[-1]
    assert summary.startswith("pledge.yaml: valid, ")
    assert "live" not in summary
    assert run(["check", "pledge.yaml", "--live"]) == 1
    err = capsys.readouterr().err
    assert "the environment variable PLEDGE_SHOP_URL is not set" in err


TICKETS = """
desk:
  url_env: PLEDGE_DESK_URL
  tables:
    customers:
      subject: customer
      columns:
        email: {category: contact.email, identity: email}
    tickets:
      links: [{table: customers, on: {customer_email: email}}]
      columns:
        customer_email: contact.email
"""


@pytest.fixture
def helpdesk(company_url: str) -> str:
    """Customers and their tickets, tied by email with no foreign key."""
    meta = sa.MetaData()
    customers = sa.Table(
        "customers",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(200), nullable=False, unique=True),
    )
    tickets = sa.Table(
        "tickets",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_email", sa.String(200), nullable=False),
    )
    engine = create_source_engine(company_url)
    try:
        with engine.begin() as connection:
            meta.create_all(connection)
            connection.execute(sa.insert(customers), [{"id": 1, "email": "kim@example.com"}])
            connection.execute(sa.insert(tickets), [{"id": 1, "customer_email": "kim@example.com"}])
    finally:
        engine.dispose()
    return company_url


def test_a_trusted_link_is_a_note_that_strict_accepts(
    helpdesk: str, tmp_path: Path, monkeypatch: MonkeyPatch, capsys: CaptureFixture[str]
) -> None:
    text = declaration(sources=TICKETS)
    (tmp_path / "pledge.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLEDGE_DESK_URL", helpdesk)
    assert run(["check", "pledge.yaml", "--live", "--strict"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        f"{where(text, '{table: customers')}: info: no foreign key holds the link from "
        "'tickets' to 'customers' (customer_email = customers.email) — Pledge trusts it as "
        "declared; index both sides, as requests join on them [LINK-WITHOUT-CONSTRAINT]",
        "pledge.yaml: valid, 0 warnings, checked against 1 live source.",
    ]
    assert "kim@example.com" not in out
