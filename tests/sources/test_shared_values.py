"""Reading the values of a person's shared rows, by key, for the second check only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.sources.access import AccessResult, execute_access
from pledge.sources.plan import build_plan
from pledge.sources.schema import SchemaInfo, reflect_schema
from pledge.sources.shared_values import read_shared_values
from tests.sources.plan_schema import JANE_EMAIL, SHOP_SOURCE, load_sources


def janes_access(shop: Engine) -> tuple[AccessResult, SchemaInfo]:
    schema = reflect_schema(shop)
    plan = build_plan(load_sources(SHOP_SOURCE), {"shop": schema}, {"email": JANE_EMAIL})
    return execute_access(plan, {"shop": shop}), schema


@contextmanager
def selects(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        if args[2].lstrip().upper().startswith("SELECT"):
            seen.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_the_shared_rows_values_of_the_asked_categories_are_read_one_statement_per_table(
    shop: Engine,
) -> None:
    result, schema = janes_access(shop)
    asked = ["contact.postal_address", "commercial.purchase_history"]
    with selects(shop) as seen:
        values = read_shared_values(result, {"shop": shop}, {"shop": schema}, asked)
    # Address 1, which Jane shares with Bob; rentals 2 (Bob paid) and 3 (Bob's, Jane paid).
    # Never Carol's address, nor the rentals Jane has no part in (Helmet, Skis).
    assert {k: sorted(v) for k, v in values.items()} == {
        "contact.postal_address": ["12 rue de l'Église", "75004"],
        "commercial.purchase_history": ["Bike", "Tent"],
    }
    assert len(seen) == 2  # addresses and rentals, each by its keys


def test_only_the_asked_categories_are_read(shop: Engine) -> None:
    result, schema = janes_access(shop)
    asked = ["contact.postal_address"]
    values = read_shared_values(result, {"shop": shop}, {"shop": schema}, asked)
    assert set(values) == {"contact.postal_address"}
    with selects(shop) as seen:
        # Her own rows hold an email, her shared ones none: nothing to read.
        assert read_shared_values(result, {"shop": shop}, {"shop": schema}, ["contact.email"]) == {}
    assert seen == []


def test_a_shared_row_keeps_its_key_but_does_not_show_it(shop: Engine) -> None:
    result, _ = janes_access(shop)
    (address,) = result.table("shop", "addresses").shared
    assert address.key == (1,)
    assert "1" not in repr(address)
