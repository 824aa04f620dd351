"""The login throttle: failures per address and per username, in a sliding window kept in
the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from pledge.auth.throttle import LoginThrottle
from pledge.store import Store, open_store
from pledge.store.tables import RateTryRow

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SECRET = b"k" * 40


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def throttle_on(
    store: Store, limit: int = 10, window: dt.timedelta = dt.timedelta(minutes=15)
) -> LoginThrottle:
    return LoginThrottle(store=lambda: store, secret=lambda: SECRET, limit=limit, window=window)


def fail(throttle: LoginThrottle, address: str, username: str, now: dt.datetime) -> None:
    """An attempt that was let through, then turned out wrong."""
    assert throttle.attempt(address, username, now) is not None


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def test_the_tenth_failure_blocks_the_username_from_any_address(store: Store) -> None:
    throttle = throttle_on(store, limit=10, window=dt.timedelta(minutes=15))
    for i in range(9):
        fail(throttle, f"10.0.0.{i}", "ann", minutes(i))
    assert throttle.retry_after("10.0.1.1", "ann", minutes(9)) is None
    fail(throttle, "10.0.0.9", "ann", minutes(9))
    wait = throttle.retry_after("10.0.1.1", "ann", minutes(9))
    # Free again when the first failure (at minute 0) leaves the 15-minute window.
    assert wait == dt.timedelta(minutes=6)
    assert throttle.attempt("10.0.1.1", "ann", minutes(9)) is None
    assert throttle.retry_after("10.0.1.1", "bob", minutes(9)) is None
    assert throttle.retry_after("10.0.1.1", "ann", minutes(15)) is None


def test_the_tenth_failure_blocks_the_address_for_every_username(store: Store) -> None:
    throttle = throttle_on(store, limit=10)
    for i in range(10):
        fail(throttle, "10.0.0.1", f"user{i}", minutes(0))
    assert throttle.retry_after("10.0.0.1", "someone-else", minutes(1)) is not None
    assert throttle.attempt("10.0.0.1", "someone-else", minutes(1)) is None
    assert throttle.retry_after("10.0.0.2", "someone-else", minutes(1)) is None


def test_a_refused_attempt_counts_for_neither(store: Store) -> None:
    throttle = throttle_on(store, limit=2)
    for _ in range(2):
        fail(throttle, "10.0.0.1", "ann", minutes(0))
    # The username is spent: the address's try is given back, not kept as a failure.
    assert throttle.attempt("10.0.0.2", "ann", minutes(1)) is None
    fail(throttle, "10.0.0.2", "bob", minutes(1))
    assert throttle.retry_after("10.0.0.2", "carol", minutes(1)) is None


def test_success_clears_the_username_but_not_the_address(store: Store) -> None:
    throttle = throttle_on(store, limit=3)
    for _ in range(3):
        fail(throttle, "10.0.0.1", "ann", minutes(0))
    throttle.succeeded("ann")
    assert throttle.retry_after("10.0.0.2", "ann", minutes(1)) is None
    assert throttle.retry_after("10.0.0.1", "ann", minutes(1)) is not None


def test_a_successful_attempt_does_not_count_against_its_address(store: Store) -> None:
    throttle = throttle_on(store, limit=3)
    for n in range(5):
        attempt = throttle.attempt("10.0.0.1", "ann", minutes(n))
        assert attempt is not None, f"sign-in {n} refused"
        throttle.succeeded("ann", attempt)
    fail(throttle, "10.0.0.1", "bob", minutes(6))
    assert throttle.retry_after("10.0.0.1", "carol", minutes(6)) is None


def test_servers_on_one_store_share_the_count_and_a_restart_keeps_it(store_url: str) -> None:
    with open_store(store_url) as first, open_store(store_url) as second:
        one, two = throttle_on(first, limit=4), throttle_on(second, limit=4)
        fail(one, "10.0.0.1", "ann", minutes(0))
        fail(two, "10.0.0.2", "ann", minutes(1))
        fail(one, "10.0.0.3", "ann", minutes(2))
        fail(two, "10.0.0.4", "ann", minutes(3))
        assert one.attempt("10.0.0.5", "ann", minutes(4)) is None
        assert two.retry_after("10.0.0.5", "ann", minutes(4)) == dt.timedelta(minutes=11)
    with open_store(store_url) as restarted:
        again = throttle_on(restarted, limit=4)
        assert again.attempt("10.0.0.6", "ann", minutes(5)) is None
        assert again.retry_after("10.0.0.6", "ann", minutes(5)) == dt.timedelta(minutes=10)


def test_attempts_at_once_get_no_more_than_the_limit(store_url: str) -> None:
    workers, limit = 12, 5
    barrier = threading.Barrier(workers)
    let_through: list[bool] = []
    lock = threading.Lock()

    def server(number: int) -> None:
        with open_store(store_url) as own:
            throttle = throttle_on(own, limit=limit)
            barrier.wait()
            passed = throttle.attempt(f"10.0.0.{number}", "ann", minutes(0))
            with lock:
                let_through.append(passed is not None)

    threads = [threading.Thread(target=server, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(let_through) == workers
    assert let_through.count(True) == limit


def test_the_store_holds_neither_address_nor_username_and_stays_bounded(store: Store) -> None:
    throttle = throttle_on(store, limit=2)
    for i in range(300):
        fail(throttle, f"10.0.{i}.1", f"made-up-{i}", minutes(0))
    with store.session() as session:
        kept = list(session.scalars(select(RateTryRow)))
    assert len(kept) == 600
    assert {row.scope for row in kept} == {"login address", "login username"}
    assert not any("made-up" in row.key_digest or "10.0." in row.key_digest for row in kept)
    # Once the failures have left the window, the next attempt sweeps them out.
    fail(throttle, "10.9.9.9", "ann", minutes(16))
    with store.session() as session:
        assert len(list(session.scalars(select(RateTryRow)))) == 2
