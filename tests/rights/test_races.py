"""Two workers moving the same request at once: exactly one of them wins."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from pledge.errors import PledgeError
from pledge.rights import create_request, get_request, timeline, transition
from pledge.rights.requests import RequestChanged
from pledge.store import Store, open_store
from tests.rights.demo import demo


def _filed(store: Store) -> str:
    with store.session(write=True) as session:
        return create_request(
            session, demo(), type="access", email="jane@example.com", jurisdiction="uk"
        ).id


def test_two_sessions_moving_one_request_exactly_one_wins(store_url: str) -> None:
    with open_store(store_url) as store:
        ref = _filed(store)
        barrier = threading.Barrier(2)
        won: list[str] = []
        lost: list[PledgeError] = []

        def worker(name: str) -> None:
            barrier.wait()
            try:
                with store.session(write=True) as session:
                    transition(session, ref, "identity_pending", actor=name)
                won.append(name)
            except PledgeError as exc:  # illegal now, or changed under it: both mean "lost"
                lost.append(exc)

        threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with store.session() as session:
            moves = [e for e in timeline(session, ref) if e.from_state == "received"]
            state = get_request(session, ref).state
    assert len(won) == 1 and len(lost) == 1
    assert state == "identity_pending"
    assert [e.actor for e in moves] == won


def test_on_postgresql_the_compare_and_set_stops_a_writer_that_read_the_old_state(
    postgres_url: str,
) -> None:
    """B reads 'received' while A's move is not committed; B's UPDATE then waits on A's row
    lock and, once A commits, matches no row. Only the WHERE state = :expected stops B."""
    with open_store(postgres_url) as store:
        ref = _filed(store)
        a_moved = threading.Event()
        b_pid: list[int] = []
        outcome: list[BaseException | str] = []

        def b() -> None:
            a_moved.wait()
            try:
                with store.session(write=True) as session:
                    b_pid.append(session.execute(text("SELECT pg_backend_pid()")).scalar_one())
                    transition(session, ref, "denied", actor="b", note="duplicate request")
                outcome.append("moved")
            except BaseException as exc:  # reported by the assertion below
                outcome.append(exc)

        thread = threading.Thread(target=b)
        thread.start()
        with store.session(write=True) as session:
            transition(session, ref, "identity_pending", actor="a")
            a_moved.set()
            _wait_until_blocked(store, b_pid)
        thread.join()
        with store.session() as session:
            state = get_request(session, ref).state
    assert len(outcome) == 1 and isinstance(outcome[0], RequestChanged), outcome
    assert "now 'identity_pending', not 'received'" in outcome[0].message
    assert state == "identity_pending"


def _wait_until_blocked(store: Store, pid: list[int]) -> None:
    deadline = time.monotonic() + 10
    with store.engine.connect() as watcher:
        while time.monotonic() < deadline:
            if pid:
                waiting = watcher.execute(
                    text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                    {"pid": pid[0]},
                ).scalar_one_or_none()
                if waiting == "Lock":
                    return
            watcher.rollback()  # a fresh snapshot of pg_stat_activity on the next read
            time.sleep(0.01)
    pytest.fail("the second writer never waited on the first one's row lock")
