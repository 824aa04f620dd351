"""Plans over less common shapes: non-ASCII identity kinds, tables without a primary key,
rows linked to several people through a join table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.sources.access import execute_access
from pledge.sources.connect import create_source_engine
from pledge.sources.plan import build_plan
from pledge.sources.plan_explain import explain
from pledge.sources.plan_sql import compile_sql
from pledge.sources.schema import reflect_schema
from tests.sources.plan_schema import JANE_EMAIL, SHOP_SOURCE, create_shop, load_sources, reached


@pytest.fixture
def shop(company_url: str) -> Iterator[Engine]:
    engine = create_source_engine(company_url)
    create_shop(engine)
    yield engine
    engine.dispose()


def test_parameter_names_stay_ascii_whatever_the_identity_is_called(shop: Engine) -> None:
    loyalty = SHOP_SOURCE.replace(
        "numéro: commercial.loyalty", "numéro: { category: commercial.loyalty, identity: numéro }"
    )
    schema = {"shop": reflect_schema(shop)}
    plan = build_plan(load_sources(loyalty), schema, {"numéro": "FID-0001"})
    assert [seed.param for seed in plan.source("shop").seeds] == ["numero"]
    assert reached(plan, {"shop": shop})["shop"]["fidélité"] == {1: False}
    assert ":numero = FID-0001 (given)" in explain(plan)


def test_tables_without_a_primary_key(shop: Engine) -> None:
    # page_views has no key and nothing mapped: its rows are still found, and counted.
    # legacy_accounts has no key either: the address it points at cannot be told the
    # subject's alone, so it is shared.
    with shop.begin() as connection:
        for statement in (
            "CREATE TABLE page_views (customer_id INTEGER REFERENCES customers (id), url TEXT)",
            "INSERT INTO page_views VALUES (1, '/a'), (1, '/b'), (2, '/c')",
            "CREATE TABLE legacy_accounts (email TEXT,"
            " address_id INTEGER REFERENCES addresses (id))",
            "INSERT INTO legacy_accounts VALUES ('carol@example.com', 2)",
        ):
            connection.execute(sa.text(statement))
    extra = """
    page_views: {}
    legacy_accounts:
      columns:
        email: { category: contact.email, identity: email }
"""
    declared = load_sources(SHOP_SOURCE + extra)
    schema = {"shop": reflect_schema(shop)}
    jane = build_plan(declared, schema, {"email": JANE_EMAIL})
    assert compile_sql(jane.step("shop", "page_views").statement, "sqlite").startswith(
        "SELECT 1\nFROM page_views\n"
    )
    views = execute_access(jane, {"shop": shop}).table("shop", "page_views")
    assert (views.rows, views.columns) == (({}, {}), {})
    carol = build_plan(declared, schema, {"email": "carol@example.com"})
    assert carol.step("shop", "addresses").shared_reasons == (
        "when another customers row refers to it too",
        "always: legacy_accounts has no primary key to tell the subject's rows apart",
    )
    assert reached(carol, {"shop": shop})["shop"]["addresses"] == {2: True}


def test_a_row_linked_to_several_people_through_a_join_table(shop: Engine) -> None:
    # Households 1 (Jane and Bob) and 2 (Jane alone), joined to customers by members; the
    # link is declared from households, the other way round from the foreign key.
    metadata = sa.MetaData()
    households = sa.Table(
        "households",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(50)),
    )
    customers = sa.Table("customers", metadata, sa.Column("id", sa.Integer, primary_key=True))
    members = sa.Table(
        "members",
        metadata,
        sa.Column("customer_id", sa.ForeignKey(customers.c.id), primary_key=True),
        sa.Column("household_id", sa.ForeignKey(households.c.id), primary_key=True),
    )
    metadata.create_all(shop, tables=[households, members])
    with shop.begin() as connection:
        connection.execute(
            households.insert(), [{"id": 1, "name": "Dupré"}, {"id": 2, "name": "Zoë"}]
        )
        connection.execute(
            members.insert(),
            [
                {"customer_id": 1, "household_id": 1},
                {"customer_id": 2, "household_id": 1},
                {"customer_id": 1, "household_id": 2},
            ],
        )
    extra = """
    members:
      links: [{ table: customers, on: { customer_id: id } }]
    households:
      links: [{ table: members, on: { id: household_id }, shared: true }]
      columns:
        name: personal_life.family
"""
    plan = build_plan(
        load_sources(SHOP_SOURCE + extra), {"shop": reflect_schema(shop)}, {"email": JANE_EMAIL}
    )
    step = plan.step("shop", "households")
    assert [route.describe() for route in step.routes] == [
        "customers by email → members (members.customer_id → customers.id, link)"
        " → households (households.id → members.household_id, shared link)"
    ]
    assert step.shared_reasons == ("when another members row links to it too",)
    found = reached(plan, {"shop": shop})["shop"]
    assert found["members"] == {(1, 1): False, (1, 2): False}
    assert found["households"] == {1: True, 2: False}
