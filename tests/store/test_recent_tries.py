"""Recent tries in the store: counted alike by every process, never holding a key in clear,
not slipping past the limit when processes try at once, and deleted once out of the window."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, insert, select

from pledge.store import Store, open_store
from pledge.store.recent_tries import LONGEST_WINDOW, SWEEP_BATCH, TryWindow
from pledge.store.tables import RateTryRow

SECRET = b"s" * 40
T0 = dt.datetime(2027, 1, 18, 9, 0, tzinfo=dt.UTC)
EMAIL = "Person@Example.org"
ADDRESS = "203.0.113.7"


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def window(
    store: Store, scope: str = "test", limit: int = 3, seconds: float = 60, secret: bytes = SECRET
) -> TryWindow:
    return TryWindow(
        scope,
        limit,
        dt.timedelta(seconds=seconds),
        store=lambda: store,
        secret=lambda: secret,
    )


def rows(store: Store) -> list[RateTryRow]:
    with store.session() as session:
        return list(session.scalars(select(RateTryRow).order_by(RateTryRow.id)))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def test_the_store_keeps_a_keyed_hash_of_the_key_never_the_key(store: Store) -> None:
    email, address = window(store, "email"), window(store, "address")
    assert email.take(EMAIL, T0) is not None
    assert address.take(ADDRESS, T0) is not None
    kept = rows(store)
    assert [(row.scope, row.moment) for row in kept] == [("email", T0), ("address", T0)]
    for row in kept:
        assert len(row.key_digest) == 64 and set(row.key_digest) <= set("0123456789abcdef")
        for key in (EMAIL, ADDRESS):
            # Not the key, and not a plain hash of it that anyone could recompute.
            assert key.lower() not in row.key_digest.lower()
            assert row.key_digest != hashlib.sha256(key.encode()).hexdigest()
    assert email.digest(EMAIL) == kept[0].key_digest
    assert window(store, "email", secret=b"t" * 40).digest(EMAIL) != kept[0].key_digest
    assert window(store, "other").digest(EMAIL) != kept[0].key_digest


def test_processes_on_one_store_count_together_and_a_restart_forgets_nothing(
    store_url: str,
) -> None:
    with open_store(store_url) as first, open_store(store_url) as second:
        one, two = window(first), window(second)
        assert one.take(EMAIL, at(0)) is not None
        assert two.take(EMAIL, at(1)) is not None
        assert one.take(EMAIL, at(2)) is not None
        assert two.take(EMAIL, at(3)) is None
        assert one.wait(EMAIL, at(3)) == dt.timedelta(seconds=57)
    with open_store(store_url) as restarted:
        again = window(restarted)
        assert again.take(EMAIL, at(30)) is None
        assert again.wait(EMAIL, at(30)) == dt.timedelta(seconds=30)
        assert again.take(EMAIL, at(60)) is not None  # the try at 0 has left the window


def test_tries_at_once_from_many_processes_never_pass_the_limit(store_url: str) -> None:
    workers, tries_each, limit = 8, 4, 10
    barrier = threading.Barrier(workers)
    taken: list[int | None] = []
    lock = threading.Lock()

    def process() -> None:
        # A store of its own, as another server process has: its own connections.
        with open_store(store_url) as own:
            counter = window(own, limit=limit, seconds=3600)
            barrier.wait()
            for n in range(tries_each):
                result = counter.take(EMAIL, at(n))
                with lock:
                    taken.append(result)

    threads = [threading.Thread(target=process) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(taken) == workers * tries_each
    assert len([t for t in taken if t is not None]) == limit
    with open_store(store_url) as store:
        assert len(rows(store)) == limit


def test_a_refused_try_is_not_counted_and_a_try_given_back_no_longer_counts(
    store: Store,
) -> None:
    counter = window(store, limit=2)
    first = counter.take(ADDRESS, at(0))
    assert first is not None and counter.take(ADDRESS, at(1)) is not None
    assert counter.take(ADDRESS, at(2)) is None
    assert len(rows(store)) == 2
    counter.give_back(first)
    assert counter.wait(ADDRESS, at(2)) is None
    assert counter.take(ADDRESS, at(2)) is not None
    counter.forget(ADDRESS)
    assert rows(store) == []


def test_expired_tries_are_deleted_so_the_table_stays_bounded(store: Store) -> None:
    short = window(store, "short", limit=100, seconds=60)
    long = window(store, "long", limit=100, seconds=3600)
    for n in range(50):
        assert short.take(f"made-up-{n}@example.org", at(0)) is not None
        assert long.take(f"made-up-{n}@example.org", at(0)) is not None
    # Within the sweep interval, only the key's own expired tries go as it tries again.
    assert short.take("made-up-0@example.org", at(61)) is not None
    assert len(rows(store)) == 100
    # Five minutes on, the next try sweeps the scope: every short try out of its window
    # goes, the long window's stay.
    assert short.take("someone@example.org", at(301)) is not None
    assert sorted(row.scope for row in rows(store)) == ["long"] * 50 + ["short"]
    # Past the longest window, a try of any scope goes with any scope's sweep, even of a
    # scope that no window counts any more.
    later = T0 + LONGEST_WINDOW + dt.timedelta(seconds=1)
    with store.session(write=True) as session:
        session.add(RateTryRow(scope="retired", key_digest="0" * 64, moment=at(0)))
        session.add(RateTryRow(scope="retired", key_digest="0" * 64, moment=later))
    assert short.sweep(later) == 50 + 1 + 1  # the long ones, the short one, the retired one
    assert [(row.scope, row.moment) for row in rows(store)] == [("retired", later)]


def test_a_sweep_deletes_in_batches_until_none_is_left(store: Store) -> None:
    stale = [
        {"scope": "test", "key_digest": f"{n:064x}", "moment": at(0)}
        for n in range(2 * SWEEP_BATCH + 7)
    ]
    with store.session(write=True) as session:
        session.execute(insert(RateTryRow), stale)
    assert window(store).sweep(at(60)) == len(stale)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(RateTryRow)) == 0


@pytest.mark.parametrize(
    ("scope", "limit", "seconds", "message"),
    [
        ("", 3, 60, "scope has 1 to 32 characters"),
        ("x" * 33, 3, 60, "scope has 1 to 32 characters"),
        ("test", 0, 60, "at least one try"),
        ("test", 3, 0, "more than no time"),
        ("test", 3, 2 * 86400, "at most 1 day"),
    ],
)
def test_a_window_that_cannot_work_is_refused_by_name(
    store: Store, scope: str, limit: int, seconds: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        window(store, scope, limit, seconds)
