"""A small shop database, and a CRM beside it, with the tricky shapes real databases have.

Jane (customer 1) is the subject of most tests. She shares address 1 with Bob (2); Bob
referred her, and she referred Carol (3); Dave (4) is unrelated. Rentals: 1 is Jane's and
paid by her, 2 is hers but Bob paid, 3 is Bob's but Jane paid, 4 and 6 are not hers, 5 is
hers with no payer yet. customers.last_order_id -> orders and orders.customer_id ->
customers make a cycle; order_lines has a composite key that returns refers to;
newsletter_contacts reaches customers by email alone, with no foreign key; `fidélité` and
`prénom` have non-ASCII names. The CRM knows Jane and Bob by email, and its deals name a
shop customer by id, a link across databases. The CRM also holds Jane's newer phone, with
which she opened a second shop account (customer 5): only the CRM connects the two.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.declaration.load import parse_declaration
from pledge.declaration.model import Declaration
from pledge.sources.plan import Plan
from tests.declaration.declarations import declaration

JANE_EMAIL = "jane@example.com"
JANE_PHONE = "+44 7700 900001"
JANE_NAME = "Jeanne-Zoë Dupré"
JANE_NEW_PHONE = "+44 7700 900009"

SHOP_SOURCE = """
shop:
  url_env: PLEDGE_TEST_SHOP_URL
  tables:
    customers:
      subject: customer
      columns:
        email: { category: contact.email, identity: email }
        phone: { category: contact.phone, identity: phone }
        prénom: identity.name
    addresses:
      columns:
        line1: contact.postal_address
        postcode: contact.postal_address
    orders:
      columns:
        delivery_name: identity.name
    order_lines:
      columns:
        product: commercial.purchase_history
    returns:
      columns:
        reason: commercial.purchase_history
    payments:
      columns:
        card_last4: financial.payment_card
    invoices:
      columns:
        billed_name: identity.name
    support_tickets:
      columns:
        body: communications.support_ticket
    rentals:
      links:
        - { table: customers, on: { customer_id: id }, shared: true }
        - { table: customers, on: { payer_id: id }, shared: true }
      columns:
        item: commercial.purchase_history
    newsletter_contacts:
      links: [{ table: customers, on: { email: email } }]
      columns:
        email: contact.email
        name: identity.name
    fidélité:
      columns:
        numéro: commercial.loyalty
"""

CRM_SOURCE = """
crm:
  url_env: PLEDGE_TEST_CRM_URL
  tables:
    contacts:
      subject: customer
      columns:
        email: { category: contact.email, identity: email }
        phone: { category: contact.phone, identity: phone }
        full_name: identity.name
    interactions:
      columns:
        summary: communications.email
    deals:
      links: [{ table: shop.customers, on: { shop_customer_id: id } }]
      columns:
        amount: commercial.contract
