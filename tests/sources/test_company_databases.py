"""The company-database fixture gives a working, empty database on each engine."""

from __future__ import annotations

import sqlalchemy as sa


def test_each_engine_gives_an_empty_writable_database(company_url: str) -> None:
    engine = sa.create_engine(company_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE probe (id INTEGER PRIMARY KEY, name TEXT)"))
            connection.execute(sa.text("INSERT INTO probe VALUES (1, 'Zoë')"))
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT name FROM probe")).scalar_one() == "Zoë"
    finally:
        engine.dispose()
