"""Creating the demo: it refuses to overwrite a database, unless told to, and a tiny scale."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from pledge.demo import MIN_SCALE, schema
from pledge.errors import PledgeError
from tests.demo.generated import close, generate


def test_a_non_empty_database_is_refused_unless_forced(tmp_path: Path) -> None:
    shop, crm = f"sqlite:///{tmp_path / 'shop.db'}", f"sqlite:///{tmp_path / 'crm.db'}"
    close(generate(shop, crm, scale=10))
    with pytest.raises(PledgeError, match="shop database is not empty: it has 11 tables"):
        generate(shop, crm, scale=10)
    # A table of the company's own survives --force: only the demo's tables are replaced.
    other = sa.create_engine(crm)
    with other.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE keep_me (id INTEGER PRIMARY KEY)")
    other.dispose()
    again = generate(shop, crm, scale=12, force=True)
    try:
        assert again.report.count("customers") == 12
        with again.shop.connect() as connection:
            total = connection.execute(sa.select(sa.func.count()).select_from(schema.customers))
            assert total.scalar_one() == 12
        assert "keep_me" in sa.inspect(again.crm).get_table_names()
    finally:
        close(again)


def test_both_sources_may_share_one_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'one.db'}"
    made = generate(url, url, scale=10)
    try:
        names = set(sa.inspect(made.shop).get_table_names())
        assert {"customers", "contacts", "interactions", "newsletter_contacts"} <= names
    finally:
        close(made)


def test_the_scale_must_hold_the_named_people(tmp_path: Path) -> None:
    with pytest.raises(PledgeError, match=f"at least {MIN_SCALE} customers"):
        generate(f"sqlite:///{tmp_path / 's.db'}", f"sqlite:///{tmp_path / 'c.db'}", scale=3)
