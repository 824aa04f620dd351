"""The plan for a person over a real shop database, on SQLite, PostgreSQL and MariaDB.

The plan's statements are run here directly, so that these tests check exactly which rows
each one reaches and which it marks shared; test_access.py checks what is exported.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from pledge.declaration.load import parse_declaration
from pledge.errors import PledgeError
from pledge.sources.plan import build_plan
from pledge.sources.plan_explain import explain
from pledge.sources.plan_sql import compile_sql
from pledge.sources.schema import reflect_schema
from tests.declaration.declarations import declaration
from tests.sources.plan_schema import (
    JANE_EMAIL,
    JANE_NEW_PHONE,
    SHOP_SOURCE,
    load_sources,
    reached,
)

# What Jane's plan reaches: the key of each row -> whether it is shared with someone else.
JANE = {
    "customers": {1: False},
    "addresses": {1: True},  # Bob lives there too
    "orders": {10: False, 11: False},
    "order_lines": {(10, 1): False, (10, 2): False, (11, 1): False},
    "returns": {1: False},
    "payments": {1: False},
    "invoices": {1: False, 2: False, 3: False},  # 2 has no order, 3 no customer
    "support_tickets": {1: False},
    "rentals": {1: False, 2: True, 3: True, 5: False},  # Bob paid for 2; Jane paid for 3
    "newsletter_contacts": {1: False},
    "fidélité": {1: False},
}

SMALL_SHOP = """
shop:
  url_env: PLEDGE_TEST_SHOP_URL
  tables:
    customers:
      subject: customer
      columns:
        email: { category: contact.email, identity: email }
    addresses:
      columns:
        postcode: contact.postal_address
    orders:
      columns:
        delivery_name: identity.name
"""




def test_the_plan_reaches_the_subjects_rows_and_marks_the_shared_ones(shop: Engine) -> None:
    plan = build_plan(
        load_sources(SHOP_SOURCE), {"shop": reflect_schema(shop)}, {"email": JANE_EMAIL}
    )
    assert reached(plan, {"shop": shop})["shop"] == JANE
    steps = plan.source("shop").steps
    assert steps[0].table == "customers"
    assert len({step.table for step in steps}) == len(steps) == len(JANE)


def test_a_customer_alone_at_an_address_owns_it_and_her_referrer_is_not_reached(
    shop: Engine,
) -> None:
    # Carol was referred by Jane: Jane's row must not come with Carol's data.
    plan = build_plan(
        load_sources(SHOP_SOURCE), {"shop": reflect_schema(shop)}, {"email": "carol@example.com"}
    )
    found = {table: rows for table, rows in reached(plan, {"shop": shop})["shop"].items() if rows}
    assert found == {"customers": {3: False}, "addresses": {2: False}}


def test_several_identities_and_several_values(shop: Engine) -> None:
    # Jane's second account (customer 5) has her newer phone and another email.
    plan = build_plan(
        load_sources(SHOP_SOURCE),
        {"shop": reflect_schema(shop)},
        {"email": [JANE_EMAIL, "nobody@example.com"], "phone": JANE_NEW_PHONE},
    )
    found = reached(plan, {"shop": shop})["shop"]
    assert found["customers"] == {1: False, 5: False}
    assert found["orders"] == {10: False, 11: False, 15: False}
    assert found["addresses"] == {1: True}


def test_each_route_is_a_chain_of_nested_subqueries(sqlite_shop: Engine) -> None:
    plan = build_plan(
        load_sources(SHOP_SOURCE), {"shop": reflect_schema(sqlite_shop)}, {"email": JANE_EMAIL}
    )
    returns = plan.step("shop", "returns")
    assert [route.describe() for route in returns.routes] == [
        "customers by email → orders (orders.customer_id → customers.id, foreign key)"
        " → order_lines (order_lines.order_id → orders.id, foreign key)"
        " → returns (returns.order_id → order_lines.order_id,"
        " returns.line_no → order_lines.line_no, foreign key)"
    ]
    assert compile_sql(returns.statement, "sqlite") == (
        "SELECT returns.id, returns.reason\n"
        "FROM returns\n"
        "WHERE (returns.order_id, returns.line_no) IN (SELECT order_lines.order_id,"
        " order_lines.line_no\n"
        "  FROM order_lines\n"
        "  WHERE order_lines.order_id IN (SELECT orders.id\n"
        "    FROM orders\n"
        "    WHERE orders.customer_id IN (SELECT customers.id\n"
        "      FROM customers\n"
        "      WHERE customers.email IN (:email))))"
    )
    newsletter = plan.step("shop", "newsletter_contacts")
    assert [route.describe() for route in newsletter.routes] == [
        "customers by email → newsletter_contacts (newsletter_contacts.email → customers.email,"
        " link)"
    ]
    rentals = plan.step("shop", "rentals")
    assert rentals.shared_reasons == (
        "when its shared link payer_id names someone else",
        "when its shared link customer_id names someone else",
    )
    assert not plan.step("shop", "orders").may_share


def test_the_plan_explained_with_its_sql(shop: Engine) -> None:
    schema = reflect_schema(shop)
    plan = build_plan(load_sources(SMALL_SHOP), {"shop": schema}, {"email": JANE_EMAIL})
    assert explain(plan) == EXPLAINED.format(dialect=schema.dialect, **FOUND[schema.dialect])


# PostgreSQL takes the keys found as one typed array, the others as an IN list.
FOUND = {
    "postgresql": {
        "not_found_customer": "NOT (other_customers.id = ANY (:found_customers::INTEGER[]))",
        "in_found_customers": "= ANY (:found_customers::INTEGER[])",
    },
    **{
        dialect: {
            "not_found_customer": "(other_customers.id NOT IN (:found_customers))",
            "in_found_customers": "IN (:found_customers)",
        }
        for dialect in ("sqlite", "mysql", "mariadb")
    },
}


EXPLAINED = """\
Plan for email=jane@example.com (at most 6 hops from the identity).
Shared rows are reported with their categories only: their values are not exported, \
and they are never erased.

