"""Statements sent through a queue: in order, together on PostgreSQL, at once elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from pledge.declaration.load import load_declaration
from pledge.demo import DEMO_PERSON
from pledge.sources.access import execute_access
from pledge.sources.connect import create_source_engine
from pledge.sources.erasure import erase_source
from pledge.sources.plan import build_plan
from pledge.sources.schema import reflect_schema
from pledge.sources.statement_queue import StatementQueue
from tests.demo.generated import AS_OF, Demo, close, generate

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo" / "pledge.yaml"

metadata = sa.MetaData()
items = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("label", sa.String(20), nullable=False),
)


@pytest.fixture
def engine(company_url: str) -> Iterator[Engine]:
    made = create_source_engine(company_url)
    metadata.create_all(made)
    yield made
    made.dispose()


def test_statements_run_in_the_order_sent_and_give_their_rows(engine: Engine) -> None:
    with engine.begin() as connection, StatementQueue(connection) as queue:
        queue.send(items.insert(), {"id": 1, "label": "one"}, "adding")
        queue.send(items.insert(), {"id": 2, "label": "two"}, "adding")
        changed = queue.send(
            sa.update(items).where(items.c.id == sa.bindparam("key")).values(label="ONE"),
            {"key": 1},
            "renaming",
        )
        read = queue.send(sa.select(items.c.id, items.c.label).order_by(items.c.id), {}, "reading")
        assert read.rows() == [(1, "ONE"), (2, "two")]
        assert changed.rows() == []  # a write without RETURNING gives no rows


def test_on_postgresql_nothing_is_sent_until_rows_are_asked_for(engine: Engine) -> None:
    with engine.begin() as connection:
        queue = StatementQueue(connection)
        assert queue.together == (engine.dialect.name == "postgresql")
        queue.send(items.insert(), {"id": 1, "label": "one"}, "adding")
        count = sa.select(sa.func.count()).select_from(items)
        seen_now = connection.execute(count).scalar_one()  # past the queue, at once
        assert seen_now == (0 if queue.together else 1)
        queue.flush()
        assert connection.execute(count).scalar_one() == 1


def test_what_was_sent_and_never_asked_for_is_run_on_leaving(engine: Engine) -> None:
    with engine.begin() as connection, StatementQueue(connection) as queue:
        queue.send(items.insert(), {"id": 7, "label": "seven"}, "adding")
    with engine.connect() as connection:
        assert connection.execute(sa.select(items.c.label)).scalars().all() == ["seven"]


def test_a_refused_statement_says_what_it_was_doing_and_nothing_stays(engine: Engine) -> None:
    queue: StatementQueue | None = None
    with pytest.raises(DBAPIError), engine.begin() as connection:
        queue = StatementQueue(connection)
        queue.send(items.insert(), {"id": 1, "label": "one"}, "adding the first")
        queue.send(items.insert(), {"id": 1, "label": "again"}, "adding it twice")
        queue.send(items.insert(), {"id": 2, "label": "two"}, "adding the second")
        queue.flush()
    assert queue is not None and queue.doing == "adding it twice"
    with engine.connect() as connection:
        assert connection.execute(sa.select(items.c.id)).all() == []


@pytest.fixture
def demo(postgres_company_url: str, tmp_path: Path) -> Iterator[Demo]:
    # Pipelines are PostgreSQL's (psycopg); elsewhere each statement goes alone.
    made = generate(postgres_company_url, f"sqlite:///{tmp_path / 'crm.db'}")
    try:
        yield made
    finally:
        close(made)


def test_on_postgresql_an_erasures_writes_take_one_round_trip(demo: Demo) -> None:
    declaration = load_declaration(DEMO).declaration
    schema = reflect_schema(demo.shop)
    plan = build_plan(
        declaration, {"shop": schema, "crm": reflect_schema(demo.crm)}, {"email": DEMO_PERSON}
    )
    before = execute_access(plan, {"shop": demo.shop, "crm": demo.crm})
    events: list[tuple[str, str]] = []

    def sent(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        events.append(("sent", statement.split(maxsplit=1)[0].upper()))

    def answered(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        events.append(("answered", statement.split(maxsplit=1)[0].upper()))

    sa.event.listen(demo.shop, "before_cursor_execute", sent)
    sa.event.listen(demo.shop, "after_cursor_execute", answered)
    try:
        done = erase_source(
            plan,
            "shop",
            demo.shop,
            before.params["shop"],
            declaration,
            today=AS_OF.date(),
            hash_key=b"k",
            schema=schema,
        )
    finally:
        sa.event.remove(demo.shop, "before_cursor_execute", sent)
        sa.event.remove(demo.shop, "after_cursor_execute", answered)
    assert sum(t.deleted for t in done.tables) and sum(t.anonymised for t in done.tables)
    first_write = next(i for i, (_, word) in enumerate(events) if word in ("DELETE", "UPDATE"))
    writes = events[first_write:]
    # Every write, and the reads of what remains after them, sent before the first answer.
    trips = [i for i, (what, _) in enumerate(writes) if what == "answered"]
    assert trips and all(what == "sent" for what, _ in writes[: trips[0]])
    assert all(what == "answered" for what, _ in writes[trips[0] :])
    kinds = {word for _, word in writes}
    assert {"DELETE", "UPDATE", "SELECT"} <= kinds
