"""The demo declaration's `sources` describe the generated databases exactly.

Every table and column it names exists; every table that exists is declared; and how it
erases a column fits the column (a NOT NULL column is never set to NULL).
"""

from __future__ import annotations

from pathlib import Path

from pledge.declaration.load import load_declaration
from pledge.declaration.model import Declaration
from pledge.demo import CRM_URL_ENV, SHOP_URL_ENV
from pledge.sources.schema import SchemaInfo, reflect_schema
from tests.demo.generated import Demo

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo" / "pledge.yaml"


def declared() -> Declaration:
    return load_declaration(DEMO).declaration


def schemas(demo: Demo) -> dict[str, SchemaInfo]:
    return {"shop": reflect_schema(demo.shop), "crm": reflect_schema(demo.crm)}


def test_the_sources_read_the_urls_the_demo_command_prints() -> None:
    sources = declared().sources
    assert {name: source.url_env for name, source in sources.items()} == {
        "shop": SHOP_URL_ENV,
        "crm": CRM_URL_ENV,
    }


def test_every_table_and_column_named_exists_and_every_table_is_declared(demo: Demo) -> None:
    live = schemas(demo)
    missing: list[str] = []
    for source_name, source in declared().sources.items():
        tables = live[source_name].tables
        assert sorted(source.tables) == sorted(tables), f"{source_name}: declared vs created"
        for table_name, table in source.tables.items():
            columns = tables[table_name].columns
            named = set(table.columns) | set(table.timestamps.values())
            named |= {mine for link in table.links for mine in link.on}
            missing += [f"{source_name}.{table_name}.{c}" for c in sorted(named - set(columns))]
            for link in table.links:
                other_source, _, other_table = link.table.rpartition(".")
                target = live[other_source or source_name].tables.get(other_table)
                if target is None:
                    missing.append(f"{source_name}.{table_name} -> {link.table}")
                    continue
                missing += [
                    f"{link.table}.{theirs}"
                    for theirs in link.on.values()
                    if theirs not in target.columns
                ]
    assert missing == []


def test_erasure_fits_each_column(demo: Demo) -> None:
    live = schemas(demo)
    wrong: list[str] = []
    for source_name, source in declared().sources.items():
        for table_name, table in source.tables.items():
            if table.erase == "delete_row":
                continue
            columns = live[source_name].tables[table_name].columns
            for name, column in table.columns.items():
                where = f"{source_name}.{table_name}.{name}"
                if column.erase is None:
                    wrong.append(f"{where}: erased column by column, but says not how")
                elif column.erase == "null" and not columns[name].nullable:
                    wrong.append(f"{where}: NOT NULL, cannot be erased to NULL")
                elif column.erase == "placeholder" and not column.placeholder:
                    wrong.append(f"{where}: placeholder without its text")
    assert wrong == []


def test_the_people_are_found_by_email_and_phone() -> None:
    identities = {
        f"{source_name}.{table_name}.{column_name}": column.identity
        for source_name, source in declared().sources.items()
        for table_name, table in source.tables.items()
        for column_name, column in table.columns.items()
        if column.identity
    }
    assert identities == {
        "shop.customers.email": "email",
        "shop.customers.phone": "phone",
        "shop.newsletter_contacts.email": "email",
        "crm.contacts.email": "email",
    }


def test_shared_rows_and_the_links_without_a_foreign_key_are_declared(demo: Demo) -> None:
    sources = declared().sources
    shop, crm = sources["shop"].tables, sources["crm"].tables
    assert [link.shared for link in shop["addresses"].links] == [True]
    assert all(link.shared for link in shop["payments"].links)
    assert shop["newsletter_contacts"].links[0].on == {"email": "email"}
    assert reflect_schema(demo.shop).tables["newsletter_contacts"].foreign_keys == ()
    assert crm["contacts"].links[0].table == "shop.customers"
    assert shop["invoices"].retention == ["invoices"]
    assert declared().retention["invoices"].required_by is not None
