"""An erasure across sources that survives a crash: a journal, a job per source, a re-check.

1. `start_erasure` (from the `request.run` job) finds the person in every source BEFORE
   anything is erased, since erasing the shop's customer row loses the email that leads to
   the CRM. It writes one journal row per source holding, sealed, the values that pick the
   person's rows there, and queues one `request.erase_source` job per source, all in one
   transaction: either the whole erasure is planned, or none of it.
2. Each `request.erase_source` job (ref "REF:source") erases one source in one transaction
   of that database (pledge.sources.erasure), then marks its journal row done, keeping
   (sealed) the values that find what was left on purpose, for the re-check. A crash
   before the mark runs the source again, which finds nothing more to do: erasing is
   idempotent. A legal hold on the person keeps the tables of its scope as they are, and
   the summary lists them as kept (pledge.retention.held_erasure). The same transaction
   writes the keys of the rows deleted and anonymised to the journal of what must stay
   gone (pledge.retention.journal), for a backup restore. The sources are independent
   once their values are known, so any number of workers may run them in any order.
3. When the last source is done, `request.finish_erasure` runs the access plan again from
   the journal's values and records that nothing identifiable remains outside the legal
   holds (or what does), wipes the values from the journal, tells the recipients, keeps the
   result and closes the request, deleting the copies of the person's data that earlier
   requests offered for download (pledge.rights.package_expiry).
4. A source where a legal hold kept tables keeps its values, sealed, with the keys of the
   rows kept: once nothing holds them (the hold released or past its last day),
   `request.finish_held_erasure` erases those rows and wipes the values
   (pledge.retention.hold_release).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from pledge.declaration.model import Declaration, text
from pledge.errors import NotFound
from pledge.jobs.queue import enqueue
from pledge.jobs.registry import JobContext, job

# A module import: the journal it writes to seals with pledge.rights.package_crypto, and
# importing pledge.rights imports this module; bound at call time, the cycle does no harm.
from pledge.retention import erased_keys
from pledge.retention.held_erasure import FINISH_HELD_JOB, erase_source_apart, held_keys
from pledge.retention.holds import person_holds
from pledge.rights.deadlines import local_day
from pledge.rights.delivery import store_result
from pledge.rights.events import record_event
from pledge.rights.package_crypto import seal, unseal
from pledge.rights.package_expiry import delete_erased
from pledge.rights.recipients import plan_notices
from pledge.rights.requests import get_request, transition
from pledge.rights.subject_rows import build_request_plan, find_rows, found_anything
from pledge.rights.workflow import CLOSING_MAIL_JOB
from pledge.sources.access import Params
from pledge.sources.erasure import SourceErasure, leftovers
from pledge.sources.values_codec import decode_params, encode_params
from pledge.store.tables import ErasureJournalRow, RequestRow

ERASE_SOURCE_JOB = "request.erase_source"
FINISH_ERASURE_JOB = "request.finish_erasure"


def start_erasure(ctx: JobContext, row: RequestRow) -> None:
    """Journal the erasure of every source and queue the work; a second call only re-queues."""
    session = ctx.session
    journal = _journal(ctx, row.id)
    if not journal:
        declaration = ctx.services.declaration
        plan, result = find_rows(ctx.services, declaration, row)
        key = ctx.services.keys.package
        for source in plan.sources:
            if not source.steps:
                continue
            params = result.params.get(source.name, {})
            entry = ErasureJournalRow(
                request_id=row.id,
                source=source.name,
                state="pending",
                params=seal(encode_params(params), key, ref=f"{row.id}:{source.name}"),
                started_at=ctx.now,
            )
            session.add(entry)
            journal.append(entry)
        session.flush()
        names = ", ".join(e.source for e in journal) or "none"
        record_event(
            session,
            row.id,
            ctx.now,
            "result",
            None,
            None,
            ctx.actor,
            f"erasure planned in each source ({names}); the person was found: "
            f"{'yes' if found_anything(result) else 'no'}",
        )
    pending = [e for e in journal if e.state == "pending"]
    for entry in pending:
        enqueue(session, ERASE_SOURCE_JOB, f"{row.id}:{entry.source}", now=ctx.now)
    if not pending:
        enqueue(session, FINISH_ERASURE_JOB, row.id, now=ctx.now)


@job(ERASE_SOURCE_JOB, throws=(NotFound,))
def erase_one_source(ctx: JobContext, ref: str) -> None:
    request_ref, _, source = ref.rpartition(":")
    row = get_request(ctx.session, request_ref)
    entry = ctx.session.scalars(
        select(ErasureJournalRow)
        .where(ErasureJournalRow.request_id == row.id, ErasureJournalRow.source == source)
        .with_for_update()
    ).first()
    if entry is None:
        raise NotFound(f"request {row.id} has no erasure planned in source '{source}'")
    if entry.state == "pending" and row.state == "running":
        declaration = ctx.services.declaration
        plan = build_request_plan(ctx.services, declaration, row)
        today = local_day(ctx.now, row.jurisdiction)
        done = erase_source_apart(
            plan,
            source,
            ctx.services.engines()[source],
            journal_values(ctx, entry),
            declaration,
            held=person_holds(ctx.session, declaration, email=row.email, as_of=today),
            today=today,
            hash_key=ctx.services.keys.package,
            schema=ctx.services.schemas()[source],
        )
        entry.state, entry.outcome, entry.finished_at = "done", done.as_json(), ctx.now
        journal_gone(ctx, row.id, done)
        # From now on the journal holds what finds the rows left on purpose (anonymised,
        # held), for the re-check: the first values may no longer lead to them.
        entry.params = seal(
            encode_params(done.recheck), ctx.services.keys.package, ref=f"{row.id}:{source}"
        )
        record_event(ctx.session, row.id, ctx.now, "result", None, None, ctx.actor, _said(done))
    if all(e.state == "done" for e in _journal(ctx, row.id)):
        enqueue(ctx.session, FINISH_ERASURE_JOB, row.id, now=ctx.now)


@job(FINISH_ERASURE_JOB, throws=(NotFound,))
def finish_erasure(ctx: JobContext, ref: str) -> None:
    """Check that nothing identifiable remains outside the holds, then close the request."""
    session = ctx.session
    row = get_request(session, ref)
    journal = _journal(ctx, row.id)
    if row.state != "running" or any(e.state != "done" for e in journal):
        return
    declaration = ctx.services.declaration
    given = {e.source: journal_values(ctx, e) for e in journal}
    erased = [SourceErasure.from_json(e.outcome or {}) for e in journal]
    _, after = find_rows(ctx.services, declaration, row, given=given)
    problems = leftovers(after, erased)
    for entry in journal:
        # The values that found the person are not kept past the check, but where a legal
        # hold kept rows: with the keys of those rows, they find them again once nothing
        # holds them, to finish the erasure there (pledge.retention.hold_release).
        if not held_keys(given[entry.source]):
            entry.params = None
    summary = _summary(declaration, erased, found=any(_changed(e) for e in erased))
    categories, activities = erased_scope(declaration, erased)
    told = plan_notices(
        session, declaration, row, categories=categories, activities=activities, now=ctx.now
    )
    summary["recipients"] = [n.recipient for n in told]
    summary["check"] = problems or ["nothing identifiable remains outside the legal holds"]
    store_result(
        session, row.id, summary=summary, package=None, key=ctx.services.keys.package, now=ctx.now
    )
    record_event(
        session,
        row.id,
        ctx.now,
        "result",
        None,
        None,
        ctx.actor,
        "re-check after erasure: " + "; ".join(summary["check"]),
    )
    state = "partially_completed" if problems else "completed"
    note = ("not everything could be erased: " + "; ".join(problems)) if problems else None
    transition(session, row.id, state, actor=ctx.actor, note=note, expected="running", now=ctx.now)
    # Copies of their data made before (access, portability) go with it, at once.
    delete_erased(session, now=ctx.now, actor=ctx.actor, email=row.email)
    enqueue(session, CLOSING_MAIL_JOB, row.id, now=ctx.now)
    for entry in journal:
        if entry.params is not None:  # a hold released while the erasure ran ends here
            enqueue(session, FINISH_HELD_JOB, f"{row.id}:{entry.source}", now=ctx.now)


def journal_of(ctx: JobContext, ref: str) -> list[ErasureJournalRow]:
    return _journal(ctx, ref)


def _journal(ctx: JobContext, ref: str) -> list[ErasureJournalRow]:
    return list(
        ctx.session.scalars(
            select(ErasureJournalRow)
            .where(ErasureJournalRow.request_id == ref)
            .order_by(ErasureJournalRow.id)
        )
    )


def journal_values(ctx: JobContext, entry: ErasureJournalRow) -> Params:
    """The values the journal keeps, sealed, for one source of an erasure (none: wiped)."""
    if entry.params is None:
        return {}
    key = ctx.services.keys.package
    return decode_params(unseal(entry.params, key, ref=f"{entry.request_id}:{entry.source}"))


def journal_gone(ctx: JobContext, ref: str, done: SourceErasure) -> None:
    """What must stay gone after a backup is restored, in the transaction that records what
    the request's erasure did: the journal has these keys exactly when that is recorded."""
    erased_keys.journal_erased(
        ctx.session, done, cause=f"request:{ref}", key=ctx.services.keys.package, now=ctx.now
    )


