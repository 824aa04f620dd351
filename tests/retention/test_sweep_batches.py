"""Batches on each engine: each one journaled; a sweep stopped by a failing batch resumes
without harm; rows of a table that refer to each other go in passes."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.errors import PledgeError
from pledge.store import Store
from pledge.store.tables import SweepResultRow, SweepRunRow
from tests.retention.sweeping import (
    at,
    company,
    declare,
    ids,
    innodb,
    journaled,
    run,
    select,
    store,
)

__all__ = ["store"]

NOW = at(2026, 6, 15)
OLD = dt.datetime(2025, 1, 1)
RECENT = dt.datetime(2026, 6, 1)

RULES = """
calls:
  name: Call recordings
  duration: 6 months
  trigger: recorded
"""

TABLES = """
calls:
  columns: { started_at: communications.call_record }
  timestamps: { recorded: started_at }
  retention: [calls]
callbacks:
  links: [{ table: calls, on: { call_id: id } }]
  columns: { started_at: communications.call_record }
  timestamps: { recorded: started_at }
  retention: [calls]
"""

LOCK = {
    "sqlite": [
        "CREATE TRIGGER locked BEFORE DELETE ON calls WHEN old.id = 3 BEGIN"
        " SELECT RAISE(ABORT, 'this call is locked'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION call_locked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF OLD.id = 3 THEN RAISE EXCEPTION 'this call is locked'; END IF; RETURN OLD; END $$",
        "CREATE TRIGGER locked BEFORE DELETE ON calls FOR EACH ROW EXECUTE FUNCTION call_locked()",
    ],
    "mariadb": [
        "CREATE TRIGGER locked BEFORE DELETE ON calls FOR EACH ROW BEGIN"
        " IF OLD.id = 3 THEN"
        " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'this call is locked'; END IF; END"
    ],
}
UNLOCK = {"sqlite": "DROP TRIGGER locked", "postgresql": "DROP TRIGGER locked ON calls"}


def calls(url: str) -> Engine:
    metadata = sa.MetaData()
    innodb(
        "calls",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
    )
    innodb(
        "callbacks",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("call_id", sa.Integer, sa.ForeignKey("calls.id")),
        sa.Column("started_at", sa.DateTime, nullable=False),
    )
    return company(
        url,
        metadata,
        {
            "calls": [{"id": i, "started_at": OLD} for i in range(1, 8)]
            + [{"id": 8, "started_at": RECENT}],
            "callbacks": [{"id": 1, "call_id": None, "started_at": OLD}],
        },
    )


def dialect(engine: Engine) -> str:
    return "mariadb" if engine.dialect.name in ("mysql", "mariadb") else engine.dialect.name


def test_each_batch_is_journaled(company_url: str, store: Store) -> None:
    engine = calls(company_url)
    report = run(store, declare(TABLES, RULES), engine, as_of=NOW, batch=2)
    swept = report.table("app.calls")
    assert (swept.deleted, swept.batches) == (7, 4)
    assert 0 < swept.longest_batch_seconds <= swept.seconds
    assert journaled(store, "calls") == [[(1,), (2,)], [(3,), (4,)], [(5,), (6,)], [(7,)]]
    assert ids(engine, "calls") == [8]
    with store.session() as session:
        result = session.scalars(
            sa.select(SweepResultRow).where(SweepResultRow.table_name == "calls")
        ).one()
        assert (result.deleted, result.batches, result.done) == (7, 4, True)
    engine.dispose()


def test_a_sweep_stopped_by_a_failing_batch_resumes_where_it_stopped(
    company_url: str, store: Store
) -> None:
    engine = calls(company_url)
    decl = declare(TABLES, RULES)
    with engine.begin() as connection:
        for statement in LOCK[dialect(engine)]:
            connection.exec_driver_sql(statement)
    with pytest.raises(PledgeError, match=r"while deleting from app\.calls: the database refused"):
        run(store, decl, engine, as_of=NOW, batch=2)
    with store.session() as session:
        stopped = session.scalars(sa.select(SweepRunRow)).one()
        results = {
            r.table_name: (r.deleted, r.batches, r.done)
            for r in session.scalars(sa.select(SweepResultRow))
        }
    assert stopped.state == "failed" and stopped.error and "app.calls" in stopped.error
    assert results == {"callbacks": (1, 1, True), "calls": (2, 1, False)}
    assert ids(engine, "calls") == [3, 4, 5, 6, 7, 8]
    assert journaled(store, "calls") == [[(1,), (2,)]]

    with engine.begin() as connection:
        connection.exec_driver_sql(UNLOCK.get(dialect(engine), "DROP TRIGGER locked"))
        # A row that expired since; the resumed run, judged as of its first moment and
        # done with this table, must leave it.
        connection.execute(
            sa.text("INSERT INTO callbacks (id, started_at) VALUES (2, :at)"), {"at": OLD}
        )
    later = at(2027, 6, 15)  # the run keeps its own as-of moment
    resumed = run(store, decl, engine, as_of=later, batch=2, run_id=stopped.id)
    assert resumed.as_of == NOW
    swept = resumed.table("app.calls")
    assert (swept.expired, swept.deleted, swept.batches) == (7, 7, 4)
    assert ids(engine, "calls") == [8]
    assert ids(engine, "callbacks") == [2]
    assert journaled(store, "calls") == [[(1,), (2,)], [(3,), (4,)], [(5,), (6,)], [(7,)]]
    with store.session() as session:
        finished = session.get(SweepRunRow, stopped.id)
        assert finished is not None and (finished.state, finished.error) == ("done", None)
    with pytest.raises(PledgeError, match="already done"):
        run(store, decl, engine, as_of=NOW, run_id=stopped.id)
    engine.dispose()


def test_rows_of_a_table_that_refer_to_each_other_go_in_passes(
    company_url: str, store: Store
) -> None:
    metadata = sa.MetaData()
    innodb(
        "members",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("referred_by", sa.Integer, sa.ForeignKey("members.id")),
        sa.Column("seen_at", sa.DateTime, nullable=False),
    )
    engine = company(
        company_url,
        metadata,
        {
            "members": [
                {"id": 1, "referred_by": None, "seen_at": OLD},
                {"id": 2, "referred_by": 1, "seen_at": OLD},
                {"id": 3, "referred_by": 2, "seen_at": OLD},
                {"id": 4, "referred_by": 3, "seen_at": RECENT},
                {"id": 5, "referred_by": 5, "seen_at": OLD},  # refers to itself
                {"id": 6, "referred_by": None, "seen_at": OLD},
                {"id": 7, "referred_by": 6, "seen_at": OLD},
            ]
        },
    )
    decl = declare(
        """
