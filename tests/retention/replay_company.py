"""A small company database for the replay tests, with a copy-and-restore that does what a
backup restore does: the saved rows are written back as they were."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.declaration.load import parse_declaration
from pledge.declaration.model import Declaration
from pledge.retention.journal import Action, journal_batch
from pledge.services import Keys
from pledge.sources.connect import create_source_engine
from pledge.store import Store, open_store
from tests.declaration.declarations import declaration

NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
KEYS = Keys.derive(b"a test secret, long enough to derive keys")
JANE = "jane@example.com"

SOURCE = """
app:
  url_env: PLEDGE_TEST_APP_URL
  tables:
    people:
      subject: customer
      columns:
        email: {category: contact.email, identity: email, erase: placeholder, placeholder: "x{id}"}
        name: {category: identity.name, erase: "null"}
    notes:
      links: [{ table: people, on: { person_id: id } }]
      columns:
        body: communications.support_ticket
      erase: delete_row
    visits:
      links: [{ table: people, on: { person_id: id } }]
      columns:
        place: contact.postal_address
      erase: delete_row
    subscribers:
      subject: customer
      columns:
        email: {category: contact.email, identity: email}
      erase: delete_row
"""

METADATA = sa.MetaData()
people = sa.Table(
    "people",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(100), nullable=False, unique=True),
    sa.Column("name", sa.String(100)),
    mysql_engine="InnoDB",
)
notes = sa.Table(
    "notes",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
    sa.Column("body", sa.String(100)),
    mysql_engine="InnoDB",
)
visits = sa.Table(
    "visits",
    METADATA,
    sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("place", sa.String(50)),
    mysql_engine="InnoDB",
)
subscribers = sa.Table(
    "subscribers",
    METADATA,
    sa.Column("email", sa.String(100), primary_key=True),
    sa.Column("since", sa.Date),
    mysql_engine="InnoDB",
)
# Not declared: the company keeps its invoices whatever Pledge says, and they refer to people.
invoices = sa.Table(
    "invoices",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
    mysql_engine="InnoDB",
)

ROWS: dict[sa.Table, list[dict[str, Any]]] = {
    people: [
        {"id": 1, "email": JANE, "name": "Jane Doe"},
        {"id": 2, "email": "bob@example.com", "name": "Bob Roe"},
        {"id": 3, "email": "ann@example.com", "name": "Ann Poe"},
    ],
    notes: [
        {"id": 1, "person_id": 1, "body": "hello"},
        {"id": 2, "person_id": 1, "body": "again"},
        {"id": 3, "person_id": 2, "body": "his"},
    ],
    visits: [
        {"person_id": 1, "day": dt.date(2026, 1, 31), "place": "Bristol"},
        {"person_id": 1, "day": dt.date(2026, 2, 1), "place": "Bath"},
        {"person_id": 2, "day": dt.date(2026, 1, 31), "place": "Leeds"},
    ],
    subscribers: [
        {"email": JANE, "since": dt.date(2024, 5, 1)},
        {"email": "bob@example.com", "since": dt.date(2025, 5, 1)},
    ],
    invoices: [],
}


def declare() -> Declaration:
    return parse_declaration(declaration(sources=SOURCE)).declaration


@pytest.fixture
def app(company_url: str) -> Iterator[Engine]:
    engine = create_source_engine(company_url)
    METADATA.create_all(engine)
    with engine.begin() as connection:
        for table in METADATA.sorted_tables:
            if ROWS[table]:
                connection.execute(table.insert(), ROWS[table])
    yield engine
    engine.dispose()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as opened:
        yield opened


def rows(engine: Engine, table: sa.Table) -> list[dict[str, Any]]:
    order = list(table.primary_key.columns)
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(sa.select(table).order_by(*order)).mappings()]


def copy(engine: Engine, metadata: sa.MetaData = METADATA) -> dict[sa.Table, list[dict[str, Any]]]:
    """A backup: every row of every table of `metadata`."""
    return {table: rows(engine, table) for table in metadata.sorted_tables}


def restore(engine: Engine, backup: dict[sa.Table, list[dict[str, Any]]]) -> None:
    """Write the backup's rows back, parents first: missing rows inserted, changed ones
    written over, as restoring the tables from the backup does."""
    with engine.begin() as connection:
        for table in sa.schema.sort_tables(backup):
            key = list(table.primary_key.columns)
            now = {
                tuple(row[c.name] for c in key): dict(row)
                for row in connection.execute(sa.select(table)).mappings()
            }
            for row in backup[table]:
                present = now.get(tuple(row[c.name] for c in key))
                if present is None:
                    connection.execute(table.insert().values(row))
                elif present != row:
                    match = [c == row[c.name] for c in key]
                    connection.execute(table.update().where(*match).values(row))


def delete(engine: Engine, table: sa.Table, keys: Sequence[tuple[Any, ...]]) -> None:
    """What a sweep does to expired rows: deleted by key."""
    key = list(table.primary_key.columns)
    chosen = key[0].in_([k[0] for k in keys]) if len(key) == 1 else sa.tuple_(*key).in_(keys)
    with engine.begin() as connection:
        connection.execute(table.delete().where(chosen))


def journal(
    store: Store,
    table: str,
    action: Action,
    keys: Sequence[tuple[Any, ...]],
    *,
    cause: str = "sweep:1",
    now: dt.datetime = NOW,
    columns: Sequence[str] = (),
) -> None:
    with store.session(write=True) as session:
        journal_batch(
            session,
            source="app",
            table=table,
            action=action,
            cause=cause,
            keys=keys,
            key=KEYS.package,
            now=now,
            columns=columns,
        )
