"""Finishing a request erasure that legal holds kept tables from, once nothing holds them.

An erasure leaves the person's rows in the tables a hold keeps (held_erasure.py) and closes
with them reported as kept. For each source where that happened, its journal keeps, sealed,
the values that find what is left of the person and the keys of the rows kept
(pledge.rights.erasure_run). Two jobs finish it:

- "retention.hold_ended" (ref: the hold's id), queued when staff release a hold and by each
  sweep for a hold past its last day (holds.py), finds the closed erasure requests of the
  hold's person whose journal still keeps rows of the hold's tables, and queues the next
  job for each of those sources.
- "request.finish_held_erasure" (ref "REF:source"), also queued by the erasure as it closes
  (a hold may end while it runs): when a table it kept is no longer held by any hold in
  force, the source is erased again, cut down to the rows whose keys the journal holds:
  those kept, and those the erasure anonymised (rows kept may have referred to them, which
  kept them from being deleted). Each row is still read by its whole chain from the values
  kept, so a row the person added since, or a key given to someone else's row, is never
  touched. Tables another hold still keeps are kept again, with their keys.

What it does is recorded where the erasure records its own: the keys of the rows deleted
and anonymised in the journal of what must stay gone (cause "request:<ref>", so `pledge
replay-erasures` applies them again), an event on the request's timeline, and the
recipients of the data erased told (pledge.rights.recipients: one notice per recipient and
request, so a recipient told of the erasure already is not told twice; its notice named
every category it receives). Once no table is kept the values are wiped from the journal,
and the job does nothing when run again. Rows kept that the values no longer find (changed
or deleted by hand since) are counted on the timeline and left as they are.

Until then, the sweep keeps those rows by the same keys (`kept_keys`, for
pledge.retention.people) while a hold in force covers their table: once the erasure
anonymised the row that led to them, the person's email no longer finds them.

A child's erasure (children.py) is finished the same way (held_child.py): the hold's job
also queues "retention.finish_held_child" for the person's child erasures that keep rows of
the hold's tables, and `kept_keys` counts the keys those keep too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pledge.errors import NotFound
from pledge.jobs.queue import enqueue
from pledge.jobs.registry import JobContext, job

# Module imports, as in pledge.rights.erasure_run: the journal seals with pledge.rights,
# whose jobs import this module; bound at call time, the cycle does no harm.
from pledge.retention import erased_keys, held_child
from pledge.retention.held_erasure import (
    FINISH_HELD_JOB,
    add_held_keys,
    erase_source_apart,
    finished_note,
    held_keys,
    keeps_rows_in,
    not_found_again,
    pinned_plan,
    without_held_keys,
)
from pledge.retention.holds import (
    HOLD_ENDED_JOB,
    PersonHold,
    Place,
    hold_places,
    hold_state,
    person_holds,
)
from pledge.rights.deadlines import local_day
from pledge.rights.erasure_run import erased_scope, journal_gone, journal_values
from pledge.rights.events import record_event
from pledge.rights.package_crypto import seal, unseal
from pledge.rights.recipients import plan_notices
from pledge.rights.requests import get_request
from pledge.rights.subject_rows import build_request_plan
from pledge.sources.access import Params
from pledge.sources.erasure import SourceErasure
from pledge.sources.erasure_sql import Key
from pledge.sources.values_codec import decode_params, encode_params
from pledge.store.tables import ErasureJournalRow, LegalHoldRow, RequestRow

# An erasure that closed: one denied is not finished for it.
FINISHED = ("completed", "partially_completed")


@job(HOLD_ENDED_JOB, throws=(NotFound,))
def hold_ended(ctx: JobContext, ref: str) -> None:
    """Queue the end of each erasure the hold kept tables from, a request's or a child's;
    nothing while it holds."""
    hold = ctx.session.get(LegalHoldRow, int(ref)) if ref.isdigit() else None
    if hold is None:
        raise NotFound(f"no legal hold {ref}")
    if hold_state(hold, ctx.now.date()) == "in force":
        return
    places = set(hold_places(ctx.services.declaration, hold))
    for request_id, source in kept_by(ctx.session, hold.identity_value, places):
        enqueue(ctx.session, FINISH_HELD_JOB, f"{request_id}:{source}", now=ctx.now)
    for run_id, source in held_child.kept_by(ctx.session, hold.identity_value, places):
        enqueue(ctx.session, held_child.FINISH_HELD_CHILD_JOB, f"{run_id}:{source}", now=ctx.now)


def kept_by(session: Session, email: str, places: set[Place]) -> list[tuple[str, str]]:
    """(request, source) of the person's closed erasures whose journal still keeps rows that
    a legal hold kept in one of `places`; `email` in lower case, as holds name people."""
    return [(e.request_id, e.source) for e in _keeping(session, email, places, FINISHED)]


def kept_keys(
    session: Session, email: str, places: set[Place], key: bytes
) -> dict[Place, set[Key]]:
    """Per table of `places`, the keys of the person's rows that their erasures kept under a
    legal hold and still keep, sealed, in their journal: once the erasure anonymised the row
    that led to them, the person's values no longer find them, these keys do (for the sweep,
    pledge.retention.people). An erasure still running counts once a source is done: the
    rows it kept there may already be cut off from the person. The keys the person's child
    erasures keep count too (held_child.py)."""
    found = held_child.kept_keys(session, email, places, key)
    for entry in _keeping(session, email, places, None):
        assert entry.params is not None  # _keeping takes only entries that keep values
        sealed = unseal(entry.params, key, ref=f"{entry.request_id}:{entry.source}")
        add_held_keys(found, entry.source, decode_params(sealed), places)
    return found


def _keeping(
    session: Session, email: str, places: set[Place], states: Sequence[str] | None
) -> list[ErasureJournalRow]:
    """The journal entries of the person's erasures (in `states`; None: any) that still keep
    rows a legal hold kept in one of `places`, oldest first."""
    query = (
        select(ErasureJournalRow)
        .join(RequestRow, RequestRow.id == ErasureJournalRow.request_id)
        .where(func.lower(RequestRow.email) == email, ErasureJournalRow.params.is_not(None))
        .order_by(ErasureJournalRow.id)
    )
    if states is not None:
        query = query.where(RequestRow.state.in_(states))
    return [e for e in session.scalars(query) if keeps_rows_in(e.source, e.outcome, places)]


@job(FINISH_HELD_JOB, throws=(NotFound,))
def finish_held_erasure(ctx: JobContext, ref: str) -> None:
    """Erase, in one source of a closed erasure, the rows legal holds kept that nothing
    holds now; idempotent: what it finished, it no longer keeps the keys of."""
    request_ref, _, source = ref.rpartition(":")
    session = ctx.session
    row = get_request(session, request_ref)
    entry = session.scalars(
        select(ErasureJournalRow)
        .where(ErasureJournalRow.request_id == row.id, ErasureJournalRow.source == source)
        .with_for_update()
    ).first()
    if entry is None:
        raise NotFound(f"request {row.id} has no erasure in source '{source}'")
    if row.state not in FINISHED or entry.params is None:
        return
    values = journal_values(ctx, entry)
    kept = held_keys(values)
    if not kept:
        entry.params = None  # nothing was kept: the values have no use left
        return
    today = local_day(ctx.now, row.jurisdiction)
    holds = person_holds(session, ctx.services.declaration, email=row.email, as_of=today)
    freed = [table for table in kept if (source, table) not in holds]
    if not freed:
        return
    done = _erase_kept(ctx, row, source, values, holds, today)
    _record(ctx, row, entry, done, kept=kept, freed=freed)


def _record(
    ctx: JobContext,
    row: RequestRow,
    entry: ErasureJournalRow,
    done: SourceErasure,
    *,
    kept: Mapping[str, Sequence[Key]],
    freed: list[str],
) -> None:
    """What was erased, where the erasure recorded its own, in the job's transaction."""
    session, declaration = ctx.session, ctx.services.declaration
    journal_gone(ctx, row.id, done)
    entry.params = None
    if held_keys(done.recheck):  # another hold still keeps some: kept for when it ends
        key = ctx.services.keys.package
        entry.params = seal(encode_params(done.recheck), key, ref=f"{row.id}:{entry.source}")
    note = finished_note(entry.source, freed, done, not_found_again(kept, freed, done))
    record_event(session, row.id, ctx.now, "result", None, None, ctx.actor, note)
    categories, activities = erased_scope(declaration, [done])
    if categories:
        plan_notices(
            session, declaration, row, categories=categories, activities=activities, now=ctx.now
        )


def _erase_kept(
    ctx: JobContext,
    row: RequestRow,
    source: str,
    values: Params,
    holds: Mapping[Place, PersonHold],
    today: dt.date,
) -> SourceErasure:
    services = ctx.services
    declaration = services.declaration
    if source not in declaration.sources:
        raise NotFound(
            f"source '{source}' is no longer declared: the rows request {row.id} kept there "
            "under a legal hold cannot be erased by Pledge",
            "declare the source again, or erase them by hand",
        )
    pinned = {table: list(keys) for table, keys in held_keys(values).items()}
    anonymised = erased_keys.anonymised_keys(
        ctx.session, source=source, cause=f"request:{row.id}", key=services.keys.package
    )
    for table, keys in anonymised.items():
        pinned.setdefault(table, []).extend(keys)
    plan = pinned_plan(build_request_plan(services, declaration, row), source, pinned)
    return erase_source_apart(
        plan,
        source,
        services.engines()[source],
        without_held_keys(values),
        declaration,
        held=holds,
        today=today,
        hash_key=services.keys.package,
        schema=services.schemas()[source],
    )
