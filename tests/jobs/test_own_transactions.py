"""Jobs that open their own transactions (a sweep, batch by batch): run outside the runner's,
marked done after, with a lease of their own; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from pledge.jobs import JobContext, JobRegistry, Runner, enqueue
from pledge.store import Store, open_store
from pledge.store.tables import JobRow
from tests.jobs.clock import ManualClock

RUNNER_LEASE = dt.timedelta(minutes=5)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def queue(store: Store, clock: ManualClock, kind: str, ref: str) -> int:
    with store.session(write=True) as session:
        return enqueue(session, kind, ref, now=clock())


def jobs(store: Store, kind: str) -> list[JobRow]:
    with store.session() as session:
        return list(session.scalars(select(JobRow).where(JobRow.kind == kind).order_by(JobRow.id)))


def runner(store: Store, registry: JobRegistry, clock: ManualClock) -> Runner:
    return Runner(store, registry, clock=clock, lease=RUNNER_LEASE)


def test_a_job_with_its_own_transactions_writes_in_several_and_is_then_done(store: Store) -> None:
    """On SQLite a write transaction held around the handler would make its own writes wait
    for the lock (30 s, then fail); here each commits at once."""
    clock, registry = ManualClock(), JobRegistry()

    @registry.job("test.batches", own_transactions=True)
    def batches(ctx: JobContext, ref: str) -> None:
        for batch in range(3):
            with ctx.store.session(write=True) as session:
                enqueue(session, "test.batch", f"{ref}-{batch}", now=ctx.now)

    job_id = queue(store, clock, "test.batches", "sweep")
    report = runner(store, registry, clock).run_pending()

    assert (report.done, report.ran) == (1, 1)
    assert [row.ref for row in jobs(store, "test.batch")] == ["sweep-0", "sweep-1", "sweep-2"]
    [done] = jobs(store, "test.batches")
    assert (done.id, done.state, done.finished_at, done.locked_until) == (
        job_id,
        "done",
        clock(),
        None,
    )


def test_a_job_with_its_own_transactions_has_no_session_of_the_runner(store: Store) -> None:
    clock, registry, seen = ManualClock(), JobRegistry(), []

    @registry.job("test.own", own_transactions=True, max_attempts=1)
    def own(ctx: JobContext, ref: str) -> None:
        seen.append(ctx.store is store)
        ctx.session  # noqa: B018  (the access itself is what is tested)

    queue(store, clock, "test.own", "r1")
    assert runner(store, registry, clock).run_pending().failed == 1
    [failed] = jobs(store, "test.own")
    assert seen == [True]
    assert failed.last_error is not None
    assert "RuntimeError: job test.own runs with own_transactions" in failed.last_error


def test_what_a_failing_job_committed_stays_and_it_is_retried(store: Store) -> None:
    """Unlike a job in the runner's transaction, its batches are not rolled back: such a job
    must resume safely, and the retry finds the work already done."""
    clock, registry, attempts = ManualClock(), JobRegistry(), []

    @registry.job("test.halfway", own_transactions=True)
    def halfway(ctx: JobContext, ref: str) -> None:
        attempts.append(ctx.attempt)
        with ctx.store.session(write=True) as session:
            enqueue(session, "test.batch", "first", now=ctx.now)
        if ctx.attempt == 1:
            raise ConnectionError("the company database went away")

    queue(store, clock, "test.halfway", "r1")
    run = runner(store, registry, clock)
    assert run.run_pending().retried == 1
    assert [row.ref for row in jobs(store, "test.batch")] == ["first"]
    [waiting] = jobs(store, "test.halfway")
    assert waiting.state == "pending"

    clock.advance(dt.timedelta(hours=1))
    assert run.run_pending().done == 1
    assert attempts == [1, 2]
    assert len(jobs(store, "test.batch")) == 1  # enqueue is idempotent: nothing twice


def test_a_kind_may_hold_a_longer_lease_than_the_runner(store: Store) -> None:
    clock, registry = ManualClock(), JobRegistry()
    registry.job("test.long", own_transactions=True, lease=dt.timedelta(hours=1))(
        lambda ctx, ref: None
    )
    registry.job("test.short")(lambda ctx, ref: None)
    queue(store, clock, "test.long", "r1")
    queue(store, clock, "test.short", "r1")
    run = runner(store, registry, clock)

    long, short = run.claim(), run.claim()

    assert long is not None and short is not None
    assert (long.kind, short.kind) == ("test.long", "test.short")
    [held_long], [held_short] = jobs(store, "test.long"), jobs(store, "test.short")
    assert held_long.locked_until == clock() + dt.timedelta(hours=1)
    assert held_short.locked_until == clock() + RUNNER_LEASE
    # A second runner does not take the long job over once the runner's own lease is past.
    clock.advance(RUNNER_LEASE + dt.timedelta(seconds=1))
    other = runner(store, registry, clock).claim()
    assert other is not None and other.kind == "test.short"


def test_a_lease_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="lease must be longer than nothing"):
        JobRegistry().job("test.none", lease=dt.timedelta(0))