"""


def sources_declaration(*sources: str) -> str:
    """The base test declaration whose `sources` section holds the given sources."""
    return declaration(sources="\n".join(sources))


def load_sources(*sources: str) -> Declaration:
    return parse_declaration(sources_declaration(*sources)).declaration


def reached(plan: Plan, engines: Mapping[str, Engine]) -> dict[str, dict[str, dict[Any, bool]]]:
    """Each step's statement run as it is: source -> table -> row key -> shared.

    Only the identity given is bound (values from other sources are left empty), so this
    checks one source's SQL on its own, apart from how access.py runs and exports it.
    """
    found: dict[str, dict[str, dict[Any, bool]]] = {}
    for source in plan.sources:
        params = {seed.param: list(plan.identity.get(seed.kind or "", ())) for seed in source.seeds}
        with engines[source.name].connect() as connection:
            for step in source.steps:
                rows = connection.execute(step.statement, params).all()
                width = len(step.key)
                found.setdefault(source.name, {})[step.table] = {
                    (row[0] if width == 1 else tuple(row[:width])): bool(
                        step.may_share and row[len(step.columns)]
                    )
                    for row in rows
                }
    return found


def _shop_tables(metadata: sa.MetaData) -> None:
    def key() -> sa.Column[int]:
        return sa.Column("id", sa.Integer, primary_key=True, autoincrement=False)

    def ref(name: str, target: str, nullable: bool = True) -> sa.Column[int]:
        return sa.Column(name, sa.Integer, sa.ForeignKey(target), nullable=nullable)

    text = sa.String(200)
    sa.Table("addresses", metadata, key(), sa.Column("line1", text), sa.Column("postcode", text))
    sa.Table(
        "customers",
        metadata,
        key(),
        sa.Column("email", text),
        sa.Column("phone", text),
        sa.Column("prénom", text),
        ref("address_id", "addresses.id"),
        ref("referred_by", "customers.id"),
        # With orders.customer_id, a cycle: created after both tables exist.
        sa.Column(
            "last_order_id",
            sa.Integer,
            sa.ForeignKey("orders.id", use_alter=True, name="fk_customers_last_order"),
        ),
    )
    sa.Table(
        "orders",
        metadata,
        key(),
        ref("customer_id", "customers.id", nullable=False),
        sa.Column("delivery_name", text),
    )
    sa.Table(
        "order_lines",
        metadata,
        sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), primary_key=True),
        sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("product", text),
    )
    sa.Table(
        "returns",
        metadata,
        key(),
        sa.Column("order_id", sa.Integer),
        sa.Column("line_no", sa.Integer),
        sa.Column("reason", text),
        sa.ForeignKeyConstraint(
            ["order_id", "line_no"], ["order_lines.order_id", "order_lines.line_no"]
        ),
    )
    sa.Table(
        "payments", metadata, key(), ref("order_id", "orders.id"), sa.Column("card_last4", text)
    )
    sa.Table(
        "invoices",
        metadata,
        key(),
        ref("customer_id", "customers.id"),
        ref("order_id", "orders.id"),
        sa.Column("billed_name", text),
    )
    sa.Table(
        "support_tickets",
        metadata,
        key(),
        ref("customer_id", "customers.id"),
        sa.Column("body", text),
    )
    sa.Table(
        "rentals",
        metadata,
        key(),
        ref("customer_id", "customers.id", nullable=False),
        ref("payer_id", "customers.id"),
        sa.Column("item", text),
    )
    sa.Table(
        "newsletter_contacts", metadata, key(), sa.Column("email", text), sa.Column("name", text)
    )
    sa.Table(
        "fidélité", metadata, key(), ref("client_id", "customers.id"), sa.Column("numéro", text)
    )


SHOP_ROWS: dict[str, list[dict[str, object]]] = {
    "addresses": [
        {"id": 1, "line1": "12 rue de l'Église", "postcode": "75004"},
        {"id": 2, "line1": "3 Carol Close", "postcode": "N1 9GU"},
        {"id": 3, "line1": "9 Dave Drive", "postcode": "M1 1AE"},
    ],
    "customers": [
        {
            "id": 1,
            "email": JANE_EMAIL,
            "phone": JANE_PHONE,
            "prénom": "Jeanne-Zoë",
            "address_id": 1,
        },
        {
            "id": 2,
            "email": "bob@example.com",
            "phone": "+44 7700 900002",
            "prénom": "Bob",
            "address_id": 1,
        },
        {"id": 3, "email": "carol@example.com", "phone": None, "prénom": "Carol", "address_id": 2},
        {"id": 4, "email": "dave@example.com", "phone": None, "prénom": "Dave", "address_id": 3},
        {
            "id": 5,
            "email": "jz@example.net",
            "phone": JANE_NEW_PHONE,
            "prénom": "Zoë",
            "address_id": None,
        },
    ],
    "orders": [
        {"id": 10, "customer_id": 1, "delivery_name": JANE_NAME},
        {"id": 11, "customer_id": 1, "delivery_name": "Jeanne"},
        {"id": 13, "customer_id": 2, "delivery_name": "Bob"},
        {"id": 14, "customer_id": 4, "delivery_name": "Dave"},
        {"id": 15, "customer_id": 5, "delivery_name": "Zoë"},
    ],
    "order_lines": [
        {"order_id": 10, "line_no": 1, "product": "Théière"},
        {"order_id": 10, "line_no": 2, "product": "Tasses"},
        {"order_id": 11, "line_no": 1, "product": "Café"},
        {"order_id": 13, "line_no": 1, "product": "Bike"},
        {"order_id": 14, "line_no": 1, "product": "Lamp"},
    ],
    "returns": [
        {"id": 1, "order_id": 10, "line_no": 2, "reason": "ébréchée"},
        {"id": 2, "order_id": 13, "line_no": 1, "reason": "flat tyre"},
    ],
    "payments": [
        {"id": 1, "order_id": 10, "card_last4": "4242"},
        {"id": 2, "order_id": 13, "card_last4": "1881"},
        {"id": 3, "order_id": 14, "card_last4": "0005"},
    ],
    "invoices": [
        {"id": 1, "customer_id": 1, "order_id": 10, "billed_name": JANE_NAME},
        {"id": 2, "customer_id": 1, "order_id": None, "billed_name": JANE_NAME},
        {"id": 3, "customer_id": None, "order_id": 11, "billed_name": "J. Dupré"},
        {"id": 4, "customer_id": 2, "order_id": 13, "billed_name": "Bob"},
    ],
    "support_tickets": [
        {"id": 1, "customer_id": 1, "body": "Où est ma théière ?"},
        {"id": 2, "customer_id": 4, "body": "Lamp broken"},
    ],
    "rentals": [
        {"id": 1, "customer_id": 1, "payer_id": 1, "item": "Kayak"},
        {"id": 2, "customer_id": 1, "payer_id": 2, "item": "Tent"},
        {"id": 3, "customer_id": 2, "payer_id": 1, "item": "Bike"},
        {"id": 4, "customer_id": 2, "payer_id": 2, "item": "Helmet"},
        {"id": 5, "customer_id": 1, "payer_id": None, "item": "Paddle"},
        {"id": 6, "customer_id": 4, "payer_id": 2, "item": "Skis"},
    ],
    "newsletter_contacts": [
        {"id": 1, "email": JANE_EMAIL, "name": "Jeanne"},
        {"id": 2, "email": "bob@example.com", "name": "Bob"},
        {"id": 3, "email": "someone@example.org", "name": "Someone"},
    ],
    "fidélité": [
        {"id": 1, "client_id": 1, "numéro": "FID-0001"},
        {"id": 2, "client_id": 4, "numéro": "FID-0004"},
    ],
}

# Set once the rows they point at exist: who referred whom, and each last order.
SHOP_UPDATES: list[dict[str, int | None]] = [
    {"id": 1, "referred_by": 2, "last_order_id": 11},
    {"id": 2, "referred_by": None, "last_order_id": 13},
    {"id": 3, "referred_by": 1, "last_order_id": None},
    {"id": 4, "referred_by": None, "last_order_id": 14},
    {"id": 5, "referred_by": None, "last_order_id": 15},
]


def create_shop(engine: Engine) -> None:
    metadata = sa.MetaData()
    _shop_tables(metadata)
    metadata.create_all(engine)
    with engine.begin() as connection:
        for name, rows in SHOP_ROWS.items():
            connection.execute(metadata.tables[name].insert(), rows)
        customers = metadata.tables["customers"]
        for update in SHOP_UPDATES:
            values = {k: v for k, v in update.items() if k != "id"}
            connection.execute(
                customers.update().where(customers.c.id == update["id"]).values(values)
            )


def create_crm(engine: Engine) -> None:
    metadata = sa.MetaData()
    text = sa.String(200)
    contacts = sa.Table(
        "contacts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", text),
        sa.Column("phone", text),
        sa.Column("full_name", text),
    )
    interactions = sa.Table(
        "interactions",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contact_id", sa.Integer, sa.ForeignKey("contacts.id")),
        sa.Column("summary", text),
    )
    deals = sa.Table(
        "deals",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("shop_customer_id", sa.Integer),
        sa.Column("amount", sa.Integer),
    )
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            contacts.insert(),
            [
                {"id": 1, "email": JANE_EMAIL, "phone": JANE_NEW_PHONE, "full_name": JANE_NAME},
                {"id": 2, "email": "bob@example.com", "phone": None, "full_name": "Bob"},
            ],
        )
        connection.execute(
            interactions.insert(),
            [
                {"id": 1, "contact_id": 1, "summary": "Asked about the teapot"},
                {"id": 2, "contact_id": 2, "summary": "Bike question"},
            ],
        )
        connection.execute(
            deals.insert(),
            [
                {"id": 1, "shop_customer_id": 1, "amount": 120},
                {"id": 2, "shop_customer_id": 2, "amount": 80},
                {"id": 3, "shop_customer_id": None, "amount": 5},
                {"id": 4, "shop_customer_id": 5, "amount": 45},
            ],
        )
