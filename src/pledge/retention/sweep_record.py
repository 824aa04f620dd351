"""What a sweep leaves in the store: its run, and per table a result updated batch by batch.

A batch's store transaction is committed inside the company transaction that did the batch,
just before that one commits: the journal then never misses a batch that was committed. If
the company's commit fails after it, the journal names rows that were due and are still
there; a replay or the next sweep takes them, which is what was meant for them anyway.
A batch that archives rows (pledge.retention.sweep_archive) also seals them into the archive
in that same store transaction.

When a table is finished, its archived rows whose archive ended are deleted from the archive
in the transaction that records it (`finish_table`), and counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.errors import PledgeError
from pledge.retention.archive import Archived, add_archived, purge_archive
from pledge.retention.journal import Action as JournalAction
from pledge.retention.journal import journal_batch
from pledge.retention.rules import Place, TableRetention
from pledge.retention.sweep_report import TableSweep, holds_in, rows
from pledge.sources.erasure_sql import Key
from pledge.sources.values_codec import EncodedKeys
from pledge.store import Store
from pledge.store.tables import SweepResultRow, SweepRunRow

_ERROR_LENGTH = 2000


@dataclass
class Tally:
    """A table's counts so far in this run, the earlier attempts of a resumed run included."""

    deleted: int = 0
    anonymised: int = 0
    archived: int = 0
    batches: int = 0
    longest: float = 0.0  # seconds
    seconds: float = 0.0

    @property
    def changed(self) -> int:
        return self.deleted + self.anonymised


def start_run(store: Store, *, as_of: dt.datetime, dry_run: bool, started_by: str) -> int:
    with store.session(write=True) as session:
        run = SweepRunRow(
            dry_run=dry_run,
            state="running",
            as_of=as_of,
            started_at=_now(),
            started_by=started_by[:120],
        )
        session.add(run)
        session.flush()
        return run.id


def run_moment(store: Store, run_id: int) -> dt.datetime:
    """The as-of moment of run `run_id`."""
    with store.session() as session:
        return _run(session, run_id).as_of


def resume_run(store: Store, run_id: int, *, dry_run: bool) -> dt.datetime:
    """Mark run `run_id` as running again; its as-of moment."""
    with store.session(write=True) as session:
        run = _run(session, run_id)
        if run.state == "done":
            raise PledgeError(f"sweep run {run_id} is already done", "start a new sweep instead")
        if run.dry_run != dry_run:
            kind = "a dry run" if run.dry_run else "a real sweep"
            raise PledgeError(
                f"sweep run {run_id} is {kind}",
                "resume it as it was started (with or without --dry-run)",
            )
        run.state, run.error, run.finished_at = "running", None, None
        return run.as_of


def finish_run(store: Store, run_id: int, *, error: str | None = None) -> None:
    with store.session(write=True) as session:
        run = session.get(SweepRunRow, run_id)
        assert run is not None
        run.state = "failed" if error else "done"
        run.error = error[:_ERROR_LENGTH] if error else None
        run.finished_at = _now()


def done_tables(store: Store, run_id: int, dry_run: bool) -> dict[Place, TableSweep]:
    """The tables an earlier attempt of this run finished, as reported then."""
    with store.session() as session:
        found = session.scalars(
            select(SweepResultRow).where(SweepResultRow.run_id == run_id, SweepResultRow.done)
        )
        return {(row.source, row.table_name): _reported(row, dry_run) for row in found}


def begin_table(store: Store, run_id: int, retention: TableRetention) -> Tally:
    """The table's result row (made on first sight) and what earlier attempts did."""
    with store.session(write=True) as session:
        row = _result(session, run_id, retention)
        return Tally(
            deleted=row.deleted,
            anonymised=row.anonymised,
            archived=row.archived,
            batches=row.batches,
            longest=row.longest_batch_ms / 1000,
            seconds=row.duration_ms / 1000,
        )


def record_batch(
    store: Store,
    run_id: int,
    retention: TableRetention,
    keys: Sequence[Key] | EncodedKeys,
    *,
    tally: Tally,
    journal_key: bytes,
) -> None:
    """The batch's keys into the journal and its counts into the result, in one transaction."""
    action: JournalAction = "deleted" if retention.action == "delete" else "anonymised"
    with store.session(write=True) as session:
        _journal(session, run_id, retention, ((action, keys),), journal_key, _now())
        _tally_into(_result(session, run_id, retention), tally)


