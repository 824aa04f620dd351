"""The demo company's two databases, as SQLAlchemy Core tables.

`SHOP` is Maple & Finch's web shop; `CRM` the sales team's contact book, a separate database
that knows people only by their email address. The schema carries on purpose what makes
real databases hard to answer a request from:

- an address shared by two customers (`customer_addresses` joins them), and payments made
  by a customer other than the one who ordered: rows that belong to two people;
- NOT NULL personal columns (`invoices.billed_name`, `customers.full_name`), which erasure
  must overwrite rather than clear;
- RESTRICT foreign keys (`orders.customer_id`, `invoices.*`), so that a customer cannot be
  deleted while their orders and invoices stand, next to CASCADE and SET NULL ones;
- a self-reference (`customers.referred_by`) and a composite key (`order_lines`);
- links that exist only by value: `newsletter_contacts.email` and the CRM's `contacts.email`
  match `customers.email` with no constraint behind them.

Foreign-key and timestamp columns are indexed: requests and retention sweeps join and filter
on them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.schema import SchemaItem

# Named constraints keep DDL identical on every engine and errors readable.
NAMING = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ix": "ix_%(table_name)s_%(column_0_name)s",
}

SHOP = sa.MetaData(naming_convention=NAMING)
CRM = sa.MetaData(naming_convention=NAMING)

EMAIL = 254  # the longest address SMTP carries
MONEY = sa.Numeric(10, 2)


def _table(name: str, metadata: sa.MetaData, *items: SchemaItem) -> sa.Table:
    # MySQL/MariaDB: InnoDB for foreign keys, utf8mb4 for 李雷 whatever the server's default.
    return sa.Table(name, metadata, *items, mysql_engine="InnoDB", mysql_charset="utf8mb4")


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _fk(
    name: str, target: str, *, on_delete: str, nullable: bool = False, index: bool = True
) -> sa.Column[int]:
    return sa.Column(
        name, sa.Integer, sa.ForeignKey(target, ondelete=on_delete), nullable=nullable, index=index
    )


customers = _table(
    "customers",
    SHOP,
    _id(),
    sa.Column("email", sa.String(EMAIL), nullable=False, unique=True, index=True),
    sa.Column("full_name", sa.String(200), nullable=False),
    sa.Column("phone", sa.String(32), index=True),
    sa.Column("birth_date", sa.Date),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False, index=True),
    sa.Column("closed_at", sa.DateTime, index=True),
    _fk("referred_by", "customers.id", on_delete="SET NULL", nullable=True),
)

addresses = _table(
    "addresses",
    SHOP,
    _id(),
    sa.Column("line1", sa.String(200), nullable=False),
    sa.Column("line2", sa.String(200)),
    sa.Column("city", sa.String(100), nullable=False),
    sa.Column("postcode", sa.String(16), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
)

# One row per person and address: a couple's home appears twice, with one address row.
customer_addresses = _table(
    "customer_addresses",
    SHOP,
    _fk("customer_id", "customers.id", on_delete="CASCADE", index=False),
    _fk("address_id", "addresses.id", on_delete="RESTRICT"),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.PrimaryKeyConstraint("customer_id", "address_id"),
)

orders = _table(
    "orders",
    SHOP,
    _id(),
    _fk("customer_id", "customers.id", on_delete="RESTRICT"),
    _fk("address_id", "addresses.id", on_delete="SET NULL", nullable=True),
    sa.Column("placed_at", sa.DateTime, nullable=False, index=True),
    sa.Column("status", sa.String(20), nullable=False),
)

order_lines = _table(
    "order_lines",
    SHOP,
    _fk("order_id", "orders.id", on_delete="CASCADE", index=False),
    sa.Column("line_no", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("product", sa.String(200), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price", MONEY, nullable=False),
    sa.PrimaryKeyConstraint("order_id", "line_no"),
)

payments = _table(
    "payments",
    SHOP,
    _id(),
    _fk("order_id", "orders.id", on_delete="CASCADE"),
    sa.Column("card_last4", sa.String(4)),
    sa.Column("card_brand", sa.String(20)),
    sa.Column("amount", MONEY, nullable=False),
    sa.Column("paid_at", sa.DateTime, nullable=False, index=True),
    # Usually the customer who ordered; sometimes a partner or a friend paid.
    _fk("payer_customer_id", "customers.id", on_delete="RESTRICT"),
)

invoices = _table(
    "invoices",
    SHOP,
    _id(),
    _fk("order_id", "orders.id", on_delete="RESTRICT"),
    _fk("customer_id", "customers.id", on_delete="RESTRICT"),
    sa.Column("billed_name", sa.String(200), nullable=False),
    sa.Column("billed_address", sa.String(500), nullable=False),
    sa.Column("amount", MONEY, nullable=False),
    sa.Column("issued_at", sa.DateTime, nullable=False, index=True),
)

support_tickets = _table(
    "support_tickets",
    SHOP,
    _id(),
    _fk("customer_id", "customers.id", on_delete="CASCADE"),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("opened_at", sa.DateTime, nullable=False),
    sa.Column("resolved_at", sa.DateTime, index=True),
)

call_records = _table(
    "call_records",
    SHOP,
    _id(),
    _fk("customer_id", "customers.id", on_delete="SET NULL", nullable=True),
    sa.Column("phone_number", sa.String(32)),
    sa.Column("started_at", sa.DateTime, nullable=False, index=True),
    sa.Column("duration_s", sa.Integer, nullable=False),
    sa.Column("recording_url", sa.String(300)),
)

web_sessions = _table(
    "web_sessions",
    SHOP,
    _id(),
    _fk("customer_id", "customers.id", on_delete="SET NULL", nullable=True),
    sa.Column("ip", sa.String(45), nullable=False),  # 45: the longest IPv6 text form
    sa.Column("user_agent", sa.String(400)),
    sa.Column("started_at", sa.DateTime, nullable=False, index=True),
)

# Filled by the mailing tool: it knows an email address, not a customer id.
newsletter_contacts = _table(
    "newsletter_contacts",
    SHOP,
    _id(),
    sa.Column("email", sa.String(EMAIL), nullable=False, unique=True, index=True),
    sa.Column("subscribed_at", sa.DateTime, nullable=False),
    sa.Column("unsubscribed_at", sa.DateTime, index=True),
)

contacts = _table(
    "contacts",
    CRM,
    _id(),
    sa.Column("email", sa.String(EMAIL), nullable=False, index=True),
    sa.Column("company", sa.String(200)),
    sa.Column("notes", sa.Text),
    sa.Column("last_contacted_at", sa.DateTime, index=True),
)

interactions = _table(
    "interactions",
    CRM,
    _id(),
    _fk("contact_id", "contacts.id", on_delete="CASCADE"),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("happened_at", sa.DateTime, nullable=False, index=True),
    sa.Column("summary", sa.Text, nullable=False),
)
