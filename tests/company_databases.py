"""Empty company databases on each engine Pledge connects to, one per test.

SQLite is a file in tmp_path; PostgreSQL a fresh schema (set as the search path) on
127.0.0.1:5432; MariaDB a fresh database on 127.0.0.1:3306 (root, no password). Set
PLEDGE_TEST_POSTGRES / PLEDGE_TEST_MARIADB to point elsewhere. An unreachable server skips
its tests loudly, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pymysql
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

POSTGRES_ADMIN = os.environ.get("PLEDGE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
MARIADB_ADMIN = os.environ.get("PLEDGE_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/test")
ENGINES = ("sqlite", "postgresql", "mariadb")


def unreachable(what: str, url: str, exc: Exception) -> None:
    reason = f"{what} unreachable at {url} ({exc}); the {what} tests did NOT run"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _name() -> str:
    return f"pledge_test_{uuid.uuid4().hex[:16]}"


@pytest.fixture
def postgres_company_url() -> Iterator[str]:
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        unreachable("PostgreSQL", POSTGRES_ADMIN, exc)
        raise
    name = _name()
    with admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
        try:
            url = make_url(POSTGRES_ADMIN).set(drivername="postgresql+psycopg")
            url = url.update_query_dict({"options": f"-csearch_path={name}"})
            yield url.render_as_string(hide_password=False)
        finally:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
def mariadb_company_url() -> Iterator[str]:
    url = make_url(MARIADB_ADMIN)
    try:
        admin = pymysql.connect(
            host=url.host or "127.0.0.1",
            port=url.port or 3306,
            user=url.username or "root",
            password=url.password or "",
            connect_timeout=5,
            autocommit=True,
        )
    except pymysql.err.OperationalError as exc:
        unreachable("MariaDB", MARIADB_ADMIN, exc)
        raise
    name = _name()
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield url.set(database=name).update_query_dict({"charset": "utf8mb4"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE `{name}`")
        admin.close()


@pytest.fixture(params=ENGINES)
def company_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty company database on each engine: SQLite, PostgreSQL and MariaDB."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'company.db'}"
    fixture = "postgres_company_url" if request.param == "postgresql" else "mariadb_company_url"
    url: str = request.getfixturevalue(fixture)
    return url
