"""How often the privacy center's forms may be used: the sliding window, then the served
limits per email address and per IP address."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from pledge.store import Store, open_store
from pledge.store.tables import RateTryRow
from pledge.web.rate_limit import Limit, SlidingWindow
from tests.store.postgres import postgres_url, store_url
from tests.web.center import CENTER, Center, file_request, serving_center
from tests.web.live import start_server

__all__ = ["postgres_url", "store_url"]

SECRET = b"w" * 40


class Clock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = dt.datetime(2027, 1, 18, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def move(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def window_on(store: Store, limit: Limit, clock: Clock, scope: str = "test") -> SlidingWindow:
    return SlidingWindow(scope, limit, store=lambda: store, secret=lambda: SECRET, clock=clock)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def test_the_window_allows_so_many_then_refuses_until_the_oldest_try_ages_out(
    store: Store,
) -> None:
    clock = Clock()
    window = window_on(store, Limit(3, 60), clock)
    for _ in range(3):
        assert window.allow("a") is True
        clock.move(10)
    assert window.allow("a") is False  # at 30: tries at 0, 10 and 20
    assert window.allow("b") is True  # keys are counted apart
    assert window.retry_after("a") == 30
    clock.move(29)
    assert window.allow("a") is False  # a refused try is not counted, nor does it free one
    clock.move(1)  # 60: the try of 0 ages out, and only that one
    assert window.retry_after("a") == 0
    assert window.allow("a") is True
    assert window.allow("a") is False
    assert window.retry_after("a") == 10


def test_windows_of_other_scopes_count_apart(store: Store) -> None:
    clock = Clock()
    filings = window_on(store, Limit(1, 60), clock, "filings")
    codes = window_on(store, Limit(1, 60), clock, "codes")
    assert filings.allow("203.0.113.7") is True
    assert filings.allow("203.0.113.7") is False
    assert codes.allow("203.0.113.7") is True


def test_processes_on_one_store_share_the_window_and_a_restart_keeps_it(store_url: str) -> None:
    clock = Clock()
    with open_store(store_url) as first, open_store(store_url) as second:
        one, two = window_on(first, Limit(2, 60), clock), window_on(second, Limit(2, 60), clock)
        assert one.allow("jo@example.org") is True
        clock.move(5)
        assert two.allow("jo@example.org") is True
        assert one.allow("jo@example.org") is False
        assert two.retry_after("jo@example.org") == 55
    with open_store(store_url) as restarted:
        again = window_on(restarted, Limit(2, 60), clock)
        assert again.allow("jo@example.org") is False
        clock.move(55)
        assert again.allow("jo@example.org") is True


@pytest.fixture
def center(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Center]:
    with serving_center(tmp_path, monkeypatch) as served:
        yield served


def test_one_address_may_file_five_requests_an_hour_and_one_ip_twenty(center: Center) -> None:
    with center.client() as client:
        answers = [file_request(client, email="busy@example.org", type="erasure") for _ in range(6)]
        assert [a.status_code for a in answers] == [303] * 5 + [429]
        refused = answers[-1]
        assert "Too many tries" in refused.text and "60 minutes" in refused.text
        assert 3500 <= int(refused.headers["retry-after"]) <= 3600
        # The same IP address with other addresses: 20 tries in all (the refused one counts).
        more = [
            file_request(client, email=f"other{n}@example.org", type="erasure").status_code
            for n in range(15)
        ]
        assert more == [303] * 14 + [429]
        # Refused before the form is read: even a page of the form cannot be sent.
        page = client.get(CENTER, params={"jurisdiction": "uk", "type": "erasure"})
        assert page.status_code == 200  # reading pages is not limited


def test_servers_on_one_store_share_the_limits_and_a_restart_keeps_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    with serving_center(tmp_path, monkeypatch, store_url) as center:
        # Another server process on the same store (the first one runs the jobs).
        other = dataclasses.replace(center.settings, run_jobs=False)
        with center.client() as client:
            filed = [
                file_request(client, email="busy@example.org", type="erasure").status_code
                for _ in range(5)
            ]
        assert filed == [303] * 5
        for started in ("alongside", "after a restart"):
            server = start_server(other)
            try:
                with Center(server.url, center.smtp, tmp_path, other).client() as client:
                    refused = file_request(client, email="Busy@Example.org", type="erasure")
            finally:
                server.stop()
            assert refused.status_code == 429, started
            assert 3500 <= int(refused.headers["retry-after"]) <= 3600, started
    with open_store(store_url) as store, store.session() as session:
        tries = list(session.scalars(select(RateTryRow)))
    scopes = sorted(row.scope for row in tries)
    # Every filing spends an address's try, refused or not; an email's only when let through.
    assert scopes == ["center filing address"] * 7 + ["center filing email"] * 5
    for row in tries:
        assert "busy" not in row.key_digest and "127.0.0.1" not in row.key_digest
        assert len(row.key_digest) == 64
