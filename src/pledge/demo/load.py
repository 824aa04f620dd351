"""Creating the demo databases and filling them, fast enough for a million customers.

Rows go in with executemany in batches of `BATCH_ROWS` (COPY on PostgreSQL), one transaction
per table per chunk of customers: no commit per row, and no more than one chunk of customers'
rows in memory at a time. Indexes and foreign keys are built once the rows are in (SQLite keeps
its foreign keys in the table, where they are not checked while loading anyway).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from time import perf_counter
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import sql as psql
from sqlalchemy.engine import Engine
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateTable

from pledge.demo.generate import CHUNK, FIXED_PEOPLE, DemoGenerator
from pledge.demo.rows import TABLE_ORDER, Row
from pledge.demo.schema import CRM, SHOP
from pledge.errors import PledgeError

BATCH_ROWS = 1_000
MIN_SCALE = FIXED_PEOPLE


@dataclass
class TableLoad:
    """One table's rows and the time spent inserting them (generation excluded)."""

    source: str
    table: str
    rows: int = 0
    seconds: float = 0.0


@dataclass
class DemoReport:
    scale: int
    seed: int
    as_of: datetime
    tables: list[TableLoad] = field(default_factory=list)
    keys_seconds: float = 0.0  # indexes and foreign keys, added once the rows are in
    seconds: float = 0.0  # everything: creating tables, generating and inserting rows

    @property
    def rows(self) -> int:
        return sum(load.rows for load in self.tables)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def count(self, table: str) -> int:
        return next(load.rows for load in self.tables if load.table == table)


def create_demo(
    shop: Engine,
    crm: Engine,
    *,
    scale: int,
    seed: int,
    as_of: datetime,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> DemoReport:
    """Create Maple & Finch's shop and CRM databases and fill them with `scale` customers.

    Refuses a database that already holds tables unless `force`, which drops the demo's own
    tables (and only those) first. `progress` is told how many customers are written so far.
    """
    if scale < MIN_SCALE:
        raise PledgeError(
            f"the scale must be at least {MIN_SCALE} customers, not {scale}",
            f"the demo's named people alone are {MIN_SCALE}; try --scale 1000",
        )
    started = perf_counter()
    engines = {SHOP: shop, CRM: crm}
    # Both checked before either is created: the two may be one and the same database.
    for metadata, engine in engines.items():
        _refuse_if_not_empty(engine, "shop" if metadata is SHOP else "crm", force)
    for metadata, engine in engines.items():
        if force:
            metadata.drop_all(engine)
        _create_tables(engine, metadata)
    report = DemoReport(scale, seed, as_of)
    loads = {table: TableLoad(_source(table), table.name) for table in TABLE_ORDER}
    report.tables = list(loads.values())
    written = 0
    with shop.connect() as shop_connection, crm.connect() as crm_connection:
        connections = {SHOP: shop_connection, CRM: crm_connection}
        for batch in DemoGenerator(seed, as_of).batches(scale, CHUNK):
            for table, rows in batch:
                begun = perf_counter()
                connection = connections[table.metadata]
                with connection.begin():
                    _insert(connection, table, rows)
                loads[table].rows += len(rows)
                loads[table].seconds += perf_counter() - begun
            written = min(written + CHUNK, scale)
            if progress is not None:
                progress(written)
    begun = perf_counter()
    for metadata, engine in engines.items():
        _add_keys(engine, metadata)
        _advance_sequences(engine, metadata)
    report.keys_seconds = perf_counter() - begun
    report.seconds = perf_counter() - started
    return report


def _source(table: sa.Table) -> str:
    return "shop" if table.metadata is SHOP else "crm"


def _refuse_if_not_empty(engine: Engine, name: str, force: bool) -> None:
    existing = sa.inspect(engine).get_table_names()
    if existing and not force:
        shown = ", ".join(sorted(existing)[:5]) + (", ..." if len(existing) > 5 else "")
        raise PledgeError(
            f"the {name} database is not empty: it has {len(existing)} "
            f"table{'s' if len(existing) != 1 else ''} ({shown})",
            f"give an empty database with --{name}-url, or add --force to replace the demo's "
            "tables in it",
        )


def _create_tables(engine: Engine, metadata: sa.MetaData) -> None:
    # Indexes, and foreign keys where the engine can add them later (not SQLite), come after
    # the rows: building them once is several times faster than updating them row by row.
    keys_later: list[sa.ForeignKeyConstraint] | None = [] if _can_add_foreign_keys(engine) else None
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            connection.execute(CreateTable(table, include_foreign_key_constraints=keys_later))


def _add_keys(engine: Engine, metadata: sa.MetaData) -> None:
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            for index in sorted(table.indexes, key=lambda index: str(index.name)):
                connection.execute(CreateIndex(index))
        if not _can_add_foreign_keys(engine):
            return
        for table in metadata.sorted_tables:
            for key in sorted(table.foreign_key_constraints, key=lambda key: str(key.name)):
                # Not isolated: the shared table must still render it inline on SQLite.
                connection.execute(AddConstraint(key, isolate_from_table=False))


def _can_add_foreign_keys(engine: Engine) -> bool:
    return engine.dialect.name != "sqlite"  # SQLite has no ALTER TABLE ... ADD CONSTRAINT


def _advance_sequences(engine: Engine, metadata: sa.MetaData) -> None:
    # The ids were given explicitly; PostgreSQL's sequences do not see that and would hand
    # out taken ids to the next insert. SQLite and MariaDB move their counters by themselves.
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if "id" not in table.c or not table.c.id.primary_key:
                continue
            sequence = sa.func.pg_get_serial_sequence(table.name, "id")
            highest = sa.select(sa.func.max(table.c.id)).scalar_subquery()
            connection.execute(sa.select(sa.func.setval(sequence, highest)))


def _insert(connection: sa.Connection, table: sa.Table, rows: Sequence[Row]) -> None:
    driver = connection.connection.driver_connection
    if isinstance(driver, psycopg.Connection):
        _copy(driver, table, rows)
        return
    for part in _parts(rows, BATCH_ROWS):
        connection.execute(table.insert(), part)


def _copy(driver: psycopg.Connection[Any], table: sa.Table, rows: Sequence[Row]) -> None:
    # PostgreSQL takes rows through COPY about ten times faster than through executemany,
    # which is what lets the benchmarks fill millions of rows. Identifiers are quoted by
    # psycopg; values travel apart from the statement, as with bound parameters.
    names = [column.name for column in table.columns]
    statement = psql.SQL("COPY {} ({}) FROM STDIN").format(
        psql.Identifier(table.name), psql.SQL(", ").join(map(psql.Identifier, names))
    )
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] for name in names])


def _parts(rows: Sequence[Row], size: int) -> Iterator[list[Row]]:
    it = iter(rows)
    while part := list(islice(it, size)):
        yield part
