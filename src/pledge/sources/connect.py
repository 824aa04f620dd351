"""Opening a declared source: its URL comes from the environment, never from the file."""

from __future__ import annotations

import os
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from pledge.declaration.model import Source
from pledge.errors import PledgeError

# SQLAlchemy's default MySQL driver (mysqlclient) needs a C client library; PyMySQL is pure.
_DEFAULT_DRIVERS = {
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
    "postgresql": "postgresql+psycopg",
}


def source_url(name: str, source: Source, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    url = env.get(source.url_env, "").strip()
    if not url:
        raise PledgeError(
            f"source '{name}': the environment variable {source.url_env} is not set",
            f"export {source.url_env}=<database URL>, e.g. postgresql://user@host/db",
        )
    return url


def create_source_engine(url: str) -> Engine:
    """An engine for a company database URL, with the pure-Python driver by default."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise PledgeError(
            "the database URL is not valid",
            "write it as dialect://user:password@host:port/database, e.g. sqlite:///shop.db",
        ) from None
    driver = _DEFAULT_DRIVERS.get(parsed.drivername)
    if driver:
        parsed = parsed.set(drivername=driver)
    try:
        return sa.create_engine(parsed, pool_pre_ping=True)
    except NoSuchModuleError:
        raise PledgeError(
            f"no database driver for '{parsed.drivername}'",
            "Pledge connects to sqlite, postgresql and mysql/mariadb databases",
        ) from None


def open_source(name: str, source: Source, environ: Mapping[str, str] | None = None) -> Engine:
    return create_source_engine(source_url(name, source, environ))
