"""Finishing a child's erasure that legal holds kept tables from, once nothing holds them.

A child's erasure (children.py) leaves the person's rows in the tables a hold keeps
(held_erasure.py), as a request's erasure does. For each source where that happened, a
ChildErasureRow, written with the child's results in their transaction, keeps sealed the
values that find what is left of the child and the keys of the rows kept, and what the
erasure did there (tables held, and by which holds: no values).

- While a hold in force covers their table, sweeps keep those rows by these keys
  (`kept_keys`, read with the requests' by pledge.retention.hold_release for
  pledge.retention.people): once the child's customer row is anonymised, their email no
  longer leads to them.
- "retention.hold_ended" (hold_release.py) queues "retention.finish_held_child" (ref
  "<run id>:<source>", the run being the child's audit run) for each of the person's
  records that keep rows of the hold's tables; the child's erasure queues it too as it
  records the source, since a hold may end while the erasure runs. When a table it kept is
  no longer held by any hold in force, the source is erased again as a request's is
  finished: cut down to the rows kept and those the child's erasure anonymised (rows kept
  may have referred to them), each still read by its whole chain from the values kept, so
  a row added since, or a key given to someone else's row, is never touched. Tables
  another hold still keeps are kept again, with their keys.

What it does is recorded on the child's audit run, which names no one: the keys of the rows
deleted and anonymised in the journal of what must stay gone (cause "sweep:<run id>", so
`pledge replay-erasures` applies them again), and the run's result for each table changed:
its rows moved from held (or anonymised) to deleted or anonymised, with a dated note of what
was finished. Once no table is kept the values are wiped, and the job does nothing when run
again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.errors import NotFound
from pledge.jobs.queue import enqueue
from pledge.jobs.registry import JobContext, job

# A module import, as in pledge.rights.erasure_run: the journal seals with pledge.rights,
# whose jobs import this module (through hold_release); bound at call time.
from pledge.retention import erased_keys
from pledge.retention.held_erasure import (
    add_held_keys,
    erase_source_apart,
    finished_note,
    held_keys,
    keeps_rows_in,
    legally_held,
    not_found_again,
    pinned_plan,
    without_held_keys,
)
from pledge.retention.holds import PersonHold, Place, identity_of, person_holds
from pledge.rights.package_crypto import seal, unseal
from pledge.sources.access import Params
from pledge.sources.erasure import SourceErasure, TableErasure
from pledge.sources.plan import build_plan
from pledge.sources.values_codec import Key, decode_params, encode_params
from pledge.store.tables import SubjectEventRow, SweepResultRow
from pledge.store.tables_retention import ChildErasureRow

FINISH_HELD_CHILD_JOB = "retention.finish_held_child"


def keep_held(
    session: Session,
    *,
    event_id: int,
    run_id: int,
    done: SourceErasure,
    key: bytes,
    now: dt.datetime,
) -> None:
    """Record, in `session`'s transaction (the one of the child's results for `done`'s
    source), what legal holds kept there; nothing when they kept nothing. `key` is
    Services.keys.package."""
    outcome = done.as_json()
    if not legally_held(outcome):
        return
    # A table without a primary key has no keys to keep: its rows stay for the rules.
    keeping = bool(held_keys(done.recheck))
    session.add(
        ChildErasureRow(
            event_id=event_id,
            run_id=run_id,
            source=done.source,
            params=_sealed(done.recheck, key, run_id, done.source) if keeping else None,
            outcome=outcome,
        )
    )
    if keeping:
        enqueue(session, FINISH_HELD_CHILD_JOB, f"{run_id}:{done.source}", now=now)


def kept_by(session: Session, email: str, places: set[Place]) -> list[tuple[int, str]]:
    """(audit run, source) of the person's child erasures that still keep rows a legal hold
    kept in one of `places`; `email` in lower case, as holds name people."""
    return [(entry.run_id, entry.source) for entry in _keeping(session, email, places)]


def kept_keys(
    session: Session, email: str, places: set[Place], key: bytes
) -> dict[Place, set[Key]]:
    """Per table of `places`, the keys of the person's rows their child erasures kept under
    a legal hold and still keep, sealed (for the sweep, pledge.retention.people)."""
    found: dict[Place, set[Key]] = {}
    for entry in _keeping(session, email, places):
        add_held_keys(found, entry.source, _values(entry, key), places)
    return found


def _keeping(session: Session, email: str, places: set[Place]) -> list[ChildErasureRow]:
    """The person's records that still keep rows a legal hold kept in one of `places`."""
    kind, value = identity_of(email)
    query = (
        select(ChildErasureRow)
        .join(SubjectEventRow, SubjectEventRow.id == ChildErasureRow.event_id)
        .where(
            SubjectEventRow.identity_kind == kind,
            SubjectEventRow.identity_value == value,
            ChildErasureRow.params.is_not(None),
        )
        .order_by(ChildErasureRow.id)
    )
    return [e for e in session.scalars(query) if keeps_rows_in(e.source, e.outcome, places)]


