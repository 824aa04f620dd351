"""Rectification on SQLite, PostgreSQL and MariaDB: own rows only, keys kept, one UPDATE a table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.sources.access import execute_access
from pledge.sources.plan import build_plan
from pledge.sources.rectification import (
    SourceCorrection,
    TableCorrection,
    correct_source,
    corrected_categories,
    validate_corrections,
)
from pledge.sources.schema import reflect_schema
from tests.sources.plan_schema import (
    CRM_SOURCE,
    JANE_EMAIL,
    JANE_NAME,
    JANE_PHONE,
    SHOP_SOURCE,
    load_sources,
)

NEW_NAME = "Jeanne-Zoë Dupré-Łukasiewicz"


def correct(
    engine: Engine,
    corrections: Mapping[str, str],
    *,
    email: str = JANE_EMAIL,
    declaration: Declaration | None = None,
    source: str = "shop",
    batch: int = 1000,
) -> SourceCorrection:
    declared = declaration or load_sources(SHOP_SOURCE)
    plan = build_plan(declared, {source: reflect_schema(engine)}, {"email": email})
    params = execute_access(plan, {source: engine}).params[source]
    return correct_source(plan, source, engine, params, declared, corrections, batch=batch)


def column(engine: Engine, table: str, name: str) -> dict[Any, Any]:
    """id -> value of one column, for every row of the table."""
    metadata = sa.MetaData()
    found = sa.Table(table, metadata, sa.Column("id"), sa.Column(name))
    with engine.connect() as connection:
        return dict(connection.execute(sa.select(found.c.id, found.c[name])).all())


def by_table(done: SourceCorrection) -> dict[str, TableCorrection]:
    return {t.table: t for t in done.tables}


@contextmanager
def updates(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        if str(args[2]).lstrip().upper().startswith("UPDATE"):
            seen.append(str(args[2]))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_a_name_is_corrected_in_every_column_that_holds_it_on_the_persons_rows_only(
    shop: Engine,
) -> None:
    before = {
        t: column(shop, t, c) for t, c in (("orders", "delivery_name"), ("customers", "prénom"))
    }
    with updates(shop) as seen:
        done = correct(shop, {"identity.name": NEW_NAME}, batch=2)
    tables = by_table(done)
    assert {t: (c.columns, c.rows) for t, c in tables.items()} == {
        "customers": (("prénom",), 1),
        "orders": (("delivery_name",), 2),
        "invoices": (("billed_name",), 3),
        "newsletter_contacts": (("name",), 1),
    }
    assert done.rows == 7
    # One UPDATE a table and batch of keys (invoices: 3 keys in batches of 2), never one a row.
    assert len(seen) == 5
    assert column(shop, "customers", "prénom") == {**before["customers"], 1: NEW_NAME}
    assert column(shop, "orders", "delivery_name") == {
        **before["orders"], 10: NEW_NAME, 11: NEW_NAME
    }  # fmt: skip
    assert column(shop, "invoices", "billed_name") == {
        1: NEW_NAME,
        2: NEW_NAME,
        3: NEW_NAME,
        4: "Bob",
    }
    assert column(shop, "newsletter_contacts", "name")[2] == "Bob"
    # Other columns of the same rows are untouched.
    assert column(shop, "customers", "email")[1] == JANE_EMAIL
    assert column(shop, "customers", "phone")[1] == JANE_PHONE
    assert done.as_json()["rows"] == 7
    assert NEW_NAME not in str(done.as_json())


def test_a_shared_address_is_left_alone_and_an_own_one_is_corrected(shop: Engine) -> None:
    before = column(shop, "addresses", "line1")
    janes = correct(shop, {"addresses.line1": "1 New Street"})
    assert by_table(janes)["addresses"] == TableCorrection("addresses", ("line1",), 0, 1)
    assert column(shop, "addresses", "line1") == before
    daves = correct(
        shop,
        {"addresses.line1": "10 Dave Drive", "shop.addresses.postcode": "M1 1AF"},
        email="dave@example.com",
    )
    assert by_table(daves)["addresses"] == TableCorrection("addresses", ("line1", "postcode"), 1, 0)
    assert column(shop, "addresses", "line1") == {**before, 3: "10 Dave Drive"}
    assert column(shop, "addresses", "postcode")[3] == "M1 1AF"


def test_an_email_changes_where_every_column_a_link_joins_on_gets_it_too(shop: Engine) -> None:
    done = correct(shop, {"contact.email": "jeanne@example.org"})
    tables = by_table(done)
    assert (tables["customers"].rows, tables["newsletter_contacts"].rows) == (1, 1)
    assert column(shop, "customers", "email")[1] == "jeanne@example.org"
    assert column(shop, "newsletter_contacts", "email")[1] == "jeanne@example.org"


def test_a_link_column_alone_is_kept_so_the_link_does_not_break(sqlite_shop: Engine) -> None:
    done = correct(sqlite_shop, {"customers.email": "jeanne@example.org"})
    assert by_table(done)["customers"] == TableCorrection("customers", (), 0, 0, ("email",))
    assert column(sqlite_shop, "customers", "email")[1] == JANE_EMAIL


def test_keys_and_foreign_keys_are_never_changed(sqlite_shop: Engine) -> None:
    source = SHOP_SOURCE.replace(
        "numéro: commercial.loyalty",
        "numéro: commercial.loyalty\n        id: identity.identifier\n"
        "        client_id: identity.identifier",
    )
    declaration = load_sources(source)
    done = correct(
        sqlite_shop,
        {"fidélité.id": "99", "fidélité.client_id": "4", "fidélité.numéro": "FID-1000"},
        declaration=declaration,
    )
    assert by_table(done)["fidélité"] == TableCorrection(
        "fidélité", ("numéro",), 1, 0, ("id", "client_id")
    )
    assert column(sqlite_shop, "fidélité", "client_id") == {1: 1, 2: 4}
    assert column(sqlite_shop, "fidélité", "numéro") == {1: "FID-1000", 2: "FID-0004"}


def test_a_category_several_columns_of_a_table_hold_must_be_named_column_by_column() -> None:
    with pytest.raises(PledgeError) as caught:
        validate_corrections(load_sources(SHOP_SOURCE), {"contact.postal_address": "1 New St"})
    assert caught.value.message == (
        "'contact.postal_address' is held by several columns of one table (addresses has"
        " line1, postcode), so which one a single value belongs in is unclear"
    )
    assert caught.value.hint == (
        "correct each column by its name, as table.column: addresses.line1, addresses.postcode"
    )


def test_unknown_names_get_a_guess_and_blank_values_are_refused() -> None:
    declaration = load_sources(SHOP_SOURCE)
    with pytest.raises(PledgeError) as caught:
        validate_corrections(declaration, {"identity.nmae": "Jane"})
    assert caught.value.message == "nothing the sources hold is called 'identity.nmae'"
    assert caught.value.hint.startswith("did you mean 'identity.name'? correct a category")
    with pytest.raises(PledgeError, match=r"did you mean 'orders\.delivery_name'"):
        validate_corrections(declaration, {"orders.delivery_nam": "Jane"})
    with pytest.raises(PledgeError, match="no value"):
        validate_corrections(declaration, {"identity.name": "  "})
    with pytest.raises(PledgeError, match="no corrections"):
        validate_corrections(declaration, {})
    assert corrected_categories(declaration, {"identity.name": "J", "addresses.line1": "x"}) == {
        "identity.name",
        "contact.postal_address",
    }


def test_a_column_named_precisely_wins_over_its_category(sqlite_shop: Engine) -> None:
    correct(sqlite_shop, {"identity.name": NEW_NAME, "orders.delivery_name": "J. Dupré"})
    assert column(sqlite_shop, "orders", "delivery_name")[10] == "J. Dupré"
    assert column(sqlite_shop, "customers", "prénom")[1] == NEW_NAME


def test_another_source_is_corrected_with_the_values_found_in_the_first(
    sqlite_shop: Engine, crm: Engine
) -> None:
    declaration = load_sources(SHOP_SOURCE, CRM_SOURCE)
    schemas = {"shop": reflect_schema(sqlite_shop), "crm": reflect_schema(crm)}
    plan = build_plan(declaration, schemas, {"email": JANE_EMAIL})
    result = execute_access(plan, {"shop": sqlite_shop, "crm": crm})
    done = correct_source(
        plan, "crm", crm, result.params["crm"], declaration, {"identity.name": NEW_NAME}
    )
    assert done.tables == (TableCorrection("contacts", ("full_name",), 1, 0),)
    assert column(crm, "contacts", "full_name") == {1: NEW_NAME, 2: "Bob"}


def test_a_value_the_database_refuses_changes_nothing_in_that_source(
    company_url: str, shop: Engine
) -> None:
    if shop.dialect.name == "sqlite":
        pytest.skip("SQLite does not enforce a VARCHAR length")
    with pytest.raises(PledgeError) as caught:
        correct(shop, {"customers.prénom": "Jeanne", "orders.delivery_name": "x" * 300})
    assert caught.value.message.startswith("shop.orders: the database refused the corrected")
    assert column(shop, "customers", "prénom")[1] == "Jeanne-Zoë"
    assert column(shop, "orders", "delivery_name")[10] == JANE_NAME


CLUB_SOURCE = """
club:
  url_env: PLEDGE_TEST_CLUB_URL
  tables:
    members:
      subject: customer
      columns:
        email: { category: contact.email, identity: email }
        birth_date: identity.date_of_birth