def _changed(erased: SourceErasure) -> bool:
    return any(t.deleted or t.anonymised or t.held or t.shared for t in erased.tables)


def _said(done: SourceErasure) -> str:
    deleted = sum(t.deleted for t in done.tables)
    anonymised = sum(t.anonymised for t in done.tables)
    held = sum(t.held for t in done.tables)
    shared = sum(t.shared for t in done.tables)
    return (
        f"{done.source}: {deleted} rows deleted, {anonymised} anonymised, {held} kept under a"
        f" legal hold, {shared} shared with others left as they are"
    )


def _summary(
    declaration: Declaration, erased: list[SourceErasure], *, found: bool
) -> dict[str, Any]:
    tables = {
        f"{e.source}.{t.table}": {
            "deleted": t.deleted,
            "anonymised": t.anonymised,
            "held": t.held,
            "shared": t.shared,
        }
        for e in erased
        for t in e.tables
    }
    kept = [
        {
            "source": e.source,
            "table": t.table,
            "rules": list(t.holds),
            "until": t.held_until.isoformat() if t.held_until else None,
            "required_by": [
                text(declaration.retention[r].required_by, "en")
                for r in t.holds
                if r in declaration.retention and declaration.retention[r].required_by
            ],
        }
        for e in erased
        for t in e.tables
        if t.held
    ]
    return {"found": found, "tables": tables, "kept": kept}


def erased_scope(
    declaration: Declaration, erased: list[SourceErasure]
) -> tuple[list[str], list[str]]:
    """The categories and activities of the tables where rows were deleted or anonymised."""
    categories: dict[str, None] = {}
    activities: dict[str, None] = {}
    for e in erased:
        for t in e.tables:
            if not (t.deleted or t.anonymised):
                continue
            declared = declaration.sources[e.source].tables[t.table]
            categories.update(dict.fromkeys(c.category for c in declared.columns.values()))
            activities.update(dict.fromkeys(declared.activities))
    return list(categories), list(activities)
