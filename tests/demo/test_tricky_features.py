"""What makes real databases hard to answer a request from is in the demo, on every engine."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from pledge.demo import schema
from pledge.sources.schema import reflect_schema
from tests.demo.generated import SCALE, Demo


def test_an_address_shared_by_two_customers(demo: Demo) -> None:
    links = schema.customer_addresses
    shared = (
        sa.select(links.c.address_id)
        .group_by(links.c.address_id)
        .having(sa.func.count(links.c.customer_id) > 1)
    )
    with demo.shop.connect() as connection:
        assert len(connection.execute(shared).all()) >= 2  # Jane and John's, and others


def test_payments_made_by_another_customer(demo: Demo) -> None:
    payments, orders = schema.payments, schema.orders
    query = (
        sa.select(sa.func.count())
        .select_from(payments.join(orders, orders.c.id == payments.c.order_id))
        .where(payments.c.payer_customer_id != orders.c.customer_id)
    )
    with demo.shop.connect() as connection:
        assert connection.execute(query).scalar_one() >= 1


def test_a_not_null_personal_column_refuses_null(demo: Demo) -> None:
    info = reflect_schema(demo.shop)
    assert info.tables["invoices"].columns["billed_name"].nullable is False
    assert info.tables["customers"].columns["full_name"].nullable is False
    invoice = {
        "id": 10**6,
        "order_id": 1,
        "customer_id": 1,
        "billed_name": None,
        "billed_address": "somewhere",
        "amount": 1,
        "issued_at": datetime(2026, 1, 1),
    }
    with pytest.raises(sa.exc.IntegrityError), demo.shop.begin() as connection:
        connection.execute(schema.invoices.insert(), invoice)


def test_a_restrict_foreign_key_refuses_to_delete_a_customer_with_orders(demo: Demo) -> None:
    info = reflect_schema(demo.shop)
    (to_customer,) = [
        fk for fk in info.tables["orders"].foreign_keys if fk.referred_table == "customers"
    ]
    # MariaDB reports RESTRICT as NO ACTION, which it enforces the same way.
    assert to_customer.on_delete in {"RESTRICT", "NO ACTION"}
    with demo.shop.connect() as connection:
        if connection.dialect.name == "sqlite":  # SQLite enforces keys only when asked
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
            connection.commit()
        with pytest.raises(sa.exc.IntegrityError), connection.begin():
            connection.execute(schema.customers.delete().where(schema.customers.c.id == 1))
    with demo.shop.connect() as connection:
        assert (
            connection.execute(
                sa.select(schema.customers.c.id).where(schema.customers.c.id == 1)
            ).scalar_one()
            == 1
        )


def test_non_ascii_names_come_back_intact(demo: Demo) -> None:
    with demo.shop.connect() as connection:
        names = connection.execute(sa.select(schema.customers.c.full_name)).scalars().all()
        found = connection.execute(
            sa.select(schema.customers.c.id).where(
                schema.customers.c.full_name == "Łukasz Wiśniewski"
            )
        ).scalar_one()
    assert found == 4
    assert {"Zoë Müller", "Renée Faure", "李雷"} <= set(names)
    assert sum(not name.isascii() for name in names) >= SCALE // 5


def test_the_newsletter_reaches_customers_by_email_alone(demo: Demo) -> None:
    info = reflect_schema(demo.shop)
    assert info.tables["newsletter_contacts"].foreign_keys == ()
    newsletter, customers = schema.newsletter_contacts, schema.customers
    matched = sa.select(sa.func.count()).select_from(
        newsletter.join(customers, customers.c.email == newsletter.c.email)
    )
    with demo.shop.connect() as connection:
        both = connection.execute(matched).scalar_one()
        total = connection.execute(sa.select(sa.func.count()).select_from(newsletter)).scalar_one()
    assert 0 < both < total  # some readers are customers, some are not


def test_the_crm_knows_customers_only_by_their_email(demo: Demo) -> None:
    with demo.shop.connect() as connection:
        shop_emails = set(connection.execute(sa.select(schema.customers.c.email)).scalars())
    with demo.crm.connect() as connection:
        crm_emails = set(connection.execute(sa.select(schema.contacts.c.email)).scalars())
    assert reflect_schema(demo.crm).tables["contacts"].foreign_keys == ()
    assert len(crm_emails & shop_emails) >= SCALE // 3
    assert crm_emails - shop_emails  # leads who never bought anything


def test_the_next_row_gets_the_next_id(demo: Demo) -> None:
    # Ids were given by the generator; the database must not hand them out again.
    row = {
        "email": "new.customer@example.com",
        "full_name": "New Customer",
        "created_at": datetime(2026, 11, 1),
        "last_seen_at": datetime(2026, 11, 1),
    }
    with demo.shop.begin() as connection:
        result = connection.execute(schema.customers.insert(), row)
        assert result.inserted_primary_key is not None
        assert result.inserted_primary_key[0] == SCALE + 1
