"""A legal hold on a person keeps the tables of its scope out of their erasure request; the
rest of their data is erased, and the summary and the closing mail say what was kept, why
and until when (COMMITMENTS S000-12)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa

from pledge.demo import schema as shop
from pledge.demo.people import JANE_EMAIL
from pledge.retention.holds import place_hold, release_hold
from pledge.rights.delivery import result_of
from tests.rights.demo import demo
from tests.rights.pipeline import Company, body, company, file, verify

__all__ = ["company"]

JANE = 1  # her customer id in the demo
UNTIL = dt.date(2026, 12, 1)


def hold(company: Company, scope: Sequence[str], until: dt.date | None = UNTIL) -> int:
    with company.store.session(write=True) as session:
        row = place_hold(
            session,
            demo(),
            email="Jane.Doe@example.com",  # any case: the store keeps the address in lower case
            reason="dispute D-9",
            until=until,
            scope=list(scope),
            actor="staff:ann",
            now=company.clock(),
        )
        return row.id


def count(company: Company, table: sa.Table, where: sa.ColumnElement[bool]) -> int:
    with company.databases.shop.connect() as connection:
        found = connection.execute(sa.select(sa.func.count()).select_from(table).where(where))
        return int(found.scalar_one())


def tickets(company: Company) -> int:
    return count(company, shop.support_tickets, shop.support_tickets.c.customer_id == JANE)


def summary_of(company: Company, ref: str) -> dict[str, object]:
    with company.store.session() as session:
        result = result_of(session, ref)
    assert result is not None
    return dict(result.summary)


def test_a_hold_keeps_its_tables_and_everything_else_is_erased(company: Company) -> None:
    before = tickets(company)
    assert before == 2
    hold(company, ["shop.support_tickets"])
    ref = file(company, "erasure")
    verify(company, ref)

    assert company.request(ref).state == "completed", company.request(ref).outcome
    assert tickets(company) == before  # held
    assert count(company, shop.customers, shop.customers.c.email == JANE_EMAIL) == 0
    calls = count(company, shop.call_records, shop.call_records.c.customer_id == JANE)
    assert calls == 0  # not in the hold's scope: erased
    summary = summary_of(company, ref)
    kept = summary["kept"]
    assert isinstance(kept, list)
    held = [k for k in kept if k["table"] == "support_tickets"]
    assert held == [
        {
            "source": "shop",
            "table": "support_tickets",
            "rules": ["legal hold: dispute D-9"],
            "until": "2026-12-01",
            "required_by": [],
        }
    ]
    assert summary["check"] == ["nothing identifiable remains outside the legal holds"]
    closing = body(company.mails_to(JANE_EMAIL)[-1])
    assert '"legal hold: dispute D-9", until 1 December 2026' in closing


def test_a_hold_on_every_table_keeps_all_of_the_person(company: Company) -> None:
    hold(company, [], until=None)
    ref = file(company, "erasure")
    verify(company, ref)

    assert company.request(ref).state == "completed", company.request(ref).outcome
    assert count(company, shop.customers, shop.customers.c.email == JANE_EMAIL) == 1
    assert tickets(company) == 2
    kept = summary_of(company, ref)["kept"]
    assert isinstance(kept, list)
    tables = {(k["source"], k["table"]) for k in kept}
    assert {("shop", "customers"), ("shop", "support_tickets"), ("crm", "contacts")} <= tables
    assert all(k["until"] is None for k in kept if k["table"] == "customers")


def test_a_released_hold_keeps_nothing(company: Company) -> None:
    hold_id = hold(company, ["shop.support_tickets"])
    with company.store.session(write=True) as session:
        release_hold(session, hold_id, actor="staff:ann", now=company.clock())
    ref = file(company, "erasure")
    verify(company, ref)

    assert company.request(ref).state == "completed"
    assert tickets(company) == 0
    kept = summary_of(company, ref)["kept"]
    assert isinstance(kept, list)
    assert all(k["table"] != "support_tickets" for k in kept)
