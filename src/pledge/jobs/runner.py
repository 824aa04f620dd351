"""Running queued jobs in this process, safely alongside other runners.

State lives in the store, not in the queue: a request is a row with a state, and a job only
says "advance row `ref` by `kind`". A runner claims one job at a time with a compare-and-set
UPDATE (pending -> running, with a lease: `locked_until`), runs its handler in a transaction
of its own, and marks the job done in that same transaction (a job registered with
`own_transactions` opens its own, and is marked done after it: pledge.jobs.registry).
Should the process die, the lease runs out and the next runner to look takes the job
again: that is how a restart resumes whatever was in flight. `attempts` counts claims and
fences a slow runner out: the one whose lease was taken over finds the job no longer at its
attempt, and its work is rolled back rather than committed twice.

On PostgreSQL the claim reads with FOR UPDATE SKIP LOCKED, so many runners on many machines
each take a different job without waiting on one another; on SQLite the write lock taken at
the start of the claim (BEGIN IMMEDIATE) already serialises them.

Towards procrastinate: on a PostgreSQL store at scale, each registered kind becomes a
procrastinate task of the same name taking `ref` as its one argument, whose body opens
`store.session(write=True)`, calls the same handler with a `JobContext` and commits.
`enqueue` defers that task with a queueing lock of "kind:ref", which, like the unique index
on unfinished jobs here, keeps one job waiting per row. `throws` becomes the task's retry
strategy: a small subclass of procrastinate's `BaseRetryStrategy` that declines to retry
those errors and retries the others with the same backoff (its built-in `retry_exceptions`
lists the errors to retry, the other way round). The lease's part is played by its recovery
of stalled jobs, whose worker stopped sending heartbeats. The handlers do not change: they
only ever see a context and an id, and the state they advance stays in Pledge's tables, not
in the queue's.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from pledge.jobs.registry import JobContext, JobRegistry, JobSpec
from pledge.services import Services
from pledge.store import Store
from pledge.store.tables import JobRow

log = logging.getLogger("pledge.jobs")

Clock = Callable[[], dt.datetime]
Backoff = Callable[[int], dt.timedelta]
Outcome = Literal["done", "failed", "retry", "lost"]

DEFAULT_LEASE = dt.timedelta(minutes=5)
DEFAULT_MAX_ATTEMPTS = 5


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def exponential_backoff(attempt: int) -> dt.timedelta:
    """30 s after the first failure, then 1, 2, 4... minutes, never more than an hour."""
    return min(dt.timedelta(seconds=30 * 2 ** (attempt - 1)), dt.timedelta(hours=1))


@dataclass(frozen=True)
class Claimed:
    """A job this runner holds the lease on, at attempt `attempt`."""

    id: int
    kind: str
    ref: str
    attempt: int


@dataclass
class RunReport:
    done: int = 0
    failed: int = 0
    retried: int = 0
    lost: int = 0

    @property
    def ran(self) -> int:
        return self.done + self.failed + self.retried + self.lost

    def count(self, outcome: Outcome) -> None:
        if outcome == "done":
            self.done += 1
        elif outcome == "failed":
            self.failed += 1
        elif outcome == "retry":
            self.retried += 1
        else:
            self.lost += 1


class _LeaseLost(Exception):
    """Another runner took the job over after this one's lease ran out."""


