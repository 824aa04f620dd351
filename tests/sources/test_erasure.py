"""Erasing Jane from a small shop, on each engine: what is deleted, anonymised, held, shared.

Jane (customer 1) shares address 1 with Bob (2) and has address 2 to herself. Her order 10
has a recent invoice (held by law), order 11 was paid by Bob, order 12 has nothing else.
She paid Bob's order 20. Her old invoice 2 is past its hold. A wish list, in a table the
declaration does not list, refers to her row with ON DELETE CASCADE; her review to it with
ON DELETE SET NULL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.declaration.load import parse_declaration
from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.sources.access import AccessResult, execute_access
from pledge.sources.connect import create_source_engine
from pledge.sources.erasure import (
    SourceErasure,
    TableErasure,
    erase_source,
    leftovers,
    recheck_given,
)
from pledge.sources.plan import Plan, build_plan
from pledge.sources.schema import reflect_schema
from tests.declaration.declarations import declaration

TODAY = dt.date(2026, 6, 15)
KEY = b"test hash key"
JANE = "jane@example.com"

SOURCE = """
shop:
  url_env: PLEDGE_TEST_SHOP_URL
  tables:
    customers:
      subject: customer
      erase: delete_row
      columns:
        email:
          category: contact.email
          identity: email
          erase: placeholder
          placeholder: "erased-{id}@invalid"
        name: { category: identity.name, erase: placeholder, placeholder: Erased }
        phone: { category: contact.phone, erase: "null" }
        loyalty: { category: commercial.loyalty, erase: hash }
        notes: { category: communications.support_ticket, erase: mask }
        nickname: identity.name
        birth_year: identity.date_of_birth
        created_at: { category: account.registration, erase: keep }
    customer_addresses:
      links: [{ table: customers, on: { customer_id: id } }]
      erase: delete_row
    addresses:
      links: [{ table: customer_addresses, on: { id: address_id }, shared: true }]
      columns:
        line1: contact.postal_address
      erase: delete_row
    orders:
      links: [{ table: customers, on: { customer_id: id } }]
      columns:
        delivery_name: identity.name
      erase: delete_row
    payments:
      links:
        - { table: orders, on: { order_id: id }, shared: true }
        - { table: customers, on: { payer_id: id }, shared: true }
      columns:
        card_last4: financial.payment_card
      erase: delete_row
    invoices:
      links: [{ table: customers, on: { customer_id: id } }]
      columns:
        billed_name: identity.name
        amount: financial.invoice
      timestamps: { issued: issued_at }
      retention: [invoices]
      erase: delete_row
    tickets:
      links: [{ table: customers, on: { customer_id: id } }]
      columns:
        body: communications.support_ticket
      erase: delete_row
    reviews:
      links: [{ table: customers, on: { customer_id: id } }]
      columns:
        author: { category: identity.name, erase: placeholder, placeholder: A customer }
        text: communications.support_ticket
        stars: { category: commercial.purchase_history, erase: keep }
"""

RETENTION = """
accounts:
  name: Customer accounts
  duration: 3 years
  trigger: last_contact
invoices:
  name: Invoices
  duration: 6 years
  trigger: issued
  required_by: Companies Act 2006, s. 388
