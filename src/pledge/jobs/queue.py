"""Putting work on the queue, in the caller's transaction.

A job is inserted in the same transaction as the state change that calls for it: if that
transaction commits, the work is queued; if it rolls back, no job refers to a change that
never happened. Nothing accepted is lost, and nothing is queued for nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pledge.errors import PledgeError
from pledge.store.tables import JOB_UNFINISHED, JobRow

# The partial unique index's own predicate, written the same way, so both SQLite and
# PostgreSQL recognise it as the conflict target.
_UNFINISHED = text(f"state IN ({', '.join(repr(state) for state in JOB_UNFINISHED)})")


def enqueue(
    session: Session,
    kind: str,
    ref: str,
    *,
    run_after: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Queue `kind` for the row `ref` and return the job's id.

    Idempotent: while a job of the same kind for the same row is pending or running, that
    job's id is returned and no second one is made. The database enforces it (a unique
    index over unfinished jobs), so two processes enqueueing at once make one job.
    """
    moment = now or dt.datetime.now(dt.UTC)
    values = {
        "kind": kind,
        "ref": ref,
        "state": "pending",
        "attempts": 0,
        "run_after": run_after or moment,
        "created_at": moment,
    }
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(
            postgresql.insert(JobRow)
            .values(values)
            .on_conflict_do_nothing(index_elements=["kind", "ref"], index_where=_UNFINISHED)
        )
    elif dialect == "sqlite":
        session.execute(
            sqlite.insert(JobRow)
            .values(values)
            .on_conflict_do_nothing(index_elements=["kind", "ref"], index_where=_UNFINISHED)
        )
    else:  # the store runs on SQLite or PostgreSQL only (pledge.store.database)
        raise PledgeError(
            f"the job queue needs a SQLite or PostgreSQL store, not {dialect}",
            "point --store or PLEDGE_STORE_URL at SQLite or PostgreSQL",
        )
    return session.scalars(
        select(JobRow.id).where(
            JobRow.kind == kind, JobRow.ref == ref, JobRow.state.in_(JOB_UNFINISHED)
        )
    ).one()


def given_up(jobs: Iterable[JobRow], kinds: Collection[str]) -> list[JobRow]:
    """Of `jobs`, those of `kinds` that failed for good: the last job of its kind and ref
    failed, so that work will not run again unless it is queued anew (by `enqueue`)."""
    last: dict[tuple[str, str], JobRow] = {}
    for row in sorted(jobs, key=lambda job: job.id):
        if row.kind in kinds:
            last[(row.kind, row.ref)] = row
    return [row for row in last.values() if row.state == "failed"]
