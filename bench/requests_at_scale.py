"""Data-subject requests on a million-customer PostgreSQL company, against the bare SQL floor.

    .venv/bin/python bench/requests_at_scale.py [--customers 1000000] [--keep]

Fills the demo company (src/pledge/demo) into two schemas of one PostgreSQL database, the
shop and the CRM (PLEDGE_BENCH_POSTGRES, default postgresql://postgres@127.0.0.1:5432/test),
then prints one table, measured in one run:

- access for typical subjects (median own-row count): `execute_access` against the floor,
  hand-written indexed SELECTs that return the same rows, timed the same way (median of
  --repeats after a warm-up run); EXPLAIN ANALYZE of every statement when the goal is missed;
- erasure for one subject: `erase_source` for each source against the floor, one transaction
  per source that finds the person's rows with the access floor's SELECTs and then makes the
  same changes by primary key with bare UPDATE/DELETE statements, on another subject with
  the same rows (erasure changes data: every repeat takes two fresh subjects); the writes
  alone are printed too;
- --requests access requests from different subjects, one after another and from a pool of
  --threads threads sharing engines whose pools hold as many connections.

With --keep the schemas are named after the scale, kept after the run and reused by the next
run at the same scale; without it they are new and dropped at the end. Progress goes to
stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import graphlib
import os
import platform
import random
import statistics
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from time import perf_counter
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.engine import Engine, make_url

from pledge.declaration.load import load_declaration
from pledge.declaration.model import Declaration
from pledge.demo import MIN_SCALE, create_demo
from pledge.sources.access import AccessResult, execute_access, read_only
from pledge.sources.connect import create_source_engine
from pledge.sources.erasure import erase_source
from pledge.sources.plan import Plan, build_plan
from pledge.sources.plan_sql import in_
from pledge.sources.schema import SchemaInfo, reflect_schema

POSTGRES = os.environ.get("PLEDGE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
DECLARATION = Path(__file__).resolve().parents[1] / "examples" / "demo" / "pledge.yaml"
AS_OF = datetime(2026, 11, 1)
SEED = 1
GOAL = 1.5  # times the floor
SAMPLE = 100_000  # customers whose rows are counted to find a typical one
HASH_KEY = b"pledge bench"

Admin = psycopg.Connection[Any]
Engines = dict[str, Engine]


def note(message: str) -> None:
    """Progress, on stderr: stdout carries only the table."""
    print(f"# {message}", file=sys.stderr, flush=True)


# -- the company database ---------------------------------------------------------------------


@dataclass(frozen=True)
class Company:
    """The bench's shop and CRM: two schemas of one PostgreSQL database."""

    shop_schema: str
    crm_schema: str
    customers: int
    generated_seconds: float | None  # None: reused from an earlier run

    @property
    def schemas(self) -> dict[str, str]:
        return {"shop": self.shop_schema, "crm": self.crm_schema}


def schema_url(schema: str) -> str:
    url = make_url(POSTGRES).set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def admin_url() -> str:
    return make_url(POSTGRES).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def company(admin: Admin, customers: int, keep: bool) -> Iterator[Company]:
    """The demo company at this scale: a kept one when it is complete, else a new one."""
    suffix = str(customers) if keep else uuid.uuid4().hex[:12]
    shop, crm = f"pledge_bench_shop_{suffix}", f"pledge_bench_crm_{suffix}"
    marker = f"pledge bench: {customers} customers, seed {SEED}, complete"
    reuse = keep and all(schema_comment(admin, s) == marker for s in (shop, crm))
    seconds = None
    if not reuse:
        drop_schemas(admin, shop, crm)
        seconds = generate(admin, shop, crm, customers, marker)
    try:
        yield Company(shop, crm, customers, seconds)
    finally:
        if not keep:
            drop_schemas(admin, shop, crm)


def schema_comment(admin: Admin, schema: str) -> str | None:
    row = admin.execute(
        "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s",
        (schema,),
    ).fetchone()
    return None if row is None else row[0]


def drop_schemas(admin: Admin, *schemas: str) -> None:
    for schema in schemas:
        admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def generate(admin: Admin, shop: str, crm: str, customers: int, marker: str) -> float:
    """Fills both schemas; marks them complete only once every row and key is in."""
    for schema in (shop, crm):
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    note(f"generating {customers:,} customers into {shop} and {crm}")
    began = perf_counter()
    every = max(customers // 10, 1)

    def progress(written: int) -> None:
        if written % every < 2_000 or written == customers:
            note(f"  {written:,} customers written, {perf_counter() - began:.0f} s")

    shop_engine = create_source_engine(schema_url(shop))
    crm_engine = create_source_engine(schema_url(crm))
    try:
        create_demo(
            shop_engine, crm_engine, scale=customers, seed=SEED, as_of=AS_OF, progress=progress
        )
    finally:
        shop_engine.dispose()
        crm_engine.dispose()
    for schema in (shop, crm):
        vacuum(admin, schema)
        comment = sql.SQL("COMMENT ON SCHEMA {} IS {}")
        admin.execute(comment.format(sql.Identifier(schema), sql.Literal(marker)))
    return perf_counter() - began


def vacuum(admin: Admin, schema: str) -> None:
    # What autovacuum would soon do to freshly copied tables: statistics for the planner,
    # and a visibility map so that index-only scans need not visit the heap.
    for table in schema_tables(admin, schema):
        statement = sql.SQL("VACUUM (ANALYZE) {}.{}")
        admin.execute(statement.format(sql.Identifier(schema), sql.Identifier(table)))


def schema_tables(admin: Admin, schema: str) -> list[str]:
    rows = admin.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", (schema,)
    )
    return [table for (table,) in rows.fetchall()]


@contextmanager
def source_engines(bench: Company, pool: int | None = None) -> Iterator[Engines]:
    """The sources' engines as Pledge opens them, or with a pool of `pool` connections."""

    def engine(schema: str) -> Engine:
        if pool is None:
            return create_source_engine(schema_url(schema))
        url = schema_url(schema)
        return sa.create_engine(url, pool_size=pool, max_overflow=0, pool_pre_ping=True)

    engines = {name: engine(schema) for name, schema in bench.schemas.items()}
    try:
        yield engines
    finally:
        for opened in engines.values():
            opened.dispose()