shop ({dialect}): 3 tables, one statement each
  1. customers
     reached by:
       customers by email
     columns: id (key), email (contact.email, identity: email)
     SQL:
       SELECT customers.id, customers.email
       FROM customers
       WHERE customers.email IN (:email)
  2. addresses — may be shared: when another customers row refers to it too
     reached by:
       customers by email → addresses (customers.address_id → addresses.id, foreign key)
     columns: id (key), postcode (contact.postal_address)
     SQL:
       SELECT addresses.id, addresses.postcode, CASE WHEN (EXISTS (SELECT 1
           FROM customers AS other_customers
           WHERE other_customers.address_id = addresses.id AND \
{not_found_customer})) THEN 1 ELSE 0 END AS pledge_shared
       FROM addresses
       WHERE addresses.id IN (SELECT customers.address_id
         FROM customers
         WHERE customers.id {in_found_customers})
  3. orders
     reached by:
       customers by email → orders (orders.customer_id → customers.id, foreign key)
     columns: id (key), delivery_name (identity.name)
     SQL:
       SELECT orders.id, orders.delivery_name
       FROM orders
       WHERE orders.customer_id {in_found_customers}
  parameters:
    :email = jane@example.com (given)
    :found_customers = id of the subject's own rows of customers (step 1)
"""


def test_tables_out_of_reach_are_named(sqlite_shop: Engine) -> None:
    schema = {"shop": reflect_schema(sqlite_shop)}
    plan = build_plan(load_sources(SHOP_SOURCE), schema, {"email": JANE_EMAIL}, max_depth=2)
    assert plan.source("shop").notes == (
        "returns lies more than 2 hops from the subject: raise the depth limit to reach it",
    )
    assert "note: returns lies more than 2 hops" in explain(plan)
    # returns refers to order_lines, which this declaration leaves out.
    returns = "    returns:\n      columns:\n        reason: commercial.purchase_history\n"
    plan = build_plan(load_sources(SMALL_SHOP + returns), schema, {"email": JANE_EMAIL})
    assert plan.source("shop").notes == (
        "returns is declared, but no identity column, link or foreign key leads to it",
    )


@pytest.mark.parametrize(
    ("identity", "message"),
    [
        ({}, "no identity given"),
        ({"passport": "X1"}, "no column of the sources holds the identity 'passport'"),
        ({"email": " "}, "the identity 'email' has an empty value"),
    ],
)
def test_a_bad_identity_is_explained(
    sqlite_shop: Engine, identity: dict[str, str], message: str
) -> None:
    with pytest.raises(PledgeError, match=message) as caught:
        build_plan(load_sources(SHOP_SOURCE), {"shop": reflect_schema(sqlite_shop)}, identity)
    if "passport" in identity:
        assert caught.value.hint == "columns are marked `identity:` email, phone"


def test_a_declaration_that_does_not_match_the_database_is_refused(sqlite_shop: Engine) -> None:
    wrong = SMALL_SHOP.replace("postcode:", "post_code:") + (
        "    gift_cards:\n      links: [{ table: customers, on: { owner: id } }]\n"
    )
    with pytest.raises(PledgeError) as caught:
        build_plan(load_sources(wrong), {"shop": reflect_schema(sqlite_shop)}, {"email": "x@y"})
    assert caught.value.message == (
        "the declared sources do not match their databases: shop has no column "
        "'addresses.post_code'; shop has no table 'gift_cards'"
    )


def test_a_declaration_without_sources_has_no_plan() -> None:
    empty = parse_declaration(declaration()).declaration
    with pytest.raises(PledgeError, match="the declaration has no sources"):
        build_plan(empty, {}, {"email": JANE_EMAIL})
