"""What the sweep tests share: a declaration with one source, a company database built from
Core tables on any engine, a store in a SQLite file, and a sweep called as the CLI calls it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.declaration.load import parse_declaration
from pledge.declaration.model import Declaration
from pledge.retention.journal import journal_entries, open_keys
from pledge.retention.people import PersonRows
from pledge.retention.sweep import SweepReport, sweep
from pledge.services import Keys
from pledge.sources.connect import create_source_engine
from pledge.store import Store, open_store
from tests.declaration.declarations import declaration

KEYS = Keys.derive(b"a test secret, long enough to derive keys")
URL_ENV = "PLEDGE_TEST_APP_URL"

ACTIVITIES = """
app:
  name: The app
  subjects: [customer]
  categories: [contact.email]
  legal_basis: contract
  retention: [accounts]
"""


def declare(tables: str, retention: str) -> Declaration:
    """A declaration whose one source `app` has these tables (YAML under `tables:`) and
    these rules, besides the base declaration's `accounts`."""
    body = "\n".join("    " + line for line in tables.strip("\n").splitlines())
    source = f"app:\n  url_env: {URL_ENV}\n  tables:\n{body}\n"
    rules = (
        "accounts:\n  name: Customer accounts\n  duration: 3 years\n  trigger: last_contact\n"
        + retention
    )
    return parse_declaration(
        declaration(activities=ACTIVITIES, retention=rules, sources=source)
    ).declaration


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def innodb(name: str, metadata: sa.MetaData, *items: Any) -> sa.Table:
    # MariaDB: InnoDB, for foreign keys whatever the server's default engine.
    return sa.Table(name, metadata, *items, mysql_engine="InnoDB")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    yield opened
    opened.close()


def company(
    url: str, metadata: sa.MetaData, rows: Mapping[str, Sequence[Mapping[str, Any]]]
) -> Engine:
    """The tables of `metadata` created at `url`, with these rows (parents listed first)."""
    engine = create_source_engine(url)
    metadata.create_all(engine)
    with engine.begin() as connection:
        for name, values in rows.items():
            if values:
                connection.execute(metadata.tables[name].insert(), list(values))
    return engine


def run(
    store: Store,
    decl: Declaration,
    engine: Engine,
    *,
    as_of: dt.datetime,
    dry_run: bool = False,
    people: PersonRows | None = None,
    batch: int = 5000,
    run_id: int | None = None,
) -> SweepReport:
    return sweep(
        store,
        decl,
        {"app": engine},
        as_of=as_of,
        dry_run=dry_run,
        started_by="test",
        keys=KEYS,
        people=people,
        batch=batch,
        run_id=run_id,
    )


def ids(engine: Engine, table: str, column: str = "id") -> list[Any]:
    with engine.connect() as connection:
        query = sa.text(f"SELECT {column} FROM {table} ORDER BY {column}")
        return [row[0] for row in connection.execute(query)]


def select(engine: Engine, query: str) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query))]


def journaled(store: Store, table: str) -> list[list[tuple[Any, ...]]]:
    """The keys of each journal entry of the table, oldest first."""
    with store.session() as session:
        return [
            [tuple(k) for k in open_keys(entry, KEYS.package)]
            for entry in journal_entries(session, source="app", table=table)
        ]
