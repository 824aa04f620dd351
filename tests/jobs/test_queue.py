"""Enqueueing: in the caller's transaction, and never twice for unfinished work."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from pledge.jobs import enqueue
from pledge.store import Store, open_store
from pledge.store.tables import JobRow
from tests.jobs.clock import START


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def _jobs(store: Store) -> list[tuple[str, str, str]]:
    with store.session() as session:
        rows = session.scalars(select(JobRow).order_by(JobRow.id))
        return [(row.kind, row.ref, row.state) for row in rows]


def test_enqueueing_the_same_work_twice_makes_one_job(store: Store) -> None:
    with store.session(write=True) as session:
        first = enqueue(session, "request.acknowledge", "PLG-AAAA-AAAA", now=START)
        again = enqueue(session, "request.acknowledge", "PLG-AAAA-AAAA", now=START)
    with store.session(write=True) as session:
        later = enqueue(session, "request.acknowledge", "PLG-AAAA-AAAA", now=START)
        other_ref = enqueue(session, "request.acknowledge", "PLG-BBBB-BBBB", now=START)
        other_kind = enqueue(session, "request.run", "PLG-AAAA-AAAA", now=START)
    assert first == again == later
    assert len({first, other_ref, other_kind}) == 3
    assert len(_jobs(store)) == 3


def test_a_running_job_is_not_duplicated_but_a_finished_one_can_be_queued_again(
    store: Store,
) -> None:
    with store.session(write=True) as session:
        job_id = enqueue(session, "k.one", "r1", now=START)
        session.execute(update(JobRow).where(JobRow.id == job_id).values(state="running"))
        assert enqueue(session, "k.one", "r1", now=START) == job_id
    for finished in ("done", "failed"):
        with store.session(write=True) as session:
            session.execute(
                update(JobRow)
                .where(JobRow.state.in_(["pending", "running"]))
                .values(state=finished)
            )
            assert enqueue(session, "k.one", "r1", now=START) != job_id
    assert [state for _, _, state in _jobs(store)] == ["done", "failed", "pending"]


def test_the_database_itself_refuses_a_second_unfinished_job(store: Store) -> None:
    row = {
        "kind": "k.one",
        "ref": "r1",
        "state": "pending",
        "attempts": 0,
        "run_after": START,
        "created_at": START,
    }
    with store.session(write=True) as session:
        session.execute(insert(JobRow).values(row))
        session.execute(insert(JobRow).values({**row, "state": "done"}))  # history is fine
    with pytest.raises(IntegrityError), store.session(write=True) as session:
        session.execute(insert(JobRow).values({**row, "state": "running"}))


def test_a_job_queued_in_a_rolled_back_transaction_does_not_exist(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session(write=True) as session:
        enqueue(session, "k.one", "r1")
        raise RuntimeError("the state change failed")
    assert _jobs(store) == []


def test_a_job_can_wait_before_it_runs(store: Store) -> None:
    later = START + dt.timedelta(hours=2)
    with store.session(write=True) as session:
        job_id = enqueue(session, "k.one", "r1", run_after=later, now=START)
    with store.session() as session:
        job = session.get_one(JobRow, job_id)
    assert (job.run_after, job.created_at, job.attempts) == (later, START, 0)


def test_many_processes_enqueueing_at_once_make_one_job(store_url: str) -> None:
    with open_store(store_url) as store:
        barrier = threading.Barrier(4)
        ids: list[int] = []
        errors: list[BaseException] = []

        def add() -> None:
            barrier.wait()
            try:
                with store.session(write=True) as session:
                    ids.append(enqueue(session, "k.one", "r1"))
            except BaseException as exc:  # reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=add) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(set(ids)) == 1
        assert len(_jobs(store)) == 1
