"""Erasing Jane Doe from the demo company: the shop (on each engine), then the CRM."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from pledge.declaration.load import load_declaration
from pledge.demo import DEMO_PERSON, JOHN_EMAIL, schema
from pledge.sources.access import execute_access
from pledge.sources.erasure import SourceErasure, erase_source, leftovers, recheck_given
from pledge.sources.plan import build_plan
from pledge.sources.schema import reflect_schema
from tests.demo.generated import AS_OF, Demo, close, digest, generate

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo" / "pledge.yaml"
TODAY = AS_OF.date()
KEY = b"demo hash key"


@pytest.fixture
def demo(company_url: str, tmp_path: Path) -> Iterator[Demo]:
    made = generate(company_url, f"sqlite:///{tmp_path / 'crm.db'}")
    try:
        yield made
    finally:
        close(made)


def test_jane_is_erased_across_both_databases_and_john_is_untouched(demo: Demo) -> None:
    declaration = load_declaration(DEMO).declaration
    engines = {"shop": demo.shop, "crm": demo.crm}
    schemas = {name: reflect_schema(engine) for name, engine in engines.items()}
    plan = build_plan(declaration, schemas, {"email": DEMO_PERSON})
    before = execute_access(plan, engines)
    customers, invoices, payments, orders = (
        schema.customers,
        schema.invoices,
        schema.payments,
        schema.orders,
    )
    with demo.shop.connect() as shop:
        jane = shop.execute(sa.select(customers).where(customers.c.email == DEMO_PERSON)).one()
        john = shop.execute(sa.select(customers).where(customers.c.email == JOHN_EMAIL)).one()
        john_paid = (
            sa.select(payments)
            .join(orders, orders.c.id == payments.c.order_id)
            .where(orders.c.customer_id == jane.id, payments.c.payer_customer_id == john.id)
        )
        paid_by_john = shop.execute(john_paid).one()
    erased = [
        erase_source(
            plan, name, engines[name], before.params[name], declaration, today=TODAY, hash_key=KEY
        )
        for name in ("shop", "crm")
    ]
    shop_done, crm_done = erased
    with demo.shop.connect() as shop:
        after_jane = shop.execute(sa.select(customers).where(customers.c.id == jane.id)).one()
        assert after_jane.email == f"erased-{jane.id}@invalid"
        assert (after_jane.full_name, after_jane.phone, after_jane.birth_date) == (
            "Erased",
            None,
            None,
        )
        assert shop.execute(sa.select(customers).where(customers.c.id == john.id)).one() == john
        # The payment John made for her order stays whole; her invoices are held.
        assert shop.execute(sa.select(payments).where(payments.c.id == paid_by_john.id)).one() == (
            paid_by_john
        )
        held = shop.execute(sa.select(invoices).where(invoices.c.customer_id == jane.id)).all()
        assert len(held) == 3 and all(row.billed_name == "Jane Doe" for row in held)
        tickets = sa.select(sa.func.count()).select_from(schema.support_tickets)
        assert (
            shop.execute(tickets.where(schema.support_tickets.c.customer_id == jane.id)).scalar()
            == 0
        )
        # Their shared home keeps John's link.
        links = schema.customer_addresses
        assert shop.execute(sa.select(links).where(links.c.customer_id == jane.id)).all() == []
        assert len(shop.execute(sa.select(links).where(links.c.customer_id == john.id)).all()) >= 1
    with demo.crm.connect() as crm:
        contacts = schema.contacts
        assert crm.execute(sa.select(contacts).where(contacts.c.email == DEMO_PERSON)).all() == []
    assert (crm_done.table("contacts").deleted, crm_done.table("interactions").deleted) == (1, 2)
    assert shop_done.table("invoices").holds == ("invoices",)
    assert shop_done.table("customers").anonymised == 1
    assert shop_done.table("payments").shared == 1

    # Looking again from what now finds her, only what the erasure left is there.
    after = execute_access(plan, engines, given=recheck_given(erased))
    assert after.counts()["shop.customers"] == (1, 0)
    assert leftovers(after, erased) == []
    stored = [SourceErasure.from_json(e.as_json()) for e in erased]
    assert leftovers(after, stored) == []
    # With the first values alone, nothing of her is found any more.
    first = execute_access(plan, engines, given=before.params)
    assert sum(len(t.rows) for t in first.tables) == 0

    # Erasing again changes nothing.
    state = (
        digest(demo.shop, *schema.SHOP.sorted_tables),
        digest(demo.crm, *schema.CRM.sorted_tables),
    )
    for done in erased:
        name = done.source
        again = erase_source(
            plan, name, engines[name], done.recheck, declaration, today=TODAY, hash_key=KEY
        )
        assert all(t.deleted == t.anonymised == 0 for t in again.tables)
    assert state == (
        digest(demo.shop, *schema.SHOP.sorted_tables),
        digest(demo.crm, *schema.CRM.sorted_tables),
    )
