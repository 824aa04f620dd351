"""Rows a legal hold kept in part: an erasure request erases their other columns, journals
which, and after a backup is restored the replay erases those columns again and leaves the
ones the hold kept (the shop on each engine; the store on SQLite, then on PostgreSQL).

Jane's orders and payments are held by the invoices rule (the law's accounting records) for
the rule's categories only: her card digits and order statuses are erased, her payments'
amounts and dates stay. In the variant, the rule also keeps the card's brand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from pledge.declaration.load import parse_declaration
from pledge.declaration.model import Declaration
from pledge.demo import schema as shop
from pledge.retention.holds import place_hold, release_hold
from pledge.retention.journal import journal_entries, open_keys
from pledge.retention.replay import ReplayReport, replay_erasures
from tests.demo.generated import close
from tests.mail.smtp_server import SmtpServer, smtp_server
from tests.retention.replay_company import copy, restore
from tests.rights.demo import DEMO, demo
from tests.rights.pipeline import Company, build_company, company, file, verify
from tests.store.postgres import postgres_url

__all__ = ["company", "postgres_url", "smtp_server"]

JANE = 1  # her customer id in the demo
HER_ORDERS = [(1,), (2,), (3,)]
HER_PAYMENTS = [(1,), (3,)]  # payment 2 of her order 2 was made by someone else: shared
CARD = 'card_brand: { category: financial.payment_card, erase: "null" }'
RULE = "categories: [financial.invoice, identity.name, contact.postal_address]"


def brand_kept() -> Declaration:
    """The demo, with the card's brand a transaction detail the accounting rule keeps."""
    text = DEMO.read_text()
    assert text.count(CARD) == 1 and text.count(RULE) == 1
    text = text.replace(CARD, CARD.replace("payment_card", "transaction"))
    text = text.replace(RULE, RULE.replace("]", ", financial.transaction]"))
    return parse_declaration(text).declaration


def payments(company: Company) -> list[tuple[Any, ...]]:
    with company.databases.shop.connect() as connection:
        found = connection.execute(
            sa.select(
                shop.payments.c.id,
                shop.payments.c.card_last4,
                shop.payments.c.card_brand,
                shop.payments.c.amount,
            )
            .where(shop.payments.c.id.in_([k[0] for k in HER_PAYMENTS]))
            .order_by(shop.payments.c.id)
        )
        return [tuple(row) for row in found]


def statuses(company: Company) -> list[str]:
    with company.databases.shop.connect() as connection:
        found = connection.execute(
            sa.select(shop.orders.c.status)
            .where(shop.orders.c.customer_id == JANE)
            .order_by(shop.orders.c.id)
        )
        return list(found.scalars())


def journaled(
    company: Company, table: str, cause: str | None = None
) -> dict[str, list[tuple[tuple[Any, ...], ...]]]:
    """action -> per entry (of `cause`, or any): its columns (if any) and its keys, sorted."""
    found: dict[str, list[tuple[tuple[Any, ...], ...]]] = {}
    with company.store.session() as session:
        for entry in journal_entries(session, source="shop", table=table):
            if cause is not None and entry.cause != cause:
                continue
            keys = tuple(sorted(open_keys(entry, company.services.keys.package)))
            found.setdefault(entry.action, []).append((tuple(entry.columns or ()), keys))
    return found


def erase_jane(company: Company) -> str:
    ref = file(company, "erasure")
    verify(company, ref)
    assert company.request(ref).state == "completed", company.request(ref).outcome
    return ref


def replay(company: Company, declaration: Declaration) -> ReplayReport:
    services = company.services
    return replay_erasures(company.store, declaration, services.engines(), services.keys)


def erased_again(report: ReplayReport, table: str) -> tuple[int, int, int]:
    found = next(t for t in report.tables if (t.source, t.table) == ("shop", table))
    return found.found, found.deleted, found.anonymised


