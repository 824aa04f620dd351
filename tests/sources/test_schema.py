"""Reading a company database's schema on each engine, composite keys and ON DELETE included."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pledge.declaration.model import Source
from pledge.errors import PledgeError
from pledge.sources.connect import create_source_engine, open_source
from pledge.sources.schema import ForeignKey, reflect_schema

DDL = [
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL)",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL,"
    " FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE RESTRICT)",
    "CREATE TABLE order_lines (order_id INTEGER NOT NULL, line_no INTEGER NOT NULL,"
    " sku VARCHAR(20), PRIMARY KEY (order_id, line_no),"
    " FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE)",
    "CREATE TABLE returns (id INTEGER PRIMARY KEY, order_id INTEGER, line_no INTEGER,"
    " FOREIGN KEY (order_id, line_no) REFERENCES order_lines (order_id, line_no))",
]


def test_tables_keys_and_foreign_keys(company_url: str) -> None:
    engine = create_source_engine(company_url)
    try:
        with engine.begin() as connection:
            for statement in DDL:
                connection.execute(sa.text(statement))
        schema = reflect_schema(engine)
    finally:
        engine.dispose()
    assert sorted(schema.tables) == ["customers", "order_lines", "orders", "returns"]
    assert schema.tables["order_lines"].primary_key == ("order_id", "line_no")
    assert schema.tables["customers"].columns["email"].nullable is False
    orders_fk = schema.tables["orders"].foreign_keys[0]
    assert (orders_fk.columns, orders_fk.referred_table) == (("customer_id",), "customers")
    # MySQL/MariaDB report RESTRICT as the default they treat alike: NO ACTION.
    assert orders_fk.on_delete in {"RESTRICT", "NO ACTION"}
    assert orders_fk.on_delete == "RESTRICT" or schema.dialect in {"mysql", "mariadb"}
    assert schema.tables["order_lines"].foreign_keys[0].on_delete == "CASCADE"
    (returns_fk,) = schema.tables["returns"].foreign_keys
    key = ("order_id", "line_no")
    assert returns_fk == ForeignKey(key, "order_lines", key, "NO ACTION", returns_fk.name)


def test_the_url_comes_from_the_named_environment_variable() -> None:
    source = Source.model_validate({"url_env": "SHOP_URL", "tables": {"t": {}}})
    with pytest.raises(PledgeError, match="SHOP_URL is not set"):
        open_source("shop", source, environ={})
    engine = open_source("shop", source, environ={"SHOP_URL": "sqlite://"})
    assert engine.dialect.name == "sqlite"
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "message"),
    [("not a url", "not valid"), ("oracle2://x/y", "no database driver for 'oracle2'")],
)
def test_bad_urls_are_explained(url: str, message: str) -> None:
    with pytest.raises(PledgeError, match=message):
        create_source_engine(url)


def test_mysql_urls_use_the_pure_python_driver() -> None:
    engine = create_source_engine("mysql://root@127.0.0.1/test")
    assert engine.dialect.driver == "pymysql"
    engine.dispose()
