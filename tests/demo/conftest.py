"""The demo generated into a fresh database on each engine, with its CRM in a SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.demo.generated import Demo, close, generate


@pytest.fixture
def demo(company_url: str, tmp_path: Path) -> Iterator[Demo]:
    """The shop on each engine (SQLite, PostgreSQL, MariaDB); the CRM in a SQLite file."""
    made = generate(company_url, f"sqlite:///{tmp_path / 'crm.db'}")
    try:
        yield made
    finally:
        close(made)