def test_columns_erased_from_rows_held_in_part_are_erased_again(company: Company) -> None:
    before = payments(company)
    assert [(p[1], p[2]) for p in before] == [("4242", "visa"), ("4242", "visa")]
    assert statuses(company) == ["delivered", "delivered", "shipped"]
    backup = copy(company.databases.shop, shop.SHOP)

    erase_jane(company)
    erased = copy(company.databases.shop, shop.SHOP)
    assert [(p[1], p[2], p[3]) for p in payments(company)] == [
        (None, None, Decimal("58.99")),
        (None, None, Decimal("49.00")),
    ]
    assert statuses(company) == ["erased"] * 3
    assert journaled(company, "payments") == {
        "part_anonymised": [(("card_last4", "card_brand"), tuple(HER_PAYMENTS))]
    }
    assert journaled(company, "orders") == {"part_anonymised": [(("status",), tuple(HER_ORDERS))]}

    restore(company.databases.shop, backup)
    assert payments(company) == before and statuses(company)[0] == "delivered"

    report = replay(company, demo())

    assert copy(company.databases.shop, shop.SHOP) == erased  # as the erasure left it
    assert erased_again(report, "payments") == (2, 0, 2)
    assert erased_again(report, "orders") == (3, 0, 3)
    notes = next(t for t in report.tables if t.table == "payments").notes
    assert any("kept in part" in note and "card_last4, card_brand" in note for note in notes)
    again = replay(company, demo())
    assert again.erased == 0 and again.found == 0
    assert copy(company.databases.shop, shop.SHOP) == erased


def test_the_columns_the_hold_kept_are_never_erased_by_the_replay(
    smtp_server: SmtpServer, company_url: str, tmp_path: Path
) -> None:
    declaration = brand_kept()
    made = build_company(
        f"sqlite:///{tmp_path / 'store.db'}", company_url, f"sqlite:///{tmp_path / 'crm.db'}",
        smtp_server, declaration=declaration,
    )  # fmt: skip
    try:
        _kept_brand(made, declaration)
    finally:
        made.services.close()
        made.store.close()
        close(made.databases)


def _kept_brand(company: Company, declaration: Declaration) -> None:
    backup = copy(company.databases.shop, shop.SHOP)
    erase_jane(company)
    assert [(p[1], p[2]) for p in payments(company)] == [(None, "visa"), (None, "visa")]
    assert journaled(company, "payments") == {
        "part_anonymised": [(("card_last4",), tuple(HER_PAYMENTS))]
    }
    erased = copy(company.databases.shop, shop.SHOP)
    restore(company.databases.shop, backup)

    report = replay(company, declaration)

    assert [(p[1], p[2]) for p in payments(company)] == [(None, "visa"), (None, "visa")]
    assert copy(company.databases.shop, shop.SHOP) == erased
    assert erased_again(report, "payments") == (2, 0, 2)
    assert replay(company, declaration).erased == 0


def test_a_hold_released_later_journals_what_its_finish_erased_in_part(
    company: Company,
) -> None:
    """A legal hold on Jane keeps her payments from the erasure; once released, finishing it
    erases their card digits (the invoices rule keeps the rest), and journals that."""
    with company.store.session(write=True) as session:
        hold_id = place_hold(
            session, demo(), email="jane.doe@example.com", reason="dispute D-9",
            until=dt.date(2026, 12, 1), scope=["shop.payments"], actor="staff:ann",
            now=company.clock(),
        ).id  # fmt: skip
    backup = copy(company.databases.shop, shop.SHOP)
    ref = erase_jane(company)
    assert payments(company) == payments_of(backup)  # held as they are
    assert "payments" not in [t.table for t in replay(company, demo()).tables]

    with company.store.session(write=True) as session:
        release_hold(session, hold_id, actor="staff:ann", now=company.clock())
    company.run_jobs()

    assert [(p[1], p[2]) for p in payments(company)] == [(None, None), (None, None)]
    assert journaled(company, "payments", f"request:{ref}") == {
        "part_anonymised": [(("card_last4", "card_brand"), tuple(HER_PAYMENTS))]
    }
    erased = copy(company.databases.shop, shop.SHOP)
    restore(company.databases.shop, backup)
    report = replay(company, demo())
    assert copy(company.databases.shop, shop.SHOP) == erased
    assert erased_again(report, "payments") == (2, 0, 2)


def payments_of(backup: dict[sa.Table, list[dict[str, Any]]]) -> list[tuple[Any, ...]]:
    ids = [k[0] for k in HER_PAYMENTS]
    return [
        (row["id"], row["card_last4"], row["card_brand"], row["amount"])
        for row in backup[shop.payments]
        if row["id"] in ids
    ]


@pytest.fixture
def on_postgres(postgres_url: str, smtp_server: SmtpServer, tmp_path: Path) -> Iterator[Company]:
    """The demo company with Pledge's store on PostgreSQL (its databases in SQLite)."""
    made = build_company(
        postgres_url, f"sqlite:///{tmp_path / 'shop.db'}", f"sqlite:///{tmp_path / 'crm.db'}",
        smtp_server, declaration=brand_kept(),
    )  # fmt: skip
    try:
        yield made
    finally:
        made.services.close()
        made.store.close()
        close(made.databases)


def test_with_the_store_on_postgresql(on_postgres: Company) -> None:
    _kept_brand(on_postgres, brand_kept())