"""


def test_a_date_given_as_text_is_stored_in_a_date_column(shop: Engine) -> None:
    members = sa.Table(
        "members",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(200)),
        sa.Column("birth_date", sa.Date),
    )
    members.create(shop)
    with shop.begin() as connection:
        connection.execute(
            members.insert(),
            [
                {"id": 1, "email": JANE_EMAIL, "birth_date": dt.date(1991, 5, 17)},
                {"id": 2, "email": "bob@example.com", "birth_date": dt.date(1980, 1, 2)},
            ],
        )
    done = correct(
        shop,
        {"identity.date_of_birth": "1990-05-17"},
        declaration=load_sources(CLUB_SOURCE),
        source="club",
    )
    assert done.tables == (TableCorrection("members", ("birth_date",), 1, 0),)
    with shop.connect() as connection:
        dates = dict(connection.execute(sa.select(members.c.id, members.c.birth_date)).all())
    assert dates == {1: dt.date(1990, 5, 17), 2: dt.date(1980, 1, 2)}


def test_rows_with_a_composite_key_are_picked_by_row_values(shop: Engine) -> None:
    done = correct(shop, {"order_lines.product": "Théière bleue"}, batch=2)
    assert done.tables == (TableCorrection("order_lines", ("product",), 3, 0),)
    lines = sa.Table(
        "order_lines",
        sa.MetaData(),
        sa.Column("order_id"),
        sa.Column("line_no"),
        sa.Column("product"),
    )
    with shop.connect() as connection:
        found = connection.execute(sa.select(lines).order_by(lines.c.order_id, lines.c.line_no))
        products = {(row.order_id, row.line_no): row.product for row in found}
    assert products == {
        (10, 1): "Théière bleue",
        (10, 2): "Théière bleue",
        (11, 1): "Théière bleue",
        (13, 1): "Bike",
        (14, 1): "Lamp",
    }
