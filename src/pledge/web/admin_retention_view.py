"""What the console's retention page shows, read from the store: runs, holds, children.

Sweeps are shown by their counts and the names of tables and rules, never by a value from
the company's rows; of the archive, only how many rows it holds (the role legal opens them,
pledge.web.admin_archive). Holds and children name the person staff recorded them for, as the
request pages do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pledge.errors import NotFound
from pledge.retention.archive import archive_count
from pledge.retention.holds import active_holds
from pledge.retention.schedule import next_sweep, starter_of, unfinished_sweeps
from pledge.retention.slots import slot_of
from pledge.store.tables import SubjectEventRow, SweepResultRow, SweepRunRow
from pledge.web.admin_console_view import moment_words

RUNS_SHOWN = 20
CHILDREN_SHOWN = 50


@dataclass(frozen=True)
class RunLine:
    """One sweep in the list: a run recorded in the store, or a job still queued."""

    id: int | None  # the run's; None for a queued job
    when: str
    started_by: str
    kind: str  # "sweep", "dry run"
    state: str
    deleted: int
    anonymised: int
    held: int
    referenced: int
    duration: str
    error: str


@dataclass(frozen=True)
class HoldLine:
    email: str
    scope: str
    reason: str
    until: str


@dataclass(frozen=True)
class ChildLine:
    email: str
    occurred_on: str
    recorded_by: str
    handled: str


@dataclass(frozen=True)
class Overview:
    runs: list[RunLine]
    next_sweep: str
    holds: list[HoldLine]
    children: list[ChildLine]
    archived: int  # rows in the archive


@dataclass(frozen=True)
class ResultLine:
    table: str
    rules: str
    action: str
    deleted: int
    anonymised: int
    held: int
    referenced: int
    batches: int
    longest_batch: str
    duration: str
    done: bool
    notes: list[str]
    archived: int = 0
    archive_deleted: int = 0


@dataclass(frozen=True)
class RunPage:
    run: RunLine
    as_of: str
    results: list[ResultLine]


def overview(session: Session, now: dt.datetime) -> Overview:
    coming = next_sweep(session)
    return Overview(
        runs=[*_queued(session), *recent_runs(session)],
        next_sweep=moment_words(coming) if coming else "",
        holds=_holds(session, now.date()),
        children=_children(session),
        archived=archive_count(session),
    )


def recent_runs(session: Session, limit: int = RUNS_SHOWN) -> list[RunLine]:
    """The latest runs, newest first, with their tables' counts summed by the database."""
    totals = (
        select(
            SweepResultRow.run_id,
            func.sum(SweepResultRow.deleted).label("deleted"),
            func.sum(SweepResultRow.anonymised).label("anonymised"),
            func.sum(SweepResultRow.held).label("held"),
            func.sum(SweepResultRow.referenced).label("referenced"),
        )
        .group_by(SweepResultRow.run_id)
        .subquery()
    )
    rows = session.execute(
        select(
            SweepRunRow, totals.c.deleted, totals.c.anonymised, totals.c.held, totals.c.referenced
        )
        .outerjoin(totals, totals.c.run_id == SweepRunRow.id)
        .order_by(SweepRunRow.started_at.desc(), SweepRunRow.id.desc())
        .limit(limit)
    )
    return [
        _run_line(run, int(deleted or 0), int(anonymised or 0), int(held or 0), int(ref or 0))
        for run, deleted, anonymised, held, ref in rows
    ]


def run_page(session: Session, run_id: int) -> RunPage:
    run = session.get(SweepRunRow, run_id)
    if run is None:
        raise NotFound(f"there is no sweep run {run_id}")
    results = list(
        session.scalars(
            select(SweepResultRow)
            .where(SweepResultRow.run_id == run_id)
            .order_by(SweepResultRow.source, SweepResultRow.table_name)
        )
    )
    line = _run_line(
        run,
        sum(r.deleted for r in results),
        sum(r.anonymised for r in results),
        sum(r.held for r in results),
        sum(r.referenced for r in results),
    )
    return RunPage(line, moment_words(run.as_of), [_result_line(r) for r in results])


def _queued(session: Session) -> list[RunLine]:
    """Sweeps asked for and not yet recorded as runs: started by hand, or a slot now due."""
    lines = []
    for row in unfinished_sweeps(session):
        scheduled = slot_of(row.ref) is not None
        if scheduled and row.state == "pending":
            continue  # a slot to come: shown as the next sweep
        lines.append(
            RunLine(
                id=None,
                when=moment_words(row.run_after),
                started_by=starter_of(session, row.ref),
                kind="sweep",
                state="queued" if row.state == "pending" else "starting",
                deleted=0,
                anonymised=0,
                held=0,
                referenced=0,
                duration="",
                error=row.last_error or "",
            )
        )
    return lines


def _run_line(
    run: SweepRunRow, deleted: int, anonymised: int, held: int, referenced: int
) -> RunLine:
    took = run.finished_at - run.started_at if run.finished_at else None
    return RunLine(
        id=run.id,
        when=moment_words(run.started_at),
        started_by=run.started_by,
        kind="dry run" if run.dry_run else "sweep",
        state=run.state,
        deleted=deleted,
        anonymised=anonymised,
        held=held,
        referenced=referenced,
        duration=_seconds(took.total_seconds()) if took is not None else "",
        error=run.error or "",
    )


def _result_line(row: SweepResultRow) -> ResultLine:
    return ResultLine(
        table=f"{row.source}.{row.table_name}",
        rules=", ".join(row.rules),
        action=row.action,
        deleted=row.deleted,
        anonymised=row.anonymised,
        held=row.held,
        referenced=row.referenced,
        batches=row.batches,
        longest_batch=_seconds(row.longest_batch_ms / 1000),
        duration=_seconds(row.duration_ms / 1000),
        done=row.done,
        notes=list(row.notes),
        archived=row.archived,
        archive_deleted=row.archive_deleted,
    )


def _holds(session: Session, today: dt.date) -> list[HoldLine]:
    return [
        HoldLine(
            email=row.identity_value,
            scope=", ".join(row.scope) if row.scope else "every table",
            reason=row.reason,
            until=row.until.isoformat() if row.until else "until released",
        )
        for row in active_holds(session, as_of=today)
    ]


def _children(session: Session) -> list[ChildLine]:
    rows = session.scalars(
        select(SubjectEventRow)
        .where(SubjectEventRow.kind == "child")
        # Those still to erase first, then the latest.
        .order_by(SubjectEventRow.handled_at.is_not(None), SubjectEventRow.recorded_at.desc())
        .limit(CHILDREN_SHOWN)
    )
    return [
        ChildLine(
            email=row.identity_value,
            occurred_on=row.occurred_on.isoformat(),
            recorded_by=row.recorded_by,
            handled=f"erased {moment_words(row.handled_at)}"
            if row.handled_at
            else "to erase at the next sweep",
        )
        for row in rows
    ]


def _seconds(seconds: float) -> str:
    if seconds < 1:
        return f"{round(seconds * 1000)} ms"
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min"