members:
  columns: { seen_at: contact.email }
  timestamps: { recorded: seen_at }
  retention: [calls]
""",
        RULES,
    )
    swept = run(store, decl, engine, as_of=NOW, batch=2).table("app.members")
    # 3 is kept by 4, which is kept: so 2 and 1 stay too.
    assert (swept.deleted, swept.referenced) == (3, 3)
    assert ids(engine, "members") == [1, 2, 3, 4]
    engine.dispose()


def test_a_table_with_a_composite_key_goes_in_key_order(company_url: str, store: Store) -> None:
    metadata = sa.MetaData()
    innodb(
        "order_lines",
        metadata,
        sa.Column("order_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
    )
    rows = [
        {"order_id": o, "line_no": n, "started_at": RECENT if (o, n) == (2, 1) else OLD}
        for o in (1, 2, 3)
        for n in (1, 2)
    ]
    engine = company(company_url, metadata, {"order_lines": rows})
    decl = declare(
        """
order_lines:
  columns: { started_at: communications.call_record }
  timestamps: { recorded: started_at }
  retention: [calls]
""",
        RULES,
    )
    swept = run(store, decl, engine, as_of=NOW, batch=2).table("app.order_lines")
    assert (swept.deleted, swept.batches) == (5, 3)
    assert journaled(store, "order_lines") == [[(1, 1), (1, 2)], [(2, 2), (3, 1)], [(3, 2)]]
    assert select(engine, "SELECT order_id, line_no FROM order_lines") == [(2, 1)]
    engine.dispose()
