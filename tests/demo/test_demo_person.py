"""Jane Doe, the person the README asks new users to request data for, has every case."""

from __future__ import annotations

import sqlalchemy as sa

from pledge.demo import DEMO_PERSON, JOHN_EMAIL, schema
from tests.demo.generated import Demo


def test_jane_has_rows_in_every_table(demo: Demo) -> None:
    customers, orders, payments = schema.customers, schema.orders, schema.payments
    with demo.shop.connect() as shop:
        jane = shop.execute(sa.select(customers).where(customers.c.email == DEMO_PERSON)).one()
        john = shop.execute(sa.select(customers).where(customers.c.email == JOHN_EMAIL)).one()
        assert (jane.full_name, john.full_name) == ("Jane Doe", "John Doe")

        def rows_of(table: sa.Table) -> int:
            query = sa.select(sa.func.count()).where(table.c.customer_id == jane.id)
            return shop.execute(query.select_from(table)).scalar_one()

        assert rows_of(orders) == 3
        assert rows_of(schema.invoices) == 3
        assert rows_of(schema.support_tickets) == 2
        assert rows_of(schema.call_records) == 2
        assert rows_of(schema.web_sessions) == 3
        assert rows_of(schema.customer_addresses) == 2
        # One of her orders was paid by John: a row that belongs to both of them.
        paid_by = (
            sa.select(payments.c.payer_customer_id)
            .join(orders, orders.c.id == payments.c.order_id)
            .where(orders.c.customer_id == jane.id)
        )
        assert sorted(shop.execute(paid_by).scalars()) == [jane.id, jane.id, john.id]
        # Their home is one address row, linked to both.
        links = schema.customer_addresses
        shared = (
            sa.select(links.c.address_id)
            .where(links.c.customer_id.in_([jane.id, john.id]))
            .group_by(links.c.address_id)
            .having(sa.func.count() == 2)
        )
        assert len(shop.execute(shared).all()) == 1
        newsletter = schema.newsletter_contacts
        subscribed = sa.select(newsletter.c.unsubscribed_at).where(
            newsletter.c.email == DEMO_PERSON
        )
        assert shop.execute(subscribed).one() == (None,)
    contacts, interactions = schema.contacts, schema.interactions
    with demo.crm.connect() as crm:
        contact = crm.execute(sa.select(contacts).where(contacts.c.email == DEMO_PERSON)).one()
        assert contact.company == "Clifton Camera Club"
        query = sa.select(sa.func.count()).where(interactions.c.contact_id == contact.id)
        assert crm.execute(query.select_from(interactions)).scalar_one() == 2
