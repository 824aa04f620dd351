"""The in-process runner: claims, leases, retries, failures; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from pledge.errors import PledgeError
from pledge.jobs import JobContext, JobRegistry, Runner, enqueue
from pledge.jobs.runner import DEFAULT_MAX_ATTEMPTS, Backoff, exponential_backoff
from pledge.rights import create_request
from pledge.store import Store, open_store
from pledge.store.tables import JobRow, RequestEventRow
from tests.jobs.clock import ManualClock
from tests.rights.demo import demo

LEASE = dt.timedelta(minutes=5)
NO_WAIT = dt.timedelta(0)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def queue(store: Store, clock: ManualClock, kind: str, *refs: str) -> list[int]:
    with store.session(write=True) as session:
        return [enqueue(session, kind, ref, now=clock()) for ref in refs]


def job(store: Store, job_id: int) -> JobRow:
    with store.session() as session:
        return session.get_one(JobRow, job_id)


def runner(
    store: Store,
    registry: JobRegistry,
    clock: ManualClock,
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    backoff: Backoff = exponential_backoff,
) -> Runner:
    return Runner(
        store, registry, clock=clock, lease=LEASE, max_attempts=max_attempts, backoff=backoff
    )


def test_a_job_runs_once_and_is_done(store: Store) -> None:
    clock, registry, seen = ManualClock(), JobRegistry(), []

    @registry.job("test.echo")
    def echo(ctx: JobContext, ref: str) -> None:
        seen.append((ref, ctx.attempt, ctx.now))

    [job_id] = queue(store, clock, "test.echo", "r1")
    report = runner(store, registry, clock).run_pending()
    assert (report.done, report.ran) == (1, 1)
    assert seen == [("r1", 1, clock())]
    done = job(store, job_id)
    assert (done.state, done.attempts, done.finished_at, done.locked_until) == (
        "done",
        1,
        clock(),
        None,
    )
    assert runner(store, registry, clock).run_pending().ran == 0


def test_a_runner_claims_only_the_kinds_it_knows(store: Store) -> None:
    clock = ManualClock()
    [job_id] = queue(store, clock, "test.unknown", "r1")
    report = runner(store, JobRegistry(), clock).run_pending()
    assert report.ran == 0
    assert job(store, job_id).state == "pending"


def test_a_job_waits_for_its_time(store: Store) -> None:
    clock, registry = ManualClock(), JobRegistry()
    registry.job("test.echo")(lambda ctx, ref: None)
    with store.session(write=True) as session:
        enqueue(session, "test.echo", "r1", run_after=clock() + dt.timedelta(hours=1), now=clock())
    assert runner(store, registry, clock).run_pending().ran == 0
    clock.advance(dt.timedelta(hours=1))
    assert runner(store, registry, clock).run_pending().done == 1


def test_an_expected_error_fails_the_job_at_once_with_its_message(store: Store) -> None:
    clock, registry = ManualClock(), JobRegistry()

    @registry.job("test.refuse", throws=(PledgeError,))
    def refuse(ctx: JobContext, ref: str) -> None:
        raise PledgeError(f"request {ref} was withdrawn", "nothing to do")

    [job_id] = queue(store, clock, "test.refuse", "r1")
    report = runner(store, registry, clock).run_pending()
    failed = job(store, job_id)
    assert report.failed == 1
    assert (failed.state, failed.attempts, failed.finished_at) == ("failed", 1, clock())
    assert failed.last_error == "PledgeError: request r1 was withdrawn — nothing to do"


def test_an_unexpected_error_is_retried_after_a_backoff_and_can_then_succeed(store: Store) -> None:
    clock, registry, calls = ManualClock(), JobRegistry(), []

    @registry.job("test.flaky", throws=(PledgeError,))
    def flaky(ctx: JobContext, ref: str) -> None:
        calls.append(ctx.attempt)
        if ctx.attempt == 1:
            raise ConnectionError("the database went away")

    [job_id] = queue(store, clock, "test.flaky", "r1")
    run = runner(store, registry, clock, backoff=lambda attempt: dt.timedelta(minutes=attempt))
    assert run.run_pending().retried == 1
    waiting = job(store, job_id)
    assert (waiting.state, waiting.run_after) == ("pending", clock() + dt.timedelta(minutes=1))
    assert run.run_pending().ran == 0  # not before its backoff
    clock.advance(dt.timedelta(minutes=1))
    assert run.run_pending().done == 1
    done = job(store, job_id)
    assert calls == [1, 2]
    assert (done.state, done.attempts) == ("done", 2)
    assert done.last_error == "ConnectionError: the database went away"  # kept as history


def test_a_job_that_keeps_failing_is_failed_after_n_attempts(store: Store) -> None:
    clock, registry = ManualClock(), JobRegistry()

    @registry.job("test.broken")
    def broken(ctx: JobContext, ref: str) -> None:
        raise RuntimeError(f"boom {ctx.attempt}")

    [job_id] = queue(store, clock, "test.broken", "r1")
    run = runner(store, registry, clock, max_attempts=3, backoff=lambda attempt: NO_WAIT)
    # With no backoff the retries come due at once, within the same pass.
    report = run.run_pending()
    assert (report.retried, report.failed) == (2, 1)
    assert run.run_pending().ran == 0
    failed = job(store, job_id)
    assert (failed.state, failed.attempts) == ("failed", 3)
    assert failed.last_error == "gave up after 3 attempts: RuntimeError: boom 3"


def test_a_handler_may_set_its_own_number_of_attempts(store: Store) -> None:
    clock, registry = ManualClock(), JobRegistry()

    @registry.job("test.once", max_attempts=1)
    def once(ctx: JobContext, ref: str) -> None:
        raise RuntimeError("no second chance")

    [job_id] = queue(store, clock, "test.once", "r1")
    assert runner(store, registry, clock, max_attempts=5).run_pending().failed == 1
    assert job(store, job_id).attempts == 1


def test_a_job_claimed_by_a_runner_that_crashed_is_taken_again_once_its_lease_runs_out(
    store: Store,
) -> None:
    clock, registry, seen = ManualClock(), JobRegistry(), []
    registry.job("test.echo")(lambda ctx, ref: seen.append((ref, ctx.attempt)))
    [job_id] = queue(store, clock, "test.echo", "r1")
    crashed = runner(store, registry, clock).claim()  # claimed, then never run: a crash
    assert crashed is not None and crashed.attempt == 1
    assert job(store, job_id).locked_until == clock() + LEASE
    survivor = runner(store, registry, clock)
    clock.advance(LEASE)
    assert survivor.run_pending().ran == 0  # the lease still holds, to the microsecond
    clock.advance(dt.timedelta(microseconds=1))
    assert survivor.run_pending().done == 1
    assert seen == [("r1", 2)]
    assert (job(store, job_id).state, job(store, job_id).attempts) == ("done", 2)


def test_a_runner_that_lost_its_lease_cannot_commit_its_work(store: Store) -> None:
    """A slow runner whose lease was taken over finishes after the new one: its writes are
    rolled back, so the handler's effect is committed once."""
    clock, registry = ManualClock(), JobRegistry()
    with store.session(write=True) as session:
        request = create_request(
            session, demo(), type="access", email="jane@example.com", jurisdiction="uk"
        ).id

    @registry.job("test.note")
    def note(ctx: JobContext, ref: str) -> None:
        ctx.session.add(
            RequestEventRow(
                request_id=ref, at=ctx.now, kind="note", actor=ctx.actor, note=f"try {ctx.attempt}"
            )
        )

    queue(store, clock, "test.note", request)
    slow, fast = runner(store, registry, clock), runner(store, registry, clock)
    first = slow.claim()
    clock.advance(LEASE + dt.timedelta(seconds=1))
    second = fast.claim()
    assert first is not None and second is not None and first.id == second.id
    assert fast.run(second) == "done"
    assert slow.run(first) == "lost"
    with store.session() as session:
        notes = session.scalars(select(RequestEventRow.note).where(RequestEventRow.kind == "note"))
        assert list(notes) == ["try 2"]