def record_archive_batch(
    store: Store,
    run_id: int,
    retention: TableRetention,
    *,
    archived: Sequence[Archived],
    deleted: Sequence[Key],
    anonymised: Sequence[Key],
    tally: Tally,
    journal_key: bytes,
) -> None:
    """A batch of the archive pass: its rows sealed into the archive, the keys of those
    deleted or anonymised in the table into the journal, and the counts, in one transaction.
    The journal's key also seals the archive (both are the package key)."""
    now = _now()
    with store.session(write=True) as session:
        add_archived(
            session,
            source=retention.source,
            table=retention.table,
            rows=archived,
            run_id=run_id,
            package_key=journal_key,
            now=now,
        )
        entries: tuple[tuple[JournalAction, Sequence[Key]], ...] = (
            ("deleted", deleted),
            ("anonymised", anonymised),
        )
        _journal(session, run_id, retention, [e for e in entries if e[1]], journal_key, now)
        _tally_into(_result(session, run_id, retention), tally)


def _journal(
    session: Session,
    run_id: int,
    retention: TableRetention,
    entries: Sequence[tuple[JournalAction, Sequence[Key] | EncodedKeys]],
    key: bytes,
    now: dt.datetime,
) -> None:
    """The keys a batch of this run deleted or anonymised, into the journal of erasures."""
    for action, keys in entries:
        journal_batch(
            session,
            source=retention.source,
            table=retention.table,
            action=action,
            cause=f"sweep:{run_id}",
            keys=keys,
            key=key,
            now=now,
        )


def finish_table(
    store: Store,
    run_id: int,
    retention: TableRetention,
    *,
    tally: Tally,
    held: int,
    referenced: int,
    notes: Sequence[str],
    as_of: dt.datetime | None = None,
    dry_run: bool = False,
) -> int:
    """The table's result, done; with `as_of`, its archived rows whose archive ended by then
    deleted (a dry run counts them), and how many, also said in a note."""
    with store.session(write=True) as session:
        purged = 0
        if as_of is not None:
            purged = purge_archive(
                session,
                source=retention.source,
                table=retention.table,
                as_of=as_of,
                dry_run=dry_run,
            )
        row = _result(session, run_id, retention)
        notes = [*notes, *purge_notes(purged, dry_run=dry_run)]
        _tally_into(row, tally)
        row.held, row.referenced, row.notes, row.done = held, referenced, list(notes), True
        row.archive_deleted = purged
        return purged


def purge_notes(purged: int, *, dry_run: bool) -> list[str]:
    """What a table's result says of the rows deleted from the archive."""
    if not purged:
        return []
    verb = "would be deleted" if dry_run else "deleted"
    return [f"{rows(purged)} {verb} from the archive: their archive ended"]


def _run(session: Session, run_id: int) -> SweepRunRow:
    run = session.get(SweepRunRow, run_id)
    if run is None:
        raise PledgeError(f"there is no sweep run {run_id}", "resume a run the store lists")
    return run


def _tally_into(row: SweepResultRow, tally: Tally) -> None:
    row.deleted, row.anonymised, row.batches = tally.deleted, tally.anonymised, tally.batches
    row.archived = tally.archived
    row.longest_batch_ms = round(tally.longest * 1000)
    row.duration_ms = round(tally.seconds * 1000)


def _result(session: Session, run_id: int, retention: TableRetention) -> SweepResultRow:
    """The table's result row in this run, made on first sight."""
    query = select(SweepResultRow).where(
        SweepResultRow.run_id == run_id,
        SweepResultRow.source == retention.source,
        SweepResultRow.table_name == retention.table,
    )
    row = session.scalars(query).one_or_none()
    if row is None:
        row = SweepResultRow(
            run_id=run_id,
            source=retention.source,
            table_name=retention.table,
            rules=list(retention.rule_names),
            action=retention.action,
            deleted=0,
            anonymised=0,
            archived=0,
            archive_deleted=0,
            held=0,
            referenced=0,
            batches=0,
            longest_batch_ms=0,
            duration_ms=0,
            done=False,
            notes=[],
        )
        session.add(row)
    return row


def _reported(row: SweepResultRow, dry_run: bool) -> TableSweep:
    # A dry run records what it would do as done: expired = would go + referenced. Rows of a
    # table to delete from that are anonymised are referenced rows: counted once.
    deletes = row.action == "delete"
    expired = row.referenced + (row.deleted if deletes else row.anonymised)
    return TableSweep(
        source=row.source,
        table=row.table_name,
        rules=tuple(row.rules),
        action=row.action,
        expired=expired,
        deleted=0 if dry_run else row.deleted,
        anonymised=0 if dry_run else row.anonymised,
        held=row.held,
        holds=holds_in(row.notes),
        referenced=row.referenced,
        batches=row.batches,
        longest_batch_seconds=row.longest_batch_ms / 1000,
        seconds=row.duration_ms / 1000,
        notes=tuple(row.notes),
        referenced_anonymised=row.anonymised if deletes else 0,
        archived=row.archived,
        archive_deleted=row.archive_deleted,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
