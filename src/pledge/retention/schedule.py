"""The retention sweep as a job: run on the schedule's slots, or once when staff ask.

A scheduled sweep is the job "retention.sweep" whose ref is its slot ("2026-12-05T03:00Z",
pledge.retention.slots); one started by hand has the ref "manual:<moment>:<user id>". Each
ref is new, so the job running one slot can queue the next without meeting the queue's rule
of one unfinished job per (kind, ref). The next slot is counted from the moment the job
runs, not from its slot: a server that was down for days sweeps once when it is back, then
keeps to the schedule.

The server calls `ensure_scheduled` at start, which queues the next slot when none is
queued, replaces a queued slot the settings no longer give, and leaves a missed one to run
at once. A sweep commits batch by batch in transactions of its own (pledge.retention.sweep),
so the job runs with `own_transactions`: no store transaction is held around it. Before
sweeping it queues the end of every legal hold past its last day (holds.py), which finishes
the erasures the hold kept tables from (pledge.retention.hold_release), and deletes the
download packages whose link expired or whose person's data was erased since
(pledge.rights.package_expiry): the sweep is the one periodic run, and one statement each
takes them all, however long the server was down.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pledge.jobs.queue import enqueue
from pledge.jobs.registry import JobContext, job
from pledge.retention.holds import queue_ended_holds
from pledge.retention.slots import SweepSchedule, slot_of, slot_ref
from pledge.retention.sweep import run_sweep
from pledge.rights import package_expiry
from pledge.store.tables import JOB_UNFINISHED, JobRow, UserRow

SWEEP_JOB = "retention.sweep"
SCHEDULE_STARTER = "schedule"
MANUAL_PREFIX = "manual:"
# Longer than the runner's five minutes: a sweep of a large table takes a while, and
# another runner must not take it over while it is still at work.
SWEEP_LEASE = dt.timedelta(hours=1)


@job(SWEEP_JOB, own_transactions=True, lease=SWEEP_LEASE)
def sweep_job(ctx: JobContext, ref: str) -> None:
    """Sweep now; a scheduled one first queues the slot after it."""
    if slot_of(ref) is not None:
        # Queued before sweeping: a sweep that fails for good must not end the schedule.
        # The schedule is read where the services' configuration is (the process's
        # environment), as the server's settings read it.
        schedule = SweepSchedule.from_environ(ctx.services.environ)
        with ctx.store.session(write=True) as session:
            queue_next(session, schedule, after=ctx.now)
    with ctx.store.session(write=True) as session:
        # Holds past their last day free what they kept from erasures too (holds.py).
        queue_ended_holds(session, now=ctx.now)
        # A copy of a person's data ends with its offer, or with their erasure.
        package_expiry.delete_expired(session, now=ctx.now, actor=ctx.actor)
        package_expiry.delete_erased(session, now=ctx.now, actor=ctx.actor)
        started_by = starter_of(session, ref)
    run_sweep(ctx.store, ctx.services, now=ctx.now, dry_run=False, started_by=started_by)


def queue_next(session: Session, schedule: SweepSchedule, *, after: dt.datetime) -> str | None:
    """Queue the schedule's first slot after `after`; its ref, or None when the schedule is off."""
    slot = schedule.next_slot(after)
    if slot is None:
        return None
    ref = slot_ref(slot)
    enqueue(session, SWEEP_JOB, ref, run_after=slot, now=after)
    return ref


def ensure_scheduled(
    session: Session, schedule: SweepSchedule, *, now: dt.datetime
) -> dt.datetime | None:
    """Make the queue agree with `schedule`, at server start; when the next scheduled sweep runs.

    A slot already due (missed while the server was down) or running is left to run once:
    its job queues the next. Otherwise the next slot is queued, and a slot queued under other
    settings is dropped; with the schedule off, every slot still waiting is.
    """
    waiting = _scheduled(session)
    if schedule.off:
        _drop(session, [row.id for row in waiting if row.state == "pending"])
        return None
    due = [row.run_after for row in waiting if row.state == "running" or row.run_after <= now]
    if due:
        return min(due)
    slot = schedule.next_slot(now)
    assert slot is not None  # the schedule is on
    _drop(session, [row.id for row in waiting if row.ref != slot_ref(slot)])
    queue_next(session, schedule, after=now)
    return slot


def queue_manual(session: Session, *, user_id: int, now: dt.datetime) -> str:
    """Queue a sweep to run at once for the member of staff `user_id`; its job ref.

    The ref holds the second and the person, so a button pressed twice in one second
    queues one sweep.
    """
    ref = f"{MANUAL_PREFIX}{now.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}:{user_id}"
    enqueue(session, SWEEP_JOB, ref, run_after=now, now=now)
    return ref


def next_sweep(session: Session) -> dt.datetime | None:
    """When the next sweep waiting in the queue is due (scheduled or asked for); None if none."""
    return session.scalar(
        select(JobRow.run_after)
        .where(JobRow.kind == SWEEP_JOB, JobRow.state == "pending")
        .order_by(JobRow.run_after)
        .limit(1)
    )


def unfinished_sweeps(session: Session) -> list[JobRow]:
    """The sweep jobs waiting or running, soonest first."""
    return list(
        session.scalars(
            select(JobRow)
            .where(JobRow.kind == SWEEP_JOB, JobRow.state.in_(JOB_UNFINISHED))
            .order_by(JobRow.run_after, JobRow.id)
        )
    )


def _scheduled(session: Session) -> list[JobRow]:
    return [row for row in unfinished_sweeps(session) if slot_of(row.ref) is not None]


def _drop(session: Session, job_ids: list[int]) -> None:
    if job_ids:
        # Only while still pending: a runner may have claimed one meanwhile.
        session.execute(delete(JobRow).where(JobRow.id.in_(job_ids), JobRow.state == "pending"))


def starter_of(session: Session, ref: str) -> str:
    """Who or what queued the sweep `ref`: "schedule", or "staff:<username>" as the
    console's actions sign."""
    if slot_of(ref) is not None:
        return SCHEDULE_STARTER
    _, _, user_id = ref.rpartition(":")
    username = (
        session.scalar(select(UserRow.username).where(UserRow.id == int(user_id)))
        if user_id.isdigit()
        else None
    )
    return f"staff:{username}" if username else "staff"