def test_a_job_whose_runners_keep_dying_is_failed_after_n_claims(store: Store) -> None:
    clock, registry = ManualClock(), JobRegistry()
    registry.job("test.echo")(lambda ctx, ref: None)
    [job_id] = queue(store, clock, "test.echo", "r1")
    run = runner(store, registry, clock, max_attempts=2)
    for _ in range(2):
        assert run.claim() is not None  # and then the process dies
        clock.advance(LEASE * 2)
    assert run.claim() is None
    failed = job(store, job_id)
    assert (failed.state, failed.attempts) == ("failed", 2)
    assert failed.last_error is not None and "lease ran out" in failed.last_error


def test_a_failed_statement_leaves_no_personal_value_in_the_error(store: Store) -> None:
    clock, registry = ManualClock(), JobRegistry()

    @registry.job("test.bad_insert")
    def bad_insert(ctx: JobContext, ref: str) -> None:
        ctx.session.add(
            RequestEventRow(
                request_id="PLG-NONE-NONE", at=ctx.now, kind="note", actor="x", note=ref
            )
        )
        ctx.session.flush()  # a foreign key violation, with the note among the parameters

    [job_id] = queue(store, clock, "test.bad_insert", "jane@example.com")
    runner(store, registry, clock).run_pending()
    error = job(store, job_id).last_error
    # SQLite: "IntegrityError: FOREIGN KEY constraint failed"; PostgreSQL names the violated
    # constraint on the first line and the key's value on a DETAIL line, which is left out.
    assert error is not None and "foreign key" in error.lower()
    assert "jane@example.com" not in error and "PLG-NONE-NONE" not in error


def test_two_runners_never_run_the_same_job_twice(store_url: str) -> None:
    with open_store(store_url) as store:
        clock, registry = ManualClock(), JobRegistry()
        ran: list[str] = []
        lock = threading.Lock()

        @registry.job("test.slow")
        def slow(ctx: JobContext, ref: str) -> None:
            time.sleep(0.005)
            with lock:
                ran.append(ref)

        refs = [f"r{i}" for i in range(40)]
        queue(store, clock, "test.slow", *refs)
        barrier = threading.Barrier(2)
        reports = []

        def work() -> None:
            run = runner(store, registry, clock)
            barrier.wait()
            reports.append(run.run_pending(limit=100))

        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with store.session() as session:
            states = Counter(session.scalars(select(JobRow.state)))
    assert sorted(ran) == sorted(refs)  # each exactly once
    assert states == Counter({"done": 40})
    assert sum(report.done for report in reports) == 40
    if store_url.startswith("postgresql"):
        # With SKIP LOCKED both really worked, side by side.
        assert all(report.done > 0 for report in reports)