"""


def declare(source: str = SOURCE, retention: str = RETENTION) -> Declaration:
    return parse_declaration(declaration(sources=source, retention=retention)).declaration


def create(engine: Engine) -> None:
    metadata = sa.MetaData()
    text = sa.String(100)

    def key() -> sa.Column[int]:
        return sa.Column("id", sa.Integer, primary_key=True, autoincrement=False)

    def ref(name: str, target: str, on_delete: str, nullable: bool = False) -> sa.Column[int]:
        return sa.Column(
            name, sa.Integer, sa.ForeignKey(target, ondelete=on_delete), nullable=nullable
        )

    sa.Table(
        "customers",
        metadata,
        key(),
        sa.Column("email", text, nullable=False, unique=True),
        sa.Column("name", text, nullable=False),
        sa.Column("phone", sa.String(30)),
        sa.Column("loyalty", sa.String(64)),
        sa.Column("notes", sa.String(30)),
        sa.Column("nickname", sa.String(40), nullable=False),
        sa.Column("birth_year", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    sa.Table("addresses", metadata, key(), sa.Column("line1", text, nullable=False))
    sa.Table(
        "customer_addresses",
        metadata,
        sa.Column(
            "customer_id",
            sa.Integer,
            sa.ForeignKey("customers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "address_id",
            sa.Integer,
            sa.ForeignKey("addresses.id", ondelete="RESTRICT"),
            primary_key=True,
        ),
    )
    sa.Table(
        "orders",
        metadata,
        key(),
        ref("customer_id", "customers.id", "RESTRICT"),
        sa.Column("delivery_name", text),
    )
    sa.Table(
        "payments",
        metadata,
        key(),
        ref("order_id", "orders.id", "CASCADE"),
        ref("payer_id", "customers.id", "RESTRICT", nullable=True),
        sa.Column("card_last4", sa.String(4)),
    )
    sa.Table(
        "invoices",
        metadata,
        key(),
        ref("customer_id", "customers.id", "RESTRICT"),
        ref("order_id", "orders.id", "RESTRICT", nullable=True),
        sa.Column("issued_at", sa.DateTime, nullable=False),
        sa.Column("billed_name", text, nullable=False),
        sa.Column("amount", sa.Integer, nullable=False),
    )
    sa.Table(
        "tickets",
        metadata,
        key(),
        ref("customer_id", "customers.id", "CASCADE"),
        sa.Column("body", sa.Text),
        sa.Column("closed_at", sa.DateTime),
    )
    sa.Table(
        "reviews",
        metadata,
        key(),
        ref("customer_id", "customers.id", "SET NULL", nullable=True),
        sa.Column("author", sa.String(50), nullable=False),
        sa.Column("text", sa.String(200)),
        sa.Column("stars", sa.Integer, nullable=False),
    )
    sa.Table(  # not declared
        "wishlists",
        metadata,
        key(),
        ref("customer_id", "customers.id", "CASCADE"),
        sa.Column("item", text),
    )
    metadata.create_all(engine)
    at = dt.datetime(2024, 1, 2, 9, 30)
    rows: dict[str, list[dict[str, Any]]] = {
        "customers": [
            {"id": 1, "email": JANE, "name": "Jeanne Dupré", "phone": "+44 7700 900001",
             "loyalty": "LOY-1", "notes": "prefers mornings", "nickname": "JD",
             "birth_year": 1990, "created_at": at},
            {"id": 2, "email": "bob@example.com", "name": "Bob", "phone": "+44 7700 900002",
             "loyalty": "LOY-2", "notes": "bob notes", "nickname": "B", "birth_year": 1988,
             "created_at": at},
            {"id": 3, "email": "carol@example.com", "name": "Carol", "phone": None,
             "loyalty": None, "notes": None, "nickname": "C", "birth_year": 1970,
             "created_at": at},
        ],
        "addresses": [
            {"id": 1, "line1": "12 Shared Street"},
            {"id": 2, "line1": "3 Jane Lane"},
            {"id": 3, "line1": "9 Carol Close"},
        ],
        "customer_addresses": [
            {"customer_id": 1, "address_id": 1},
            {"customer_id": 1, "address_id": 2},
            {"customer_id": 2, "address_id": 1},
            {"customer_id": 3, "address_id": 3},
        ],
        "orders": [
            {"id": 10, "customer_id": 1, "delivery_name": "Jeanne Dupré"},
            {"id": 11, "customer_id": 1, "delivery_name": "Jeanne"},
            {"id": 12, "customer_id": 1, "delivery_name": "J. Dupré"},
            {"id": 20, "customer_id": 2, "delivery_name": "Bob"},
        ],
        "payments": [
            {"id": 1, "order_id": 10, "payer_id": 1, "card_last4": "4242"},
            {"id": 2, "order_id": 11, "payer_id": 2, "card_last4": "1881"},
            {"id": 3, "order_id": 20, "payer_id": 1, "card_last4": "4242"},
            {"id": 4, "order_id": 20, "payer_id": 2, "card_last4": "1881"},
        ],
        "invoices": [
            {"id": 1, "customer_id": 1, "order_id": 10, "issued_at": dt.datetime(2025, 6, 15, 10),
             "billed_name": "Jeanne Dupré", "amount": 120},
            {"id": 2, "customer_id": 1, "order_id": None, "issued_at": dt.datetime(2019, 1, 10),
             "billed_name": "Jeanne Dupré", "amount": 40},
            {"id": 3, "customer_id": 2, "order_id": 20, "issued_at": dt.datetime(2025, 7, 1),
             "billed_name": "Bob", "amount": 80},
        ],
        "tickets": [
            {"id": 1, "customer_id": 1, "body": "Où est ma théière ?", "closed_at": None},
            {"id": 2, "customer_id": 2, "body": "Bike question", "closed_at": at},
        ],
        "reviews": [
            {"id": 1, "customer_id": 1, "author": "Jeanne", "text": "Lovely teapot", "stars": 5},
            {"id": 2, "customer_id": 2, "author": "Bob", "text": "Fine", "stars": 3},
        ],
        "wishlists": [{"id": 1, "customer_id": 1, "item": "Kayak"}],
    }  # fmt: skip
    with engine.begin() as connection:
        for name, values in rows.items():
            connection.execute(metadata.tables[name].insert(), values)


@pytest.fixture
def erasure_shop(company_url: str) -> Iterator[Engine]:
    engine = create_source_engine(company_url)
    create(engine)
    yield engine
    engine.dispose()


def find(engine: Engine, decl: Declaration, email: str = JANE) -> tuple[Plan, AccessResult]:
    plan = build_plan(decl, {"shop": reflect_schema(engine)}, {"email": email})
    return plan, execute_access(plan, {"shop": engine})


def erase(
    engine: Engine, decl: Declaration | None = None, today: dt.date = TODAY
) -> tuple[SourceErasure, Plan, AccessResult]:
    decl = decl or declare()
    plan, before = find(engine, decl)
    done = erase_source(
        plan, "shop", engine, before.params["shop"], decl, today=today, hash_key=KEY
    )
    return done, plan, before


def table(engine: Engine, name: str) -> dict[Any, dict[str, Any]]:
    """Every row of a table by key (a tuple for composite keys)."""
    with engine.connect() as connection:
        rows = connection.execute(sa.text(f"SELECT * FROM {name}")).mappings().all()
    if name == "customer_addresses":
        return {(r["customer_id"], r["address_id"]): dict(r) for r in rows}
    return {r["id"]: dict(r) for r in rows}


def everything(engine: Engine) -> dict[str, dict[Any, dict[str, Any]]]:
    return {name: table(engine, name) for name in reflect_schema(engine).tables}


def test_delete_row_tables_lose_the_subjects_rows_and_columns_tables_keep_them(
    erasure_shop: Engine,
) -> None:
    done, _, _ = erase(erasure_shop)
    assert set(table(erasure_shop, "tickets")) == {2}
    assert done.table("tickets") == TableErasure("tickets", 1, 0, 0, None, (), 0, ())
    reviews = table(erasure_shop, "reviews")
    # erase: columns (the default): the row stays, its declared columns are erased.
    assert reviews[1] == {
        "id": 1, "customer_id": 1, "author": "A customer", "text": None, "stars": 5
    }  # fmt: skip
    assert reviews[2]["author"] == "Bob"
    assert done.table("reviews").anonymised == 1
    assert done.table("reviews").kept_columns == ("stars",)


def test_each_column_action_on_a_row_that_cannot_be_deleted(erasure_shop: Engine) -> None:
    done, _, _ = erase(erasure_shop)
    jane = table(erasure_shop, "customers")[1]
    assert jane["email"] == "erased-1@invalid"  # NOT NULL UNIQUE: the key keeps it unique
    assert jane["name"] == "Erased"
    assert jane["phone"] is None
    assert jane["loyalty"] == hmac.new(KEY, b"LOY-1", hashlib.sha256).hexdigest()
    assert jane["notes"] == "********"
    assert jane["nickname"] == "erased"  # NOT NULL text, no action: a placeholder
    assert jane["birth_year"] == 1990  # NOT NULL, not text, no placeholder: kept, with a note
    assert jane["created_at"] == dt.datetime(2024, 1, 2, 9, 30) or str(
        jane["created_at"]
    ).startswith("2024-01-02 09:30")
    customers = done.table("customers")
    assert (customers.deleted, customers.anonymised) == (0, 1)
    assert customers.kept_columns == ("birth_year", "created_at")
    assert "birth_year cannot be NULL and is not text: left as it is (give it a placeholder)" in (
        customers.notes
    )
    assert any(n.startswith("1 row not deleted: rows of ") for n in customers.notes)
    # Bob and Carol are untouched.
    assert table(erasure_shop, "customers")[2]["email"] == "bob@example.com"
    assert table(erasure_shop, "customers")[3]["name"] == "Carol"


def test_rows_others_refer_to_are_anonymised_not_deleted(erasure_shop: Engine) -> None:
    done, _, _ = erase(erasure_shop)
    # The undeclared wish list (CASCADE) and the review (SET NULL) still point at Jane's row.
    assert table(erasure_shop, "wishlists")[1]["customer_id"] == 1
    assert table(erasure_shop, "reviews")[1]["customer_id"] == 1
    customers = done.table("customers")
    blocked = next(n for n in customers.notes if "not deleted" in n)
    for name in ("invoices", "orders", "payments", "reviews", "wishlists"):
        assert name in blocked
    # Order 10 has a held invoice (RESTRICT), order 11 Bob's payment (CASCADE): both stay,
    # anonymised; order 12 had nothing else and is deleted.
    orders = table(erasure_shop, "orders")
    assert set(orders) == {10, 11, 20}
    assert orders[10]["delivery_name"] is None and orders[11]["delivery_name"] is None
    assert orders[20]["delivery_name"] == "Bob"
    assert done.table("orders") == TableErasure(
        "orders",
        deleted=1,
        anonymised=2,
        held=0,
        held_until=None,
        holds=(),
        shared=0,
        kept_columns=(),
        notes=("2 rows not deleted: rows of invoices, payments refer to them; anonymised instead",),
    )


def test_shared_rows_are_left_as_they_are(erasure_shop: Engine) -> None:
    done, _, _ = erase(erasure_shop)
    # The address Jane shares with Bob survives with his link; hers alone is gone.
    assert set(table(erasure_shop, "addresses")) == {1, 3}
    assert set(table(erasure_shop, "customer_addresses")) == {(2, 1), (3, 3)}
    assert done.table("addresses").deleted == 1 and done.table("addresses").shared == 1
    assert done.table("customer_addresses").deleted == 2
    # Bob paid for Jane's order 11, Jane paid for Bob's order 20: both payments stay whole.
    payments = table(erasure_shop, "payments")
    assert set(payments) == {2, 3, 4}
    assert payments[2] == {"id": 2, "order_id": 11, "payer_id": 2, "card_last4": "1881"}
    assert payments[3] == {"id": 3, "order_id": 20, "payer_id": 1, "card_last4": "4242"}
    assert (done.table("payments").deleted, done.table("payments").shared) == (1, 2)


def test_a_held_invoice_is_kept_whole_and_an_expired_one_is_deleted(
    erasure_shop: Engine,
) -> None:
    done, _, _ = erase(erasure_shop)
    invoices = table(erasure_shop, "invoices")
    assert set(invoices) == {1, 3}
    assert invoices[1]["billed_name"] == "Jeanne Dupré"
    assert done.table("invoices") == TableErasure(
        "invoices",
        deleted=1,
        anonymised=0,
        held=1,
        held_until=dt.date(2031, 6, 15),
        holds=("invoices",),
        shared=0,
        kept_columns=("billed_name", "amount"),
    )


@pytest.mark.parametrize(
    ("today", "kept"), [(dt.date(2031, 6, 15), True), (dt.date(2031, 6, 16), False)]
)
def test_a_hold_ends_the_day_after_its_last_day(
    erasure_shop: Engine, today: dt.date, kept: bool
) -> None:
    done, _, _ = erase(erasure_shop, today=today)
    assert (1 in table(erasure_shop, "invoices")) is kept
    assert done.table("invoices").held == int(kept)
    assert done.table("invoices").deleted == 2 - int(kept)
    # Without the invoice, order 10 has nothing left referring to it.
    assert (10 in table(erasure_shop, "orders")) is kept


def test_a_hold_with_categories_keeps_only_those_columns(erasure_shop: Engine) -> None:
    retention = RETENTION + "  categories: [financial.invoice]\n"
    done, _, _ = erase(erasure_shop, declare(retention=retention))
    invoice = table(erasure_shop, "invoices")[1]
    assert (invoice["billed_name"], invoice["amount"]) == ("erased", 120)
    invoices = done.table("invoices")
    assert (invoices.deleted, invoices.anonymised, invoices.held) == (1, 0, 1)
    assert invoices.kept_columns == ("amount",)
    assert "1 row held for some of their columns: the others were erased" in invoices.notes


def test_a_hold_without_a_date_keeps_the_row_and_says_why(erasure_shop: Engine) -> None:
    source = SOURCE.replace(
        "        body: communications.support_ticket\n",
        "        body: communications.support_ticket\n"
        "      timestamps: { request_resolved: closed_at }\n"
        "      retention: [disputes]\n",
    )
    retention = RETENTION + (
        "disputes:\n  name: Disputes\n  duration: 1 year\n  trigger: request_resolved\n"
        "  required_by: Limitation Act 1980\n"
    )
    done, _, _ = erase(erasure_shop, declare(source, retention))
    assert 1 in table(erasure_shop, "tickets")
    tickets = done.table("tickets")
    assert (tickets.held, tickets.held_until, tickets.holds) == (1, None, ("disputes",))
    assert tickets.notes == (
        "1 row kept under a legal hold with no known end: "
        "their closed_at is not set, so disputes has not begun",
    )


def test_a_hold_whose_trigger_has_no_date_column_keeps_the_row(erasure_shop: Engine) -> None:
    source = SOURCE.replace(
        "        body: communications.support_ticket\n",
        "        body: communications.support_ticket\n      retention: [calls]\n",
    )
    retention = RETENTION + (
        "calls:\n  name: Calls\n  duration: 1 year\n  trigger: recorded\n  required_by: FCA rules\n"
    )
    done, _, _ = erase(erasure_shop, declare(source, retention))
    assert table(erasure_shop, "tickets")[1]["body"] == "Où est ma théière ?"
    assert done.table("tickets").notes == (
        "1 row kept under a legal hold with no known end: "
        "the table has no date for the trigger of calls (recorded)",
    )


def test_erasing_again_changes_nothing(erasure_shop: Engine) -> None:
    decl = declare()
    first, plan, before = erase(erasure_shop, decl)
    state = everything(erasure_shop)
    # Again from the first values (which no longer find Jane), and from what now finds her.
    for params in (before.params["shop"], first.recheck):
        again = erase_source(plan, "shop", erasure_shop, params, decl, today=TODAY, hash_key=KEY)
        assert everything(erasure_shop) == state
        assert all(t.deleted == 0 and t.anonymised == 0 for t in again.tables)
    assert again.table("invoices").held == 1
    assert again.table("customers").unchanged == 1
    assert again.table("orders").unchanged == 2


def test_nothing_identifiable_remains_outside_the_holds(erasure_shop: Engine) -> None:
    decl = declare()
    done, plan, _ = erase(erasure_shop, decl)
    after = execute_access(plan, {"shop": erasure_shop}, given=recheck_given([done]))
    # The re-run finds what the erasure left: Jane's anonymised row and what hangs below it.
    assert after.counts()["shop.customers"] == (1, 0)
    assert after.counts()["shop.invoices"] == (1, 0)
    assert leftovers(after, [done]) == []
    # The outcome as stored (JSON) is enough for the check.
    assert leftovers(after, [SourceErasure.from_json(done.as_json())]) == []


def test_a_table_the_erasure_skipped_is_found_again(erasure_shop: Engine) -> None:
    head, tail = SOURCE.split("    tickets:\n")
    without_tickets = declare(head + "    reviews:\n" + tail.split("    reviews:\n")[1])
    assert "tickets" not in without_tickets.sources["shop"].tables
    done, _, _ = erase(erasure_shop, without_tickets)
    assert 1 in table(erasure_shop, "tickets")
    # Jane's row is anonymised: her email no longer finds her, but what it became does.
    plan, _ = find(erasure_shop, declare())
    after = execute_access(plan, {"shop": erasure_shop}, given=recheck_given([done]))
    assert leftovers(after, [done]) == [
        "shop.tickets: 1 row of the person remains, in a table the erasure did not cover"
    ]


def test_leftovers_counts_rows_beyond_what_the_erasure_left(erasure_shop: Engine) -> None:
    done, plan, _ = erase(erasure_shop)
    after = execute_access(plan, {"shop": erasure_shop}, given=recheck_given([done]))
    tables = tuple(
        TableErasure(t.table, t.deleted, 0, 0, None, (), t.shared, ()) if t.table == "orders" else t
        for t in done.tables
    )
    assert leftovers(after, [SourceErasure("shop", tables)]) == [
        "shop.orders: 2 rows of the person remain that were neither deleted, anonymised nor "
        "kept under a legal hold"
    ]


def test_the_outcome_as_json_holds_no_personal_values(erasure_shop: Engine) -> None:
    done, _, _ = erase(erasure_shop)
    stored = done.as_json()
    text = repr(stored)
    for value in (JANE, "erased-1@invalid", "Jeanne", "4242", "LOY-1", "bob@example.com"):
        assert value not in text
    assert SourceErasure.from_json(stored) == done
    assert stored["tables"][0] == {  # type: ignore[index]
        "table": "customers",
        "deleted": 0,
        "anonymised": 1,
        "held": 0,
        "held_until": None,
        "holds": [],
        "shared": 0,
        "unchanged": 0,
        "kept_columns": ["birth_year", "created_at"],
        "notes": list(done.table("customers").notes),
    }


def test_a_declaration_that_cannot_be_applied_changes_nothing(erasure_shop: Engine) -> None:
    masked = SOURCE.replace(
        'erase: placeholder\n          placeholder: "erased-{id}@invalid"', "erase: mask"
    )
    assert masked != SOURCE
    before = everything(erasure_shop)
    with pytest.raises(PledgeError, match="must be unique, and a mask"):
        erase(erasure_shop, declare(masked))
    copying = SOURCE.replace("placeholder: Erased", 'placeholder: "was {phone}"')
    assert copying != SOURCE
    with pytest.raises(PledgeError, match="would copy phone"):
        erase(erasure_shop, declare(copying))
    assert everything(erasure_shop) == before


def test_batches_of_one_key_erase_the_same_rows(erasure_shop: Engine) -> None:
    decl = declare()
    plan, before = find(erasure_shop, decl)
    done = erase_source(
        plan, "shop", erasure_shop, before.params["shop"], decl, today=TODAY, hash_key=KEY, batch=1
    )
    counts = {t.table: (t.deleted, t.anonymised, t.held, t.shared) for t in done.tables}
    assert counts == {
        "customers": (0, 1, 0, 0),
        "customer_addresses": (2, 0, 0, 0),
        "addresses": (1, 0, 0, 1),
        "orders": (1, 2, 0, 0),
        "payments": (1, 0, 0, 2),
        "invoices": (1, 0, 1, 0),
        "tickets": (1, 0, 0, 0),
        "reviews": (0, 1, 0, 0),
    }
    remaining = {name: set(rows) for name, rows in everything(erasure_shop).items()}
    assert remaining == {
        "customers": {1, 2, 3},
        "customer_addresses": {(2, 1), (3, 3)},
        "addresses": {1, 3},
        "orders": {10, 11, 20},
        "payments": {2, 3, 4},
        "invoices": {1, 3},
        "tickets": {2},
        "reviews": {1, 2},
        "wishlists": {1},
    }


def test_a_placeholder_on_a_column_that_is_not_text_is_cast_to_its_type(
    erasure_shop: Engine,
) -> None:
    source = SOURCE.replace(
        "birth_year: identity.date_of_birth",
        'birth_year: { category: identity.date_of_birth, erase: placeholder, placeholder: "1900" }',
    )
    assert source != SOURCE
    done, _, _ = erase(erasure_shop, declare(source))
    assert table(erasure_shop, "customers")[1]["birth_year"] == 1900
    assert "birth_year" not in done.table("customers").kept_columns