class Runner:
    """Runs the jobs of `registry`'s kinds found in `store`, one at a time."""

    def __init__(
        self,
        store: Store,
        registry: JobRegistry,
        *,
        lease: dt.timedelta = DEFAULT_LEASE,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff: Backoff = exponential_backoff,
        clock: Clock = utc_now,
        services: Services | None = None,
    ) -> None:
        self.store = store
        self.services = services
        self.registry = registry
        self.lease = lease
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.clock = clock

    def run_pending(self, limit: int = 100) -> RunReport:
        """Run up to `limit` jobs that are due now, including ones a crashed runner held."""
        report = RunReport()
        for _ in range(limit):
            claimed = self.claim()
            if claimed is None:
                break
            report.count(self.run(claimed))
        return report

    def claim(self) -> Claimed | None:
        """Take the lease on the next due job, or None when there is nothing to do."""
        kinds = self.registry.kinds()
        if not kinds:
            return None
        while True:
            with self.store.session(write=True) as session:
                now = self.clock()
                found = self._find_due(session, kinds, now)
                if found is None:
                    return None
                job_id, kind, ref, state, attempts = found
                if state == "running" and attempts >= self._max_attempts(kind):
                    self._give_up_abandoned(session, job_id, attempts, now)
                    continue
                lease = self.registry.spec(kind).lease or self.lease
                taken = session.execute(
                    update(JobRow)
                    .where(JobRow.id == job_id, JobRow.state == state, JobRow.attempts == attempts)
                    .values(state="running", attempts=attempts + 1, locked_until=now + lease)
                )
                if _rowcount(taken) == 1:
                    return Claimed(job_id, kind, ref, attempts + 1)
            # Another runner changed the job between the read and the update: look again.

    def run(self, claimed: Claimed) -> Outcome:
        """Run a claimed job's handler and record how it went."""
        spec = self.registry.spec(claimed.kind)
        try:
            if spec.own_transactions:
                # Outside any transaction of ours: the handler commits as it goes (see
                # pledge.jobs.registry), and the job is marked done after it, on its own.
                spec.handler(self._context(None, claimed), claimed.ref)
                with self.store.session(write=True) as session:
                    self._finish(session, claimed, state="done")
            else:
                with self.store.session(write=True) as session:
                    spec.handler(self._context(session, claimed), claimed.ref)
                    self._finish(session, claimed, state="done")
        except _LeaseLost:
            log.warning(
                "job %s #%d: lease lost to another runner; %s",
                claimed.kind,
                claimed.id,
                "what it committed stays" if spec.own_transactions else "its work was rolled back",
            )
            return "lost"
        except Exception as exc:
            return self._after_error(spec, claimed, exc)
        return "done"

    def _context(self, session: Session | None, claimed: Claimed) -> JobContext:
        return JobContext(
            session,
            self.clock(),
            claimed.kind,
            claimed.id,
            claimed.attempt,
            self.services,
            self.store,
        )

    def _find_due(
        self, session: Session, kinds: tuple[str, ...], now: dt.datetime
    ) -> tuple[int, str, str, str, int] | None:
        """The next job to claim: (id, kind, ref, state, attempts), or None."""
        query = (
            select(JobRow.id, JobRow.kind, JobRow.ref, JobRow.state, JobRow.attempts)
            .where(
                JobRow.kind.in_(kinds),
                or_(
                    and_(JobRow.state == "pending", JobRow.run_after <= now),
                    # A running job whose lease ran out: its runner died, or hangs.
                    and_(JobRow.state == "running", JobRow.locked_until < now),
                ),
            )
            .order_by(JobRow.run_after, JobRow.id)
            .limit(1)
        )
        if self.store.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        row = session.execute(query).first()
        if row is None:
            return None
        job_id, kind, ref, state, attempts = row
        return job_id, kind, ref, state, attempts

    def _after_error(self, spec: JobSpec, claimed: Claimed, exc: Exception) -> Outcome:
        message = _describe(exc)
        expected = isinstance(exc, spec.throws)
        retry = not expected and claimed.attempt < self._max_attempts(claimed.kind)
        if not expected:
            log.error(
                "job %s #%d attempt %d: %s\n%s",
                claimed.kind,
                claimed.id,
                claimed.attempt,
                message,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
        try:
            with self.store.session(write=True) as session:
                if retry:
                    run_after = self.clock() + self.backoff(claimed.attempt)
                    self._finish(
                        session, claimed, state="pending", error=message, run_after=run_after
                    )
                    return "retry"
                if not expected:
                    message = f"gave up after {claimed.attempt} attempts: {message}"
                self._finish(session, claimed, state="failed", error=message)
                return "failed"
        except _LeaseLost:
            return "lost"

    def _finish(
        self,
        session: Session,
        claimed: Claimed,
        *,
        state: str,
        error: str | None = None,
        run_after: dt.datetime | None = None,
    ) -> None:
        values: dict[str, object] = {"state": state, "locked_until": None}
        if error is not None:
            values["last_error"] = error
        if run_after is not None:
            values["run_after"] = run_after
        if state in ("done", "failed"):
            values["finished_at"] = self.clock()
        result = session.execute(
            update(JobRow)
            .where(
                JobRow.id == claimed.id,
                JobRow.state == "running",
                JobRow.attempts == claimed.attempt,
            )
            .values(values)
        )
        if _rowcount(result) != 1:
            raise _LeaseLost()

    def _give_up_abandoned(
        self, session: Session, job_id: int, attempts: int, now: dt.datetime
    ) -> None:
        session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.state == "running", JobRow.attempts == attempts)
            .values(
                state="failed",
                locked_until=None,
                finished_at=now,
                last_error=f"gave up after {attempts} attempts: each runner that claimed it"
                " stopped before finishing (its lease ran out)",
            )
        )

    def _max_attempts(self, kind: str) -> int:
        return self.registry.spec(kind).max_attempts or self.max_attempts


def _rowcount(result: object) -> int:
    count = getattr(result, "rowcount", None)
    return count if isinstance(count, int) else 0


def _describe(exc: Exception) -> str:
    # A failed statement's message includes its bound values, which may be personal data:
    # keep the first line of the database's own message (PostgreSQL puts values on a DETAIL
    # line after it).
    if isinstance(exc, StatementError) and exc.orig is not None:
        inner = str(exc.orig).strip().splitlines()
        return f"{type(exc.orig).__name__}: {inner[0] if inner else ''}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