# -- what the company holds -------------------------------------------------------------------


def environment(admin: Admin) -> str:
    def show(setting: str) -> str:
        row = admin.execute(sql.SQL("SHOW {}").format(sql.Identifier(setting))).fetchone()
        return str(row[0]).split()[0] if row else "?"

    return (
        f"{os.cpu_count()} CPUs, PostgreSQL {show('server_version')} (shared_buffers "
        f"{show('shared_buffers')}, jit {show('jit')}), Python {platform.python_version()}, "
        f"SQLAlchemy {sa.__version__}, psycopg {psycopg.__version__}"
    )


# Which rows lead to a customer; the other tables' rows all do (NOT NULL keys, or the
# customers themselves). Visitors' web sessions, unmatched callers, newsletter readers who
# never bought and the CRM's trade-fair leads do not.
LINKED_WHEN = {
    "shop.addresses": "EXISTS (SELECT 1 FROM {shop}.customer_addresses l"
    " WHERE l.address_id = t.id)",
    "shop.call_records": "t.customer_id IS NOT NULL",
    "shop.web_sessions": "t.customer_id IS NOT NULL",
    "shop.newsletter_contacts": "EXISTS (SELECT 1 FROM {shop}.customers c WHERE c.email = t.email)",
    "crm.contacts": "EXISTS (SELECT 1 FROM {shop}.customers c WHERE c.email = t.email)",
    "crm.interactions": "EXISTS (SELECT 1 FROM {crm}.contacts x JOIN {shop}.customers c"
    " ON c.email = x.email WHERE x.id = t.contact_id)",
}


@dataclass(frozen=True)
class TableRows:
    name: str  # source.table
    rows: int
    linked: int  # rows that lead to a customer


def table_rows(admin: Admin, bench: Company) -> list[TableRows]:
    """Exact counts, of all rows and of those linked to a customer, for every table."""
    names = {source: sql.Identifier(schema) for source, schema in bench.schemas.items()}
    counted = []
    for source, schema in bench.schemas.items():
        for table in schema_tables(admin, schema):
            name = f"{source}.{table}"
            linked = sql.SQL(LINKED_WHEN.get(name, "true")).format(**names)
            statement = sql.SQL("SELECT count(*), count(*) FILTER (WHERE {}) FROM {}.{} t")
            query = statement.format(linked, names[source], sql.Identifier(table))
            row = admin.execute(query).fetchone()
            assert row is not None  # an aggregate always returns its row
            counted.append(TableRows(name, int(row[0]), int(row[1])))
    return counted


FOREIGN_KEYS = """
SELECT n.nspname, t.relname, con.conname,
       ARRAY(SELECT a.attname::text
             FROM unnest(con.conkey) WITH ORDINALITY AS k(num, position)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
             ORDER BY k.position) AS columns,
       EXISTS (SELECT 1 FROM pg_index i
               WHERE i.indrelid = con.conrelid
                 AND array_to_string((i.indkey::int2[])[0:cardinality(con.conkey) - 1], ',')
                     = array_to_string(con.conkey, ',')) AS indexed
FROM pg_constraint con
JOIN pg_class t ON t.oid = con.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE con.contype = 'f' AND n.nspname = ANY(%s)
ORDER BY 1, 2, 3
"""


@dataclass(frozen=True)
class KeyIndexes:
    foreign_keys: int
    added: tuple[str, ...]  # `table(columns)` of the foreign keys no index led with


def index_foreign_keys(admin: Admin, bench: Company) -> KeyIndexes:
    """Checks that an index leads with every foreign key's columns; adds those missing."""
    keys = admin.execute(FOREIGN_KEYS, (list(bench.schemas.values()),)).fetchall()
    added = []
    for schema, table, _name, columns, indexed in keys:
        if indexed:
            continue
        statement = sql.SQL("CREATE INDEX ON {}.{} ({})").format(
            sql.Identifier(schema),
            sql.Identifier(table),
            sql.SQL(", ").join(map(sql.Identifier, columns)),
        )
        admin.execute(statement)
        added.append(f"{table}({', '.join(columns)})")
    return KeyIndexes(len(keys), tuple(added))


# -- choosing subjects ------------------------------------------------------------------------

# Each customer's own rows, table by table, the way the demo links them; `total` adds them up.
SHAPE = {
    "orders": "SELECT count(*) FROM {shop}.orders o WHERE o.customer_id = s.id",
    "order_lines": "SELECT count(*) FROM {shop}.order_lines l JOIN {shop}.orders o "
    "ON o.id = l.order_id WHERE o.customer_id = s.id",
    "payments": "SELECT count(*) FROM {shop}.payments p WHERE p.payer_customer_id = s.id",
    "paid_by_others": "SELECT count(*) FROM {shop}.payments p JOIN {shop}.orders o "
    "ON o.id = p.order_id WHERE o.customer_id = s.id AND p.payer_customer_id <> s.id",
    "invoices": "SELECT count(*) FROM {shop}.invoices i WHERE i.customer_id = s.id",
    "addresses": "SELECT count(*) FROM {shop}.customer_addresses a WHERE a.customer_id = s.id",
    "shared_addresses": "SELECT count(*) FROM {shop}.customer_addresses a "
    "JOIN {shop}.customer_addresses b ON b.address_id = a.address_id "
    "AND b.customer_id <> a.customer_id WHERE a.customer_id = s.id",
    "support_tickets": "SELECT count(*) FROM {shop}.support_tickets x WHERE x.customer_id = s.id",
    "call_records": "SELECT count(*) FROM {shop}.call_records x WHERE x.customer_id = s.id",
    "web_sessions": "SELECT count(*) FROM {shop}.web_sessions x WHERE x.customer_id = s.id",
    "newsletter": "SELECT count(*) FROM {shop}.newsletter_contacts x WHERE x.email = s.email",
    "contacts": "SELECT count(*) FROM {crm}.contacts x WHERE x.email = s.email",
    "interactions": "SELECT count(*) FROM {crm}.interactions i JOIN {crm}.contacts x "
    "ON x.id = i.contact_id WHERE x.email = s.email",
}
OWN_ROWS = (  # a customer row, and addresses count twice: the link row and the address
    "1 + orders + order_lines + payments + invoices + 2 * addresses + support_tickets"
    " + call_records + web_sessions + newsletter + contacts + interactions"
)

