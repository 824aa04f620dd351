"""The traversal plan's test databases: the shop on each engine, a SQLite shop, a CRM."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from pledge.sources.connect import create_source_engine
from tests.sources.plan_schema import create_crm, create_shop


@pytest.fixture
def shop(company_url: str) -> Iterator[Engine]:
    engine = create_source_engine(company_url)
    create_shop(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_shop(tmp_path: Path) -> Iterator[Engine]:
    engine = create_source_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    create_shop(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[Engine]:
    engine = create_source_engine(f"sqlite:///{tmp_path / 'crm.db'}")
    create_crm(engine)
    yield engine
    engine.dispose()
