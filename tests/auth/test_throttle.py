"""The login throttle: failures per address and per username, in a sliding window."""

from __future__ import annotations

import datetime as dt

from pledge.auth.throttle import LoginThrottle

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def test_the_tenth_failure_blocks_the_username_from_any_address() -> None:
    throttle = LoginThrottle(limit=10, window=dt.timedelta(minutes=15))
    for i in range(9):
        throttle.failed(f"10.0.0.{i}", "ann", minutes(i))
    assert throttle.retry_after("10.0.1.1", "ann", minutes(9)) is None
    throttle.failed("10.0.0.9", "ann", minutes(9))
    wait = throttle.retry_after("10.0.1.1", "ann", minutes(9))
    # Free again when the first failure (at minute 0) leaves the 15-minute window.
    assert wait == dt.timedelta(minutes=6)
    assert throttle.retry_after("10.0.1.1", "bob", minutes(9)) is None
    assert throttle.retry_after("10.0.1.1", "ann", minutes(15)) is None


def test_the_tenth_failure_blocks_the_address_for_every_username() -> None:
    throttle = LoginThrottle(limit=10)
    for i in range(10):
        throttle.failed("10.0.0.1", f"user{i}", minutes(0))
    assert throttle.retry_after("10.0.0.1", "someone-else", minutes(1)) is not None
    assert throttle.retry_after("10.0.0.2", "someone-else", minutes(1)) is None


def test_success_clears_the_username_but_not_the_address() -> None:
    throttle = LoginThrottle(limit=3)
    for _ in range(3):
        throttle.failed("10.0.0.1", "ann", minutes(0))
    throttle.succeeded("ann")
    assert throttle.retry_after("10.0.0.2", "ann", minutes(1)) is None
    assert throttle.retry_after("10.0.0.1", "ann", minutes(1)) is not None


def test_memory_stays_bounded() -> None:
    throttle = LoginThrottle(limit=2, max_keys=100)
    for i in range(1000):
        throttle.failed("10.0.0.1", f"made-up-{i}", minutes(0))
    # The oldest keys were forgotten; the address, failing all along, was kept.
    assert throttle.retry_after("10.0.0.1", "x", minutes(1)) is not None
    assert throttle.retry_after("10.9.9.9", "made-up-0", minutes(1)) is None
    assert throttle.retry_after("10.9.9.9", "made-up-999", minutes(1)) is None
    throttle.failed("10.0.0.3", "made-up-999", minutes(0))
    assert throttle.retry_after("10.9.9.9", "made-up-999", minutes(1)) is not None
