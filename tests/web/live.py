"""Helpers for tests against a real server: a uvicorn in a thread, a demo copy, polling."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
import uvicorn

from pledge.settings import Settings
from pledge.web import create_app

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo" / "pledge.yaml"
DEMO_NAME = "Maple & Finch"
START_SECONDS = 20

T = TypeVar("T")


@dataclass(frozen=True)
class LiveServer:
    url: str
    declaration: Path
    client: httpx.Client


def copy_demo(folder: Path) -> Path:
    target = folder / "pledge.yaml"
    shutil.copyfile(DEMO, target)
    return target


def store_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'store.db'}"


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` (which must be there) and save the way editors do: write, then rename."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    scratch = path.with_name(f".{path.name}.saving")
    scratch.write_text(text.replace(old, new, 1), encoding="utf-8")
    scratch.replace(path)


def wait_for(probe: Callable[[], T | None], what: str, seconds: float = 15.0) -> T:
    """Poll `probe` until it returns something other than None; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = probe()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {seconds}s waiting for {what}")
        time.sleep(0.05)


@dataclass
class _ThreadServer:
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def url(self) -> str:
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        assert not self.thread.is_alive(), "the server did not stop within 15 s"


def start_server(settings: Settings) -> _ThreadServer:
    """uvicorn in a background thread on a port the OS picks; returns once it listens."""
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=0,
        ws="none",
        lifespan="on",
        log_config=None,  # leave logging to pytest, which captures it per test
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        if not thread.is_alive():
            pytest.fail("the server stopped during start-up; see the captured log")
        if time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail(f"the server did not start within {START_SECONDS}s")
        time.sleep(0.02)
    return _ThreadServer(server, thread)


@contextmanager
def serving(folder: Path) -> Iterator[LiveServer]:
    """A server for a copy of the demo in `folder`, with its SQLite store beside it."""
    declaration = copy_demo(folder)
    settings = Settings.build(
        declaration, store_url=store_url(folder), host="127.0.0.1", port=0, watch=True
    )
    running = start_server(settings)
    try:
        with httpx.Client(base_url=running.url, timeout=10) as client:
            yield LiveServer(running.url, declaration, client)
    finally:
        running.stop()