@job(FINISH_HELD_CHILD_JOB, throws=(NotFound,))
def finish_held_child(ctx: JobContext, ref: str) -> None:
    """Erase, in one source of a child's erasure, the rows legal holds kept that nothing
    holds now; idempotent: what it finished, it no longer keeps the keys of."""
    run, _, source = ref.partition(":")
    session = ctx.session
    entry = (
        session.scalars(
            select(ChildErasureRow)
            .where(ChildErasureRow.run_id == int(run), ChildErasureRow.source == source)
            .with_for_update()
        ).first()
        if run.isdigit()
        else None
    )
    if entry is None:
        raise NotFound(
            f"no child's erasure kept rows under a legal hold in '{ref}'",
            "the reference is <audit run id>:<source>",
        )
    if entry.params is None:
        return
    key = ctx.services.keys.package
    values = _values(entry, key)
    kept = held_keys(values)
    if not kept:
        entry.params = None  # nothing was kept: the values have no use left
        return
    email = session.get_one(SubjectEventRow, entry.event_id).identity_value
    today = ctx.now.date()  # as the sweeps and the child's erasure judge holds
    holds = person_holds(session, ctx.services.declaration, email=email, as_of=today)
    freed = [table for table in kept if (source, table) not in holds]
    if not freed:
        return
    done = _erase_kept(ctx, entry, email, values, holds, today)
    erased_keys.journal_erased(session, done, cause=f"sweep:{entry.run_id}", key=key, now=ctx.now)
    entry.params = None
    if held_keys(done.recheck):  # another hold still keeps some: kept for when it ends
        entry.params = _sealed(done.recheck, key, entry.run_id, source)
    note = finished_note(source, freed, done, not_found_again(kept, freed, done))
    for table in done.tables:
        if (source, table.table) not in holds:
            _move(ctx, entry.run_id, source, table, freed=table.table in freed, note=note)


def _erase_kept(
    ctx: JobContext,
    entry: ChildErasureRow,
    email: str,
    values: Params,
    holds: Mapping[Place, PersonHold],
    today: dt.date,
) -> SourceErasure:
    services = ctx.services
    declaration = services.declaration
    source = entry.source
    if source not in declaration.sources:
        raise NotFound(
            f"source '{source}' is no longer declared: the rows a child's erasure (sweep run "
            f"{entry.run_id}) kept there under a legal hold cannot be erased by Pledge",
            "declare the source again, or erase them by hand",
        )
    pinned: dict[str, list[Key]] = {table: list(keys) for table, keys in held_keys(values).items()}
    anonymised = erased_keys.anonymised_keys(
        ctx.session, source=source, cause=f"sweep:{entry.run_id}", key=services.keys.package
    )
    for table, keys in anonymised.items():
        pinned.setdefault(table, []).extend(keys)
    # The plan's statements depend on the kinds of identity, not on their values: the
    # values kept are what find the rows.
    plan = build_plan(declaration, services.schemas(), {"email": [email]})
    return erase_source_apart(
        pinned_plan(plan, source, pinned),
        source,
        services.engines()[source],
        without_held_keys(values),
        declaration,
        held=holds,
        today=today,
        hash_key=services.keys.package,
        schema=services.schemas()[source],
    )


def _move(
    ctx: JobContext, run_id: int, source: str, table: TableErasure, *, freed: bool, note: str
) -> None:
    """The run's result for `table` brought up to date: rows a hold kept (in a table freed)
    or left anonymised (kept from deletion by rows held) now deleted or anonymised."""
    if not freed and not table.deleted:
        return  # anonymised again, as they were counted
    result = ctx.session.scalars(
        select(SweepResultRow).where(
            SweepResultRow.run_id == run_id,
            SweepResultRow.source == source,
            SweepResultRow.table_name == table.table,
        )
    ).first()
    if result is None:  # the child's erasure recorded every table it found rows in
        declared = ctx.services.declaration.sources[source].tables[table.table]
        result = SweepResultRow(
            run_id=run_id, source=source, table_name=table.table, rules=[],
            action="delete" if declared.erase == "delete_row" else "anonymise",
            deleted=0, anonymised=0, held=0, referenced=0, batches=1, longest_batch_ms=0,
            duration_ms=0, done=True, notes=[],
        )  # fmt: skip
        ctx.session.add(result)
    if freed:
        result.held = max(0, result.held - table.deleted - table.anonymised)
        result.anonymised += table.anonymised
    else:
        result.anonymised = max(0, result.anonymised - table.deleted)
    result.deleted += table.deleted
    # A new list: the JSON column sees a change only when it is assigned.
    result.notes = [*result.notes, f"{ctx.now.date().isoformat()}: {note}"]


def _sealed(values: Params, key: bytes, run_id: int, source: str) -> bytes:
    return seal(encode_params(values), key, ref=_ref(run_id, source))


def _values(entry: ChildErasureRow, key: bytes) -> Params:
    assert entry.params is not None  # only records that keep values are opened
    return decode_params(unseal(entry.params, key, ref=_ref(entry.run_id, entry.source)))


def _ref(run_id: int, source: str) -> str:
    return f"child:{run_id}:{source}"