TYPICAL = """
WITH sample AS (
  SELECT id, email FROM {shop}.customers
  WHERE id > {first} AND id % {every} = 0 AND email NOT LIKE 'erased-%'
), shapes AS (
  SELECT s.id, s.email, {counts} FROM sample s
), totals AS (
  SELECT *, {own_rows} AS total FROM shapes
), typical AS (
  SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY total) AS total FROM totals
), shape AS (
  SELECT {columns}, count(*) AS customers FROM totals
  WHERE total = (SELECT total FROM typical)
  GROUP BY {columns} ORDER BY count(*) DESC, {columns} LIMIT 1
)
SELECT t.id, t.email, t.total, shape.customers, (SELECT count(*) FROM totals), {shape_columns}
FROM totals t JOIN shape USING ({columns})
ORDER BY t.id
"""


@dataclass(frozen=True)
class Typical:
    """Customers with the median number of own rows, all with the commonest such shape."""

    own_rows: int
    sampled: int
    alike: int  # sampled customers with this very shape
    shape: Mapping[str, int]
    customers: tuple[tuple[int, str], ...]  # (id, email), in id order


def typical_customers(admin: Admin, bench: Company) -> Typical:
    """Measured on a sample spread over the ids, skipping customers erased by earlier runs."""
    names = {"shop": sql.Identifier(bench.shop_schema), "crm": sql.Identifier(bench.crm_schema)}
    counts = sql.SQL(", ").join(
        sql.SQL("({}) AS {}").format(sql.SQL(query).format(**names), sql.Identifier(name))
        for name, query in SHAPE.items()
    )
    columns = sql.SQL(", ").join(map(sql.Identifier, SHAPE))
    statement = sql.SQL(TYPICAL).format(  # run without parameters: % is literal
        shop=names["shop"],
        first=sql.Literal(MIN_SCALE),
        every=sql.Literal(max(bench.customers // SAMPLE, 1)),
        counts=counts,
        own_rows=sql.SQL(OWN_ROWS),
        columns=columns,
        shape_columns=sql.SQL(", ").join(sql.SQL("t.") + sql.Identifier(c) for c in SHAPE),
    )
    rows = admin.execute(statement).fetchall()
    first = rows[0]
    shape = dict(zip(SHAPE, first[5:], strict=True))
    return Typical(first[2], first[4], first[3], shape, tuple((r[0], r[1]) for r in rows))


def random_customers(admin: Admin, bench: Company, count: int) -> list[str]:
    """`count` customers drawn with a fixed seed, none of them erased by an earlier run."""
    drawn = random.Random(SEED).sample(range(MIN_SCALE + 1, bench.customers + 1), 3 * count)
    statement = sql.SQL(
        "SELECT email FROM {}.customers WHERE id = ANY(%s) AND email NOT LIKE 'erased-%%'"
        " ORDER BY array_position(%s, id) LIMIT %s"
    ).format(sql.Identifier(bench.shop_schema))
    rows = admin.execute(statement, (drawn, drawn, count)).fetchall()
    return [email for (email,) in rows]


# -- access for one subject: the plan against the floor ---------------------------------------

# The floor: what a developer who knows this schema would write to read one customer's rows,
# every statement on an index. The customer's id comes from the first statement, as a
# hand-written export would get it; the sharing flags are those the plan reports too.
FLOOR_CUSTOMER = (
    "SELECT id, email, full_name, phone, birth_date, created_at FROM customers"
    " WHERE email = %(email)s"
)
FLOOR_SHOP = {
    "newsletter_contacts": "SELECT id, email, subscribed_at, unsubscribed_at"
    " FROM newsletter_contacts WHERE email = %(email)s",
    "customer_addresses": "SELECT customer_id, address_id FROM customer_addresses"
    " WHERE customer_id = %(id)s",
    "addresses": "SELECT a.id, a.line1, a.line2, a.city, a.postcode, a.country,"
    " EXISTS (SELECT 1 FROM customer_addresses o"
    "         WHERE o.address_id = a.id AND o.customer_id <> %(id)s)"
    " OR EXISTS (SELECT 1 FROM orders o WHERE o.address_id = a.id AND o.customer_id <> %(id)s)"
    " FROM addresses a WHERE a.id IN ("
    "   SELECT address_id FROM customer_addresses WHERE customer_id = %(id)s"
    "   UNION SELECT address_id FROM orders WHERE customer_id = %(id)s)",
    "orders": "SELECT id, placed_at, status FROM orders WHERE customer_id = %(id)s",
    "order_lines": "SELECT l.order_id, l.line_no, l.product, l.quantity"
    " FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.customer_id = %(id)s",
    "payments": "SELECT p.id, p.card_last4, p.card_brand, p.amount, p.paid_at,"
    " p.payer_customer_id <> %(id)s"
    " FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.customer_id = %(id)s"
    " UNION SELECT p.id, p.card_last4, p.card_brand, p.amount, p.paid_at,"
    " o.customer_id <> %(id)s"
    " FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.payer_customer_id = %(id)s",
    "invoices": "SELECT id, billed_name, billed_address, amount FROM invoices"
    " WHERE customer_id = %(id)s",
    "support_tickets": "SELECT id, subject, body FROM support_tickets WHERE customer_id = %(id)s",
    "call_records": "SELECT id, phone_number, started_at, duration_s, recording_url"
    " FROM call_records WHERE customer_id = %(id)s",
    "web_sessions": "SELECT id, ip, user_agent, started_at FROM web_sessions"
    " WHERE customer_id = %(id)s",
}
FLOOR_CRM = {
    "contacts": "SELECT id, email, company, notes FROM contacts WHERE email = %(email)s",
    "interactions": "SELECT i.id, i.kind, i.summary, i.happened_at"
    " FROM interactions i JOIN contacts c ON c.id = i.contact_id WHERE c.email = %(email)s",
}


def floor_statements(
    customer_id: int, email: str
) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(source, table, statement, parameters), in the order the floor runs them."""
    by_id = {"id": customer_id, "email": email}
    yield "shop", "customers", FLOOR_CUSTOMER, {"email": email}
    for table, statement in FLOOR_SHOP.items():
        yield "shop", table, statement, by_id
    for table, statement in FLOOR_CRM.items():
        yield "crm", table, statement, {"email": email}


def floor_access(engines: Engines, email: str) -> dict[str, int]:
    """Runs the floor for one customer, a read-only transaction per source as Pledge does;
    returns the rows it read per `source.table`."""
    counts: dict[str, int] = {}
    with read_only(engines["shop"]) as shop:
        customer = shop.exec_driver_sql(FLOOR_CUSTOMER, {"email": email}).all()
        counts["shop.customers"] = len(customer)
        by_id = {"id": customer[0][0], "email": email}
        for table, statement in FLOOR_SHOP.items():
            counts[f"shop.{table}"] = len(shop.exec_driver_sql(statement, by_id).all())
    with read_only(engines["crm"]) as crm:
        for table, statement in FLOOR_CRM.items():
            counts[f"crm.{table}"] = len(crm.exec_driver_sql(statement, {"email": email}).all())
    return counts


def access_rows(result: AccessResult) -> dict[str, int]:
    """Rows read per `source.table`, the subject's own and shared ones together."""
    return {name: own + shared for name, (own, shared) in result.counts().items()}


def medians_side_by_side(runs: Sequence[Callable[[], object]], repeats: int) -> list[float]:
    """For each run, the median of `repeats` timed runs after one untimed warm-up; the runs
    take turns, so that a load that comes and goes on the machine weighs on each alike."""
    for run in runs:
        run()
    samples: list[list[float]] = [[] for _ in runs]
    for _ in range(repeats):
        for run, taken in zip(runs, samples, strict=True):
            began = perf_counter()
            run()
            taken.append(perf_counter() - began)
    return [statistics.median(taken) for taken in samples]


@dataclass(frozen=True)
class SubjectAccess:
    customer_id: int
    rows: int
    build_plan: float  # seconds
    pledge: float
    floor: float
    same_rows: bool  # the floor read as many rows from each table as the plan


@dataclass(frozen=True)
class Explained:
    """EXPLAIN (ANALYZE, BUFFERS) of one statement, in short."""

    milliseconds: float  # planning and execution
    jit: float  # milliseconds of it spent compiling
    seq_scans: tuple[tuple[str, int], ...]  # relation, rows it read
    blocks: int  # shared buffers hit or read


@dataclass(frozen=True)
class AccessMeasure:
    subjects: tuple[SubjectAccess, ...]
    explained: tuple[tuple[str, Explained, Explained], ...]  # table, plan, floor

    @property
    def pledge(self) -> float:
        return statistics.median(s.pledge for s in self.subjects)

    @property
    def floor(self) -> float:
        return statistics.median(s.floor for s in self.subjects)


class Subjects:
    """Plans for customers by email, built from the declaration and the reflected schemas."""

    def __init__(self, declaration: Declaration, engines: Engines) -> None:
        self.declaration = declaration
        self.schemas: dict[str, SchemaInfo] = {n: reflect_schema(e) for n, e in engines.items()}

    def plan(self, email: str) -> Plan:
        return build_plan(self.declaration, self.schemas, {"email": email})


def measure_subject(
    subjects: Subjects, engines: Engines, customer: tuple[int, str], repeats: int
) -> SubjectAccess:
    customer_id, email = customer
    began = perf_counter()
    plan = subjects.plan(email)
    built = perf_counter() - began
    rows = access_rows(execute_access(plan, engines))
    pledge, floor = medians_side_by_side(
        [lambda: execute_access(plan, engines), lambda: floor_access(engines, email)], repeats
    )
    same = floor_access(engines, email) == rows
    return SubjectAccess(customer_id, sum(rows.values()), built, pledge, floor, same)


def measure_access(
    subjects: Subjects, engines: Engines, customers: Sequence[tuple[int, str]], repeats: int
) -> AccessMeasure:
    measured = []
    for customer in customers:
        note(f"access: customer {customer[0]}")
        measured.append(measure_subject(subjects, engines, customer, repeats))
    measure = AccessMeasure(tuple(measured), ())
    if measure.pledge <= GOAL * measure.floor:
        return measure
    note("access: explaining every statement, the goal was missed")
    explained = explain_access(subjects, engines, customers[0])
    return AccessMeasure(measure.subjects, explained)


# -- where the time goes ----------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One statement sent through an engine: when it was sent and when its answer was in.
    Statements sent together in a pipeline overlap: each is answered when all are."""

    engine: Engine
    statement: str
    params: Any
    began: float
    ended: float

    @property
    def kind(self) -> str:
        """reflection (catalog reads), select, update, delete, ... or other."""
        if "pg_catalog" in self.statement:
            return "reflection"
        words = self.statement.split(maxsplit=1)
        return words[0].lower() if words else "other"


@contextmanager
def capturing(engines: Engines) -> Iterator[list[Sent]]:
    """Every statement sent through the engines while inside."""
    sent: list[Sent] = []

    def before(conn: sa.Connection, *_: Any) -> None:
        # In the order sent: a pipeline tells of its statements' answers in that order too.
        conn.info.setdefault("bench_began", []).append(perf_counter())

    def after(conn: sa.Connection, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        began = conn.info["bench_began"].pop(0)
        sent.append(Sent(conn.engine, statement, params, began, perf_counter()))

    for engine in engines.values():
        sa.event.listen(engine, "before_cursor_execute", before)
        sa.event.listen(engine, "after_cursor_execute", after)
    try:
        yield sent
    finally:
        for engine in engines.values():
            sa.event.remove(engine, "before_cursor_execute", before)
            sa.event.remove(engine, "after_cursor_execute", after)


def explain(engine: Engine, statement: str, params: Any) -> Explained:
    with read_only(engine) as connection:
        query = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement
        document = connection.exec_driver_sql(query, params).scalar_one()[0]
    top = document["Plan"]
    milliseconds = document["Planning Time"] + document["Execution Time"]
    jit = document.get("JIT", {}).get("Timing", {}).get("Total", 0.0)
    if isinstance(jit, dict):  # PostgreSQL 17 splits the total into parts
        jit = jit.get("Total", 0.0)
    blocks = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
    return Explained(milliseconds, float(jit), tuple(seq_scans(top)), int(blocks))


def seq_scans(node: Mapping[str, Any]) -> Iterator[tuple[str, int]]:
    """The sequential scans under a plan node that ran, with the rows each read."""
    if node["Node Type"] == "Seq Scan" and node.get("Actual Loops", 0):
        read = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
        yield node["Relation Name"], int(read * node["Actual Loops"])
    for child in node.get("Plans", ()):
        yield from seq_scans(child)


def explain_access(
    subjects: Subjects, engines: Engines, customer: tuple[int, str]
) -> tuple[tuple[str, Explained, Explained], ...]:
    """Each statement of the plan and of the floor for one customer, side by side."""
    customer_id, email = customer
    plan = subjects.plan(email)
    with capturing(engines) as sent:
        result = execute_access(plan, engines)
    steps = [f"{s}.{step.table}" for _, s in result.runs for step in plan.source(s).steps]
    selects = [one for one in sent if one.kind == "select"]
    plan_side = {
        table: explain(one.engine, one.statement, one.params)
        for table, one in zip(steps, selects, strict=True)
    }
    floor_side = {
        f"{source}.{table}": explain(engines[source], statement, params)
        for source, table, statement, params in floor_statements(customer_id, email)
    }
    return tuple((t, plan_side[t], floor_side[t]) for t in plan_side if t in floor_side)


# -- erasure for one subject: erase_source against the floor ----------------------------------


@dataclass(frozen=True)
class TableChange:
    """What an erasure did to one table's rows of a subject."""

    source: str
    table: str
    key: tuple[str, ...]
    deleted: int
    updated: int
    columns: tuple[str, ...]  # the columns the updates changed
    before: Mapping[str, Any]  # one updated row before and after: the floor writes the same
    after: Mapping[str, Any]


def key_of(row: Mapping[str, Any], key: Sequence[str]) -> tuple[Any, ...]:
    return tuple(row[k] for k in key)


def bare(keys: Sequence[tuple[Any, ...]]) -> Sequence[Any]:
    """Keys as `in_` takes them: tuples for a composite key, values for a single column."""
    return keys if keys and len(keys[0]) > 1 else [k[0] for k in keys]


def by_keys(table: str, columns: Sequence[str], key: Sequence[str], keys: Sequence[Any]) -> Any:
    """A SELECT of `columns` from the rows whose primary key is among `keys`."""
    selected = sa.table(table, *(sa.column(c) for c in dict.fromkeys((*key, *columns))))
    where = in_([selected.c[k] for k in key], bare(keys))
    return sa.select(*(selected.c[c] for c in columns)).where(where)


def observe(before: AccessResult, engines: Engines) -> tuple[TableChange, ...]:
    """Compares the subject's own rows now with what an access read before an erasure."""
    changes = []
    for table in before.tables:
        if not table.rows or not table.key:
            continue
        columns = list(table.columns)
        keys = [key_of(row, table.key) for row in table.rows]
        with engines[table.source].connect() as connection:
            found = connection.execute(by_keys(table.table, columns, table.key, keys))
            now = {key_of(row, table.key): row for row in map(dict, found.mappings())}
        changed = [(row, now[k]) for row, k in zip(table.rows, keys, strict=True) if k in now]
        changed = [(old, new) for old, new in changed if old != new]
        names = tuple(c for c in columns if any(old[c] != new[c] for old, new in changed))
        model_before, model_after = changed[0] if changed else ({}, {})
        changes.append(
            TableChange(
                table.source,
                table.table,
                table.key,
                len(keys) - len(now),
                len(changed),
                names,
                model_before,
                model_after,
            )
        )
    return tuple(changes)


def pledge_erase(
    plan: Plan,
    result: AccessResult,
    engines: Engines,
    declaration: Declaration,
    schemas: Mapping[str, SchemaInfo],
) -> list[Sent]:
    """erase_source for every source the access read, one after another; what they sent.

    Given the schemas read once, as the server's jobs are (pledge.services keeps them a
    minute): reading them again per erasure is a hundred catalogue queries per source.
    """
    with capturing(engines) as sent:
        for source in plan.sources:
            if source.name in result.params:
                erase_source(
                    plan,
                    source.name,
                    engines[source.name],
                    result.params[source.name],
                    declaration,
                    today=AS_OF.date(),
                    hash_key=HASH_KEY,
                    schema=schemas[source.name],
                )
    return sent


def floor_value(
    change: TableChange, column: str, row: Mapping[str, Any], placeholder: str | None
) -> Any:
    """What the floor writes into `column` of `row`: what the erasure wrote into its model
    row, or its declared placeholder filled with this row's values when that is what it was."""
    written = change.after[column]
    if written is None or placeholder is None:
        return written
    try:
        if placeholder.format_map(change.before) == written:
            return placeholder.format_map(row)
    except (KeyError, IndexError, ValueError):
        pass
    return written


def deletion_order(schema: SchemaInfo, tables: Sequence[str]) -> list[str]:
    """The tables, each before the tables its rows refer to: children go first."""
    referred_by: dict[str, set[str]] = {t: set() for t in tables}
    for table in tables:
        for key in schema.tables[table].foreign_keys:
            if key.referred_table in referred_by and key.referred_table != table:
                referred_by[key.referred_table].add(table)
    return list(graphlib.TopologicalSorter(referred_by).static_order())


def floor_erase(
    changes: Sequence[TableChange], subject: AccessResult, engines: Engines, subjects: Subjects
) -> tuple[float, float]:
    """Seconds for the bare statements that find another subject's rows and make `changes`
    to them, and of those the seconds spent writing. One transaction per source: first the
    access floor's SELECTs of that source (an erasure must find the person's rows in the
    transaction that changes them), then by primary key the updates, then the deletes,
    children first."""
    began, writing = perf_counter(), 0.0
    customer = subject.table("shop", "customers").rows[0]
    finding = list(floor_statements(customer["id"], customer["email"]))
    # Every source is looked in, as Pledge's erasure does, whether or not it holds rows.
    for source in dict.fromkeys([*(f[0] for f in finding), *(c.source for c in changes)]):
        mine = {c.table: c for c in changes if c.source == source and (c.deleted or c.updated)}
        order = deletion_order(subjects.schemas[source], list(mine))
        with engines[source].begin() as connection:
            for where, _, statement, params in finding:
                if where == source:
                    connection.exec_driver_sql(statement, params).all()
            started = perf_counter()
            for change in mine.values():
                floor_update(connection, change, subject, subjects.declaration)
            for table in order:
                floor_delete(connection, mine[table], subject)
            writing += perf_counter() - started
    return perf_counter() - began, writing


def subject_rows(change: TableChange, subject: AccessResult) -> list[Mapping[str, Any]]:
    rows = subject.table(change.source, change.table).rows
    return sorted(rows, key=lambda row: key_of(row, change.key))


def floor_update(
    connection: sa.Connection, change: TableChange, subject: AccessResult, declaration: Declaration
) -> None:
    rows = subject_rows(change, subject)[change.deleted : change.deleted + change.updated]
    if not rows:
        return
    specs = declaration.sources[change.source].tables[change.table].columns
    table = sa.table(change.table, *(sa.column(c) for c in (*change.key, *change.columns)))
    statement = (
        sa.update(table)
        .where(*(table.c[k] == sa.bindparam(f"key_{k}") for k in change.key))
        .values({c: sa.bindparam(f"new_{c}") for c in change.columns})
    )
    values = [
        {f"key_{k}": row[k] for k in change.key}
        | {f"new_{c}": floor_value(change, c, row, specs[c].placeholder) for c in change.columns}
        for row in rows
    ]
    connection.execute(statement, values)


def floor_delete(connection: sa.Connection, change: TableChange, subject: AccessResult) -> None:
    rows = subject_rows(change, subject)[: change.deleted]
    if not rows:
        return
    table = sa.table(change.table, *(sa.column(c) for c in change.key))
    keys = [key_of(row, change.key) for row in rows]
    columns = [table.c[k] for k in change.key]
    connection.execute(sa.delete(table).where(in_(columns, bare(keys))))


@dataclass(frozen=True)
class ErasureMeasure:
    pledge: tuple[float, ...]  # seconds, one per repeat
    floor: tuple[float, ...]  # finding the rows and writing them
    writes: tuple[float, ...]  # of the floor: the writes by key alone
    changes: tuple[TableChange, ...]  # what the first Pledge erasure did
    same_changes: bool  # every floor deleted and updated as many rows, table by table
    database: Waits  # the statements of the median run


class FreshSubjects:
    """Customers with the typical shape, each used once: an erased subject is spent."""

    def __init__(
        self,
        subjects: Subjects,
        engines: Engines,
        customers: Sequence[tuple[int, str]],
        rows: Mapping[str, int],
    ) -> None:
        self.subjects = subjects
        self.engines = engines
        self.waiting = iter(customers)
        self.rows = rows

    def take(self) -> tuple[Plan, AccessResult] | None:
        """The next customer whose access reads exactly the reference rows, with what it
        read; None when none is left."""
        for _, email in self.waiting:
            plan = self.subjects.plan(email)
            result = execute_access(plan, self.engines)
            if access_rows(result) == self.rows:
                return plan, result
        return None


def measure_erasure(
    subjects: Subjects, engines: Engines, fresh: FreshSubjects, repeats: int
) -> ErasureMeasure:
    """Pledge erases one fresh subject, the floor makes the same changes to another."""
    pledge: list[float] = []
    floor: list[float] = []
    writes: list[float] = []
    sent: list[list[Sent]] = []
    first: tuple[TableChange, ...] = ()
    same = True
    for repeat in range(repeats):
        note(f"erasure: repeat {repeat + 1} of {repeats}")
        erased, floored = fresh.take(), fresh.take()
        if erased is None or floored is None:
            note("erasure: no two fresh customers of the typical shape are left; stopping")
            break
        (plan, result), other = erased, floored[1]
        began = perf_counter()
        sent.append(pledge_erase(plan, result, engines, subjects.declaration, subjects.schemas))
        pledge.append(perf_counter() - began)
        changes = observe(result, engines)
        first = first or changes
        whole, writing = floor_erase(changes, other, engines, subjects)
        floor.append(whole)
        writes.append(writing)
        same = same and counts(observe(other, engines)) == counts(changes)
    middle = sent[pledge.index(statistics.median_low(pledge))] if pledge else []
    return ErasureMeasure(tuple(pledge), tuple(floor), tuple(writes), first, same, waits(middle))


def counts(changes: Sequence[TableChange]) -> list[tuple[str, str, int, int]]:
    return [(c.source, c.table, c.deleted, c.updated) for c in changes if c.deleted or c.updated]


@dataclass(frozen=True)
class Waits:
    """The statements of one run, by kind, and the round trips they took."""

    kinds: Mapping[str, int]  # select, update, delete, reflection...: how many
    round_trips: int  # statements sent together count once
    seconds: float  # waiting for the database, round trips end to end


def waits(sent: Sequence[Sent]) -> Waits:
    kinds: dict[str, int] = {}
    for one in sent:
        kinds[one.kind] = kinds.get(one.kind, 0) + 1
    trips: list[list[float]] = []
    for one in sorted(sent, key=lambda s: s.began):
        if trips and one.began < trips[-1][1]:  # sent before the last answer came: together
            trips[-1][1] = max(trips[-1][1], one.ended)
        else:
            trips.append([one.began, one.ended])
    return Waits(kinds, len(trips), sum(end - start for start, end in trips))


# -- many subjects: throughput ----------------------------------------------------------------


@dataclass(frozen=True)
class Throughput:
    threads: int
    seconds: float  # wall clock for all the requests
    latencies: tuple[float, ...]  # seconds, one per request

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.latencies, n=20, method="inclusive")[18]


def run_requests(plans: Sequence[Plan], engines: Engines, threads: int) -> Throughput:
    """Every plan's access once, from `threads` threads sharing the engines."""

    def one(plan: Plan) -> float:
        began = perf_counter()
        execute_access(plan, engines)
        return perf_counter() - began

    note(f"throughput: {len(plans)} requests on {threads} thread(s)")
    began = perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        latencies = tuple(pool.map(one, plans))
    return Throughput(threads, perf_counter() - began, latencies)


# -- the table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    command: str
    environment: str
    started: str
    load: float  # the 1-minute load average at the start: other work on the machine
    company: Company
    rows: Sequence[TableRows]
    indexes: KeyIndexes
    typical: Typical
    access: AccessMeasure
    erasure: ErasureMeasure
    repeats: int
    throughput: Sequence[Throughput]
    pool: int


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def ratio(pledge: float, floor: float) -> str:
    return f"{pledge / floor:,.1f}x" if floor else "-"


def verdict(pledge: float, floor: float) -> str:
    return "met" if pledge <= GOAL * floor else "MISSED"


def render_header(report: Report) -> list[str]:
    bench = report.company
    made = (
        "reused from an earlier --keep run"
        if bench.generated_seconds is None
        else f"generated in {bench.generated_seconds:,.0f} s"
    )
    return [
        "Pledge: data-subject requests at scale, on PostgreSQL",
        f"reproduce    {report.command}",
        f"environment  {report.environment}",
        f"machine      started {report.started}, when the load average (1 min) was"
        f" {report.load:.1f} on {os.cpu_count()} CPUs",
        f"company      {bench.customers:,} customers (demo, seed {SEED}), schemas "
        f"{bench.shop_schema} and {bench.crm_schema}, {made}",
    ]


def render_rows(report: Report) -> list[str]:
    rows, linked = sum(t.rows for t in report.rows), sum(t.linked for t in report.rows)
    lines = ["", f"{'table':<28}{'rows':>12}{'linked':>12}  (linked: rows that lead to a customer)"]
    lines += [f"  {t.name:<26}{t.rows:>12,}{t.linked:>12,}" for t in report.rows]
    goal = "met" if linked >= 10_000_000 else "NOT met"
    lines.append(
        f"  {'all ' + str(len(report.rows)) + ' tables':<26}{rows:>12,}{linked:>12,}"
        f"  goal >= 10,000,000 linked rows: {goal}"
    )
    indexes = report.indexes
    if indexes.added:
        lines.append(
            f"indexes      {len(indexes.added)} of {indexes.foreign_keys} foreign keys had no"
            f" index: the bench added {', '.join(indexes.added)}"
        )
    else:
        lines.append(
            f"indexes      each of the {indexes.foreign_keys} foreign keys has an index led by its"
            " columns (none added)"
        )
    return lines


def render_typical(typical: Typical) -> list[str]:
    shape = ", ".join(f"{name} {count}" for name, count in typical.shape.items())
    return [
        f"subjects     typical: {typical.own_rows} own rows, the median of {typical.sampled:,}"
        f" sampled customers; {typical.alike:,} of them have exactly this shape:",
        f"             {shape}",
    ]


def render_measures(report: Report) -> list[str]:
    access, erasure, repeats = report.access, report.erasure, report.repeats
    head = f"{'measure':<52}{'Pledge':>12}{'floor':>12}{'ratio':>10}  goal <= {GOAL}x"
    lines = ["", head]
    label = f"access, one subject (median of {repeats}, {len(access.subjects)} subjects)"
    lines.append(
        f"{label:<52}{ms(access.pledge):>12}{ms(access.floor):>12}"
        f"{ratio(access.pledge, access.floor):>10}  {verdict(access.pledge, access.floor)}"
    )
    label = f"erasure, one subject (median of {len(erasure.floor)})"
    if erasure.pledge:
        floor, pledge = statistics.median(erasure.floor), statistics.median(erasure.pledge)
        lines.append(
            f"{label:<52}{ms(pledge):>12}{ms(floor):>12}{ratio(pledge, floor):>10}"
            f"  {verdict(pledge, floor)}"
        )
    else:
        lines.append(f"{label:<52}  not measured: no two customers of the typical shape")
    lines += [
        "",
        f"{'requests (different subjects)':<44}{'threads':>8}{'pool':>6}{'seconds':>9}"
        f"{'req/s':>8}{'p50':>12}{'p95':>12}",
    ]
    for run in report.throughput:
        how = "one at a time" if run.threads == 1 else "concurrently"
        label = f"{len(run.latencies)} access requests, {how}"
        lines.append(
            f"{label:<44}{run.threads:>8}{report.pool:>6}{run.seconds:>9.1f}{run.rate:>8.2f}"
            f"{ms(run.p50):>12}{ms(run.p95):>12}"
        )
    lines.append("  pool: connections per source engine, shared by the threads (max_overflow 0)")
    return lines


def render_access(access: AccessMeasure) -> list[str]:
    lines = [
        "",
        "access per subject: median of the repeats; 'same rows': the floor read as many rows"
        " from each table as the plan",
        f"  {'customer':>10}{'rows':>6}{'build_plan':>12}{'Pledge':>12}{'floor':>12}{'ratio':>10}"
        "  same rows",
    ]
    for s in access.subjects:
        lines.append(
            f"  {s.customer_id:>10}{s.rows:>6}{ms(s.build_plan):>12}{ms(s.pledge):>12}"
            f"{ms(s.floor):>12}{ratio(s.pledge, s.floor):>10}  {'yes' if s.same_rows else 'NO'}"
        )
    if access.explained:
        lines += render_explained(access)
    return lines


def scans(found: Sequence[tuple[str, int]]) -> str:
    """Rows read by sequential scans, summed per table."""
    read: dict[str, int] = {}
    for name, rows in found:
        read[name] = read.get(name, 0) + rows
    return ", ".join(f"{name} {rows:,}" for name, rows in read.items()) or "none"


def render_explained(access: AccessMeasure) -> list[str]:
    lines = [
        "",
        f"where the time goes: EXPLAIN (ANALYZE, BUFFERS) of each statement, customer "
        f"{access.subjects[0].customer_id}",
        f"  {'table':<26}{'Pledge':>12}{'JIT':>12}{'blocks':>9}{'floor':>10}"
        "  sequential scans in Pledge's statement (rows read)",
    ]
    for table, pledge, floor in access.explained:
        lines.append(
            f"  {table:<26}{pledge.milliseconds:>9.1f} ms{pledge.jit:>9.1f} ms"
            f"{pledge.blocks:>9,}{floor.milliseconds:>7.1f} ms  {scans(pledge.seq_scans)}"
        )
    floor_scans = [scan for _, _, floor in access.explained for scan in floor.seq_scans]
    lines += [
        f"  the floor's statements: sequential scans: {scans(floor_scans)}",
        "  Pledge/floor: planning + execution in the server; JIT: compiling, summed over the"
        " parallel workers (so it may exceed the statement); blocks: shared buffers touched",
    ]
    return lines


def render_erasure(erasure: ErasureMeasure) -> list[str]:
    if not erasure.pledge:
        return []
    same = "yes" if erasure.same_changes else "NO"
    lines = [
        "",
        "erasure: what erase_source did to the first subject; the floor did the same to another"
        f" subject of the same shape (same rows deleted and updated each time: {same})",
    ]
    for change in erasure.changes:
        did = [f"deleted {change.deleted}"] if change.deleted else []
        if change.updated:
            did.append(f"updated {change.updated} ({', '.join(change.columns)})")
        if did:
            lines.append(f"  {change.source + '.' + change.table:<26}{'; '.join(did)}")
    lines.append(
        f"  per repeat: Pledge {', '.join(ms(s) for s in erasure.pledge)};"
        f" floor {', '.join(ms(s) for s in erasure.floor)}"
    )
    lines.append(
        "  the floor finds the rows with the access floor's SELECTs in its transaction, then"
        f" writes them by key; the writes alone: {', '.join(ms(s) for s in erasure.writes)}"
        f" (median {ms(statistics.median(erasure.writes)) if erasure.writes else '-'})"
    )
    database = erasure.database
    kinds = ", ".join(f"{kind} {number}" for kind, number in database.kinds.items())
    lines.append(
        f"  Pledge's statements in its median run: {sum(database.kinds.values())} ({kinds}) in"
        f" {database.round_trips} round trips, {ms(database.seconds)} waiting for the database"
    )
    return lines


def print_report(report: Report) -> None:
    lines = render_header(report) + render_rows(report) + render_typical(report.typical)
    lines += render_measures(report) + render_access(report.access)
    lines += render_erasure(report.erasure)
    lines += [
        "",
        "Timings are wall clock in the client, through SQLAlchemy and psycopg, on one machine",
        "with the database: `access` runs execute_access(plan, engines) after a warm-up run;",
        "the floor runs hand-written indexed statements the same way, in the same transactions.",
        "A request's latency runs from a thread starting it to its result: waiting for a free",
        "thread is not in it; the seconds column is the wall clock for all the requests.",
    ]
    print("\n".join(lines))


# -- the run ----------------------------------------------------------------------------------


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="default 1000000")
    parser.add_argument("--keep", action="store_true", help="keep the company; reuse a kept one")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per measure")
    parser.add_argument("--subjects", type=int, default=3, help="typical subjects for access")
    parser.add_argument("--requests", type=int, default=100, help="subjects for throughput")
    parser.add_argument("--threads", type=int, default=16, help="the pool for throughput")
    return parser.parse_args()


