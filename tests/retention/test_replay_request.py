"""A request erasure journals the rows it deleted and anonymised; a backup restored after it
brings Jane back, and replaying the journal erases her again (the shop on each engine)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import select

from pledge.demo import schema as shop
from pledge.demo.people import JANE_EMAIL
from pledge.retention.journal import journal_entries, open_keys
from pledge.retention.replay import replay_erasures
from pledge.store.tables import GoneRowsRow
from tests.mail.smtp_server import smtp_server
from tests.rights.demo import demo
from tests.rights.pipeline import Company, company, file, verify

__all__ = ["company", "smtp_server"]


def saved(company: Company, query: sa.Select[Any]) -> list[dict[str, Any]]:
    with company.databases.shop.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def jane(company: Company) -> tuple[int, int]:
    """Rows that still say Jane's email, and her support tickets."""
    with company.databases.shop.connect() as connection:
        found = connection.execute(
            select(sa.func.count())
            .select_from(shop.customers)
            .where(shop.customers.c.email == JANE_EMAIL)
        ).scalar_one()
        tickets = connection.execute(
            select(sa.func.count())
            .select_from(shop.support_tickets)
            .where(shop.support_tickets.c.customer_id == 1)
        ).scalar_one()
    return found, tickets


def test_a_request_erasure_is_journaled_and_replayed_after_a_restore(company: Company) -> None:
    customer = saved(company, select(shop.customers).where(shop.customers.c.id == 1))
    tickets = saved(
        company, select(shop.support_tickets).where(shop.support_tickets.c.customer_id == 1)
    )
    assert customer[0]["email"] == JANE_EMAIL and tickets
    ref = file(company, "erasure")
    verify(company, ref)
    assert company.request(ref).state == "completed"
    assert jane(company) == (0, 0)

    with company.store.session() as session:
        entries = list(journal_entries(session, source="shop"))
        assert {e.cause for e in entries} == {f"request:{ref}"}
        by_table = {
            (e.table_name, e.action): open_keys(e, company.services.keys.package) for e in entries
        }
        raw = session.execute(select(GoneRowsRow.__table__)).all()
    assert by_table[("customers", "anonymised")] == [(1,)]
    assert sorted(by_table[("support_tickets", "deleted")]) == sorted((t["id"],) for t in tickets)
    # The journal holds no readable personal data: not in the keys, nor anywhere in its rows.
    for needle in (JANE_EMAIL, "Jane Doe", "jane"):
        assert needle not in repr(raw)
        assert all(needle.encode() not in bytes(row.keys) for row in raw)

    # The shop's tables are restored from a backup taken before the erasure.
    with company.databases.shop.begin() as connection:
        connection.execute(
            shop.customers.update().where(shop.customers.c.id == 1).values(customer[0])
        )
        connection.execute(shop.support_tickets.insert(), tickets)
    assert jane(company) == (1, len(tickets))

    report = replay_erasures(
        company.store, demo(), company.services.engines(), company.services.keys
    )

    assert jane(company) == (0, 0)
    erased = {(t.source, t.table): (t.found, t.deleted, t.anonymised) for t in report.tables}
    assert erased[("shop", "customers")] == (1, 0, 1)
    assert erased[("shop", "support_tickets")] == (len(tickets), len(tickets), 0)
    assert erased[("crm", "contacts")] == (0, 0, 0)  # the CRM was not restored
    again = replay_erasures(
        company.store, demo(), company.services.engines(), company.services.keys
    )
    assert again.erased == 0
