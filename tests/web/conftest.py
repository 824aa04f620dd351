"""Real uvicorn servers on free ports, each serving its own copy of the demo declaration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.live import LiveServer, serving


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server shared by a module's tests; for tests that only read."""
    with serving(tmp_path_factory.mktemp("served")) as server:
        yield server


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server of the test's own, for tests that edit the declaration."""
    with serving(tmp_path) as server:
        yield server
