"""Running an access plan, read-only, on each engine and across two databases at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from pledge.sources.access import AccessResult, SharedRow, execute_access, read_only
from pledge.sources.pipelined import levels
from pledge.sources.plan import build_plan
from pledge.sources.schema import reflect_schema
from tests.sources.plan_schema import (
    CRM_SOURCE,
    JANE_EMAIL,
    JANE_NAME,
    JANE_NEW_PHONE,
    JANE_PHONE,
    SHOP_SOURCE,
    load_sources,
)

# Values only other people's rows, or rows Jane shares, hold: none may be exported.
NOT_JANES = {
    "bob@example.com", "Bob", "carol@example.com", "Carol", "dave@example.com", "Dave",
    "12 rue de l'Église", "3 Carol Close", "Tent", "Bike", "Helmet", "Skis", "1881", "0005",
    "FID-0004", "flat tyre", "Lamp broken", "Lamp", "jz@example.net", "Zoë",
}  # fmt: skip


def keys(result: AccessResult, source: str, table: str) -> set[Any]:
    found = result.table(source, table)
    key = [c for c, category in found.columns.items() if category is None] or ["id"]
    return {row[key[0]] if len(key) == 1 else tuple(row[c] for c in key) for row in found.rows}


def test_access_exports_the_subjects_rows_and_only_the_categories_of_shared_ones(
    shop: Engine,
) -> None:
    plan = build_plan(
        load_sources(SHOP_SOURCE), {"shop": reflect_schema(shop)}, {"email": JANE_EMAIL}
    )
    result = execute_access(plan, {"shop": shop})
    customers = result.table("shop", "customers")
    assert customers.columns == {
        "id": None,
        "email": "contact.email",
        "phone": "contact.phone",
        "prénom": "identity.name",
    }
    assert customers.rows == (
        {"id": 1, "email": JANE_EMAIL, "phone": JANE_PHONE, "prénom": "Jeanne-Zoë"},
    )
    orders = sorted(result.table("shop", "orders").rows, key=lambda row: row["id"])
    assert orders == [{"id": 10, "delivery_name": JANE_NAME}, {"id": 11, "delivery_name": "Jeanne"}]
    assert keys(result, "shop", "order_lines") == {(10, 1), (10, 2), (11, 1)}
    assert keys(result, "shop", "invoices") == {1, 2, 3}
    assert keys(result, "shop", "rentals") == {1, 5}
    addresses = result.table("shop", "addresses")
    assert (addresses.rows, addresses.shared) == ((), (SharedRow(("contact.postal_address",)),))
    assert (
        result.table("shop", "rentals").shared == (SharedRow(("commercial.purchase_history",)),) * 2
    )
    assert result.counts() == {
        "shop.customers": (1, 0),
        "shop.addresses": (0, 1),
        "shop.fidélité": (1, 0),
        "shop.invoices": (3, 0),
        "shop.orders": (2, 0),
        "shop.rentals": (2, 2),
        "shop.support_tickets": (1, 0),
        "shop.newsletter_contacts": (1, 0),
        "shop.order_lines": (3, 0),
        "shop.payments": (1, 0),
        "shop.returns": (1, 0),
    }
    exported = {v for t in result.tables for row in t.rows for v in row.values()}
    assert not exported & NOT_JANES
    assert result.runs == ((1, "shop"),)


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every SELECT sent to the database while the block runs."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        statement = args[2]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def read_table(statement: str) -> str:
    """The table a SELECT reads: the one in its FROM outside every parenthesis."""
    depth = 0
    for token in re.finditer(r"\(|\)|\bFROM\s+([^\s()]+)", statement):
        if token.group() == "(":
            depth += 1
        elif token.group() == ")":
            depth -= 1
        elif depth == 0:
            return token.group(1).strip('`"')
    raise AssertionError(f"no FROM in {statement}")


def test_each_table_is_read_by_one_statement(shop: Engine) -> None:
    plan = build_plan(
        load_sources(SHOP_SOURCE), {"shop": reflect_schema(shop)}, {"email": JANE_EMAIL}
    )
    with statements(shop) as seen:
        execute_access(plan, {"shop": shop})
    # In plan order, or level by level where the statements go together (PostgreSQL).
    read = [read_table(s) for s in seen]
    assert sorted(read) == sorted(step.table for step in plan.source("shop").steps)
    assert len(seen) == 11


def test_identities_found_in_one_database_lead_into_the_other(shop: Engine, crm: Engine) -> None:
    # Only the phone is given. The shop finds Jane, whose email leads into the CRM; the CRM
    # knows her newer phone, which leads back to her second shop account, whose email and
    # id (a deal names it) lead into the CRM again. Then nothing new is found.
    schemas = {"shop": reflect_schema(shop), "crm": reflect_schema(crm)}
    plan = build_plan(load_sources(SHOP_SOURCE, CRM_SOURCE), schemas, {"phone": JANE_PHONE})
    engines = {"shop": shop, "crm": crm}
    with statements(shop) as shop_statements, statements(crm) as crm_statements:
        result = execute_access(plan, engines)
    assert result.runs == ((1, "shop"), (1, "crm"), (2, "shop"), (2, "crm"))
    assert keys(result, "shop", "customers") == {1, 5}
    assert keys(result, "shop", "orders") == {10, 11, 15}
    assert keys(result, "crm", "contacts") == {1}
    assert keys(result, "crm", "interactions") == {1}
    assert keys(result, "crm", "deals") == {1, 4}
    assert result.table("crm", "deals").columns == {"id": None, "amount": "commercial.contract"}
    assert result.table("crm", "contacts").rows == (
        {"id": 1, "email": JANE_EMAIL, "phone": JANE_NEW_PHONE, "full_name": JANE_NAME},
    )
    # One statement per table in each run of a source.
    shop_tables = [step.table for step in plan.source("shop").steps]
    crm_tables = [step.table for step in plan.source("crm").steps]
    half = len(shop_tables)
    shop_read = [read_table(s) for s in shop_statements]
    assert len(shop_read) == 2 * half
    assert sorted(shop_read[:half]) == sorted(shop_read[half:]) == sorted(shop_tables)
    crm_read = [read_table(s) for s in crm_statements]
    assert len(crm_read) == 2 * len(crm_tables)
    assert sorted(crm_read) == sorted(crm_tables * 2)
    assert result.notes == ()


def test_a_shared_link_across_databases_reports_its_rows_as_shared(
    shop: Engine, crm: Engine
) -> None:
    shared_deals = CRM_SOURCE.replace(
        "on: { shop_customer_id: id } }", "on: { shop_customer_id: id }, shared: true }"
    )
    assert shared_deals != CRM_SOURCE
    schemas = {"shop": reflect_schema(shop), "crm": reflect_schema(crm)}
    plan = build_plan(load_sources(SHOP_SOURCE, shared_deals), schemas, {"email": JANE_EMAIL})
    assert plan.step("crm", "deals").shared_reasons == (
        "always: the link across sources is declared shared",
    )
    result = execute_access(plan, {"shop": shop, "crm": crm})
    deals = result.table("crm", "deals")
    assert (deals.rows, deals.shared) == ((), (SharedRow(("commercial.contract",)),) * 2)


def test_the_rounds_across_databases_are_bounded(shop: Engine, crm: Engine) -> None:
    schemas = {"shop": reflect_schema(shop), "crm": reflect_schema(crm)}
    plan = build_plan(load_sources(SHOP_SOURCE, CRM_SOURCE), schemas, {"phone": JANE_PHONE})
    result = execute_access(plan, {"shop": shop, "crm": crm}, max_rounds=1)
    assert result.runs == ((1, "shop"), (1, "crm"))
    assert keys(result, "shop", "customers") == {1}
    assert result.notes == (
        "identities found in round 1 were not followed into shop: raise the number of rounds",
    )


def test_a_source_nothing_leads_to_is_not_read(shop: Engine, crm: Engine) -> None:
    # Here the CRM is reached by email only, and nobody in the shop has this phone.
    crm_by_email = CRM_SOURCE.replace(
        "{ category: contact.phone, identity: phone }", "contact.phone"
    )
    schemas = {"shop": reflect_schema(shop), "crm": reflect_schema(crm)}
    plan = build_plan(load_sources(SHOP_SOURCE, crm_by_email), schemas, {"phone": "+1 555 0100"})
    with statements(crm) as crm_statements:
        result = execute_access(plan, {"shop": shop, "crm": crm})
    assert result.runs == ((1, "shop"),)
    assert crm_statements == []
    assert set(result.counts().values()) == {(0, 0)}


def test_the_connection_refuses_writes(shop: Engine) -> None:
    with read_only(shop) as connection, pytest.raises(DBAPIError):
        connection.execute(sa.text("DELETE FROM payments"))
    with shop.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM payments")).scalar() == 3


def test_steps_that_wait_for_the_same_keys_go_together(shop: Engine) -> None:
    # On PostgreSQL each group is one pipeline: a round trip per level, not per table.
    plan = build_plan(
        load_sources(SHOP_SOURCE), {"shop": reflect_schema(shop)}, {"email": JANE_EMAIL}
    )
    grouped = [[step.table for step in group] for group in levels(plan.source("shop"))]
    assert grouped == [
        ["customers"],
        ["orders", "addresses", "fidélité", "support_tickets", "rentals", "newsletter_contacts"],
        ["order_lines", "invoices", "payments"],
        ["returns"],
    ]
    # Read level by level, the result still lists the tables in the plan's order.
    with statements(shop) as seen:
        result = execute_access(plan, {"shop": shop})
    assert len(seen) == 11
    assert [t.table for t in result.tables] == [s.table for s in plan.source("shop").steps]