def command(given: argparse.Namespace) -> str:
    return (
        f".venv/bin/python bench/requests_at_scale.py --customers {given.customers}"
        f" --repeats {given.repeats} --subjects {given.subjects} --requests {given.requests}"
        f" --threads {given.threads}" + (" --keep" if given.keep else "")
    )


def main() -> None:
    given = options()
    started, load = datetime.now().strftime("%Y-%m-%d %H:%M"), os.getloadavg()[0]
    declaration = load_declaration(DECLARATION).declaration
    with (
        psycopg.connect(admin_url(), autocommit=True) as admin,
        company(admin, given.customers, given.keep) as bench,
    ):
        note("counting rows, checking indexes, choosing subjects")
        rows = table_rows(admin, bench)
        indexes = index_foreign_keys(admin, bench)
        typical = typical_customers(admin, bench)
        crowd = random_customers(admin, bench, given.requests)
        with source_engines(bench) as engines:
            subjects = Subjects(declaration, engines)
            chosen = typical.customers[: given.subjects]
            access = measure_access(subjects, engines, chosen, given.repeats)
            reference = access_rows(execute_access(subjects.plan(chosen[0][1]), engines))
            fresh = FreshSubjects(subjects, engines, typical.customers[given.subjects :], reference)
            erasure = measure_erasure(subjects, engines, fresh, given.repeats)
            plans = [subjects.plan(email) for email in crowd]
        with source_engines(bench, pool=given.threads) as pooled:
            throughput = [run_requests(plans, pooled, n) for n in (1, given.threads)]
        environment_line = environment(admin)
    print_report(
        Report(
            command(given),
            environment_line,
            started,
            load,
            bench,
            rows,
            indexes,
            typical,
            access,
            erasure,
            given.repeats,
            throughput,
            given.threads,
        )
    )


if __name__ == "__main__":
    main()
