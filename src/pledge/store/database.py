"""Opening Pledge's own database: the engine, SQLite's settings, migrations, sessions.

SQLite is the embedded default; PostgreSQL serves several processes at once. Either way
`open_store` leaves the schema at the newest migration shipped in this package.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from pledge.errors import PledgeError

MIGRATIONS = Path(__file__).parent / "migrations"

# Execution option marking a unit of work that will write (see Store.session).
_WRITE = "pledge_write"
# Any fixed number: PostgreSQL's advisory lock that lets one process migrate at a time.
_MIGRATION_LOCK = 0x706C65646765
_SQLITE_BUSY_SECONDS = 30


class Store:
    """Pledge's database, migrated and ready; hands out sessions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reads = sessionmaker(engine, expire_on_commit=False)
        self._writes = sessionmaker(
            engine.execution_options(**{_WRITE: True}), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def url(self) -> str:
        """The URL with any password hidden, fit for messages and logs."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises.

        `write=True` says the block will read then write: on SQLite it takes the write lock
        at the start (BEGIN IMMEDIATE), so what it read cannot change before it writes.
        PostgreSQL needs no such lock; its writers rely on constraints and row locks.
        """
        maker = self._writes if write else self._reads
        with maker.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def open_store(url: str) -> Store:
    """The store at `url` (sqlite:///path or postgresql://...), migrated to the newest schema.

    Safe to call again, and from several processes at once: a migrated store is left as is.
    """
    engine = create_store_engine(url)
    try:
        migrate(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise PledgeError(
            f"cannot open the store at {engine.url.render_as_string(hide_password=True)}: "
            f"{_first_line(exc.orig)}",
            "check the store URL (--store or PLEDGE_STORE_URL), that the database server runs"
            " and that the folder of a SQLite file exists",
        ) from None
    except CommandError as exc:
        engine.dispose()
        raise PledgeError(
            f"cannot migrate the store: {exc}",
            "this store may have been migrated by a newer Pledge; upgrade Pledge to use it",
        ) from None
    return Store(engine)


def create_store_engine(url: str) -> Engine:
    """An engine for `url`; a plain postgresql:// URL uses psycopg (version 3)."""
    parsed = _parse(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(parsed)
        return create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise PledgeError(
            f"cannot use the store URL {parsed.render_as_string(hide_password=True)!r}: {exc}",
            "use sqlite:///path/to/pledge-store.db or postgresql://user@host/dbname",
        ) from None


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration, in one transaction."""
    with engine.connect() as connection:
        writer = connection.execution_options(**{_WRITE: True})
        with writer.begin():
            if engine.dialect.name == "postgresql":
                writer.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            command.upgrade(alembic_config(writer), "head")


def alembic_config(connection: Connection) -> Config:
    """Alembic's settings, made in code: the migrations shipped here, run on `connection`."""
    config = Config()
    # ConfigParser treats % as interpolation; a folder name may contain one.
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise PledgeError(
            f"{url!r} is not a database URL",
            "use sqlite:///path/to/pledge-store.db or postgresql://user@host/dbname",
        ) from None


def _sqlite_engine(url: URL) -> Engine:
    args: dict[str, Any] = {"timeout": _SQLITE_BUSY_SECONDS, "check_same_thread": False}
    if url.database in (None, "", ":memory:"):
        # One in-memory database only lives as long as its one connection.
        engine = create_engine(url, connect_args=args, poolclass=StaticPool)
    else:
        engine = create_engine(url, connect_args=args)
    event.listen(engine, "connect", _sqlite_connected)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connected(dbapi_connection: Any, record: Any) -> None:
    # Python's sqlite3 would open transactions itself, and only at the first write; taking
    # that over makes reads and DDL transactional too (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    _use_wal(cursor)
    cursor.close()


def _use_wal(cursor: Any) -> None:
    # Write-ahead logging lets readers go on while one writer writes. Switching a new file
    # to it needs the file to itself, and SQLite does not wait for that: retry a while.
    deadline = time.monotonic() + _SQLITE_BUSY_SECONDS
    while True:
        try:
            mode = str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower()
            if mode not in ("wal", "memory"):
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _sqlite_begin(connection: Connection) -> None:
    writing = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _first_line(error: object) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
