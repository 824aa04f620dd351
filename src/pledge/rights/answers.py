"""Running a request: what each type does with the company's databases, and its result.

The `request.run` job takes a running request and answers it by its handling
(pledge.rights.types.HANDLING):

- access / portability: the plan finds the person's rows, read-only; where the declaration
  asks for a second check, data points the person gave must match ours; the package is
  built, sealed and offered for download.
- erasure: planned here, then done source by source by jobs of its own
  (pledge.rights.erasure_run), so that a crash between two sources resumes.
- rectification: the corrections are written to the person's own rows, source by source.
- restriction, objection, withdrawal of consent, opt-out of sale/share: recorded as standing
  decisions (pledge.rights.decisions); a restriction also marks the person's rows.

Erasure, rectification and restriction tell the recipients of the data (Art. 19).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.orm import Session

from pledge.declaration.model import Declaration
from pledge.errors import NotFound
from pledge.jobs.queue import enqueue
from pledge.jobs.registry import JobContext, job
from pledge.rights.decisions import record_decisions
from pledge.rights.delivery import store_result
from pledge.rights.erasure_run import start_erasure
from pledge.rights.events import record_event
from pledge.rights.package import build_package
from pledge.rights.recipients import plan_notices
from pledge.rights.requests import get_request, transition
from pledge.rights.subject_rows import find_rows, found_anything, touched
from pledge.rights.types import HANDLING
from pledge.rights.workflow import CLOSING_MAIL_JOB, RUN_JOB
from pledge.sources.access import AccessResult
from pledge.sources.rectification import correct_source, corrected_categories
from pledge.sources.shared_values import read_shared_values
from pledge.store.tables import RequestRow

_MIN_CONTAINED = 5

Closing = Literal["completed", "partially_completed", "denied"]

# Reads, for the categories given, the values of the person's shared rows (second_check).
SharedReader = Callable[[Collection[str]], Mapping[str, Sequence[object]]]


@dataclass(frozen=True)
class Answer:
    state: Closing
    note: str | None
    summary: Mapping[str, object] = field(default_factory=dict)
    package: bytes | None = None


@job(RUN_JOB, throws=(NotFound,))
def run_request(ctx: JobContext, ref: str) -> None:
    """Answer a running request; idempotent: a request in any other state is left alone."""
    row = get_request(ctx.session, ref)
    if row.state != "running":
        return
    declaration = ctx.services.declaration
    if not declaration.sources:
        record_event(
            ctx.session,
            row.id,
            ctx.now,
            "note",
            None,
            None,
            ctx.actor,
            "no sources are declared, so Pledge cannot reach the data: answer this request by"
            " hand, then close it",
        )
        return
    handling = HANDLING[row.type]
    if handling == "erasure":
        start_erasure(ctx, row)
        return
    answer = _ANSWERS[handling](ctx, row, declaration)
    close(ctx.session, row, answer, actor=ctx.actor, key=ctx.services.keys.package, ctx=ctx)


def close(
    session: Session,
    row: RequestRow,
    answer: Answer,
    *,
    actor: str,
    key: bytes,
    ctx: JobContext,
) -> None:
    """Keep the result, close the request, and queue the mail that tells the person."""
    store_result(
        session, row.id, summary=answer.summary, package=answer.package, key=key, now=ctx.now
    )
    transition(
        session,
        row.id,
        answer.state,
        actor=actor,
        note=answer.note,
        expected="running",
        now=ctx.now,
    )
    enqueue(session, CLOSING_MAIL_JOB, row.id, now=ctx.now)


def _access(ctx: JobContext, row: RequestRow, declaration: Declaration) -> Answer:
    portability = HANDLING[row.type] == "portability"
    _, result = find_rows(ctx.services, declaration, row)
    summary: dict[str, object] = {
        "found": found_anything(result),
        "tables": _counts(result),
        "notes": list(result.notes),
    }

    def read_shared(categories: Collection[str]) -> Mapping[str, Sequence[object]]:
        engines, schemas = ctx.services.engines(), ctx.services.schemas()
        return read_shared_values(result, engines, schemas, categories)

    # A portable copy discloses data as an access does: the same second check.
    mismatch = second_check(declaration, row, result, read_shared=read_shared)
    if mismatch is not None:
        return Answer("denied", mismatch, {"found": None})
    package = build_package(
        declaration,
        result,
        lang=row.language,
        request_ref=row.id,
        generated_at=ctx.now,
        portability=portability,
    )
    return Answer("completed", None, summary, package)


def _rectification(ctx: JobContext, row: RequestRow, declaration: Declaration) -> Answer:
    asked = row.details.get("corrections")
    assert isinstance(asked, dict)  # checked when the request was filed
    corrections = {str(k): str(v) for k, v in asked.items()}
    plan, result = find_rows(ctx.services, declaration, row)
    engines, schemas = ctx.services.engines(), ctx.services.schemas()
    changed: dict[str, int] = {}
    for source in plan.sources:
        if not source.steps or source.name not in result.params:
            continue
        done = correct_source(
            plan,
            source.name,
            engines[source.name],
            result.params[source.name],
            declaration,
            corrections,
            schema=schemas[source.name],
        )
        for table in done.tables:
            changed[f"{source.name}.{table.table}"] = table.rows
    _, activities = touched(declaration, result)
    told = (
        plan_notices(
            ctx.session,
            declaration,
            row,
            categories=sorted(corrected_categories(declaration, corrections)),
            activities=activities,
            now=ctx.now,
        )
        if any(changed.values())
        else []
    )
    summary = {
        "found": found_anything(result),
        "changed": changed,
        "recipients": [n.recipient for n in told],
    }
    if not any(changed.values()):
        return Answer(
            "completed",
            "no rows held the data to correct" if summary["found"] else None,
            summary,
        )
    return Answer("completed", None, summary)


def _decisions(ctx: JobContext, row: RequestRow, declaration: Declaration) -> Answer:
    handling = HANDLING[row.type]
    result: AccessResult | None = None
    if handling == "restriction":
        _, result = find_rows(ctx.services, declaration, row)
    decisions = record_decisions(ctx.session, declaration, row, access=result, now=ctx.now)
    summary: dict[str, object] = {
        "activities": sorted({d.activity for d in decisions if d.activity}),
    }
    if result is not None:
        categories, activities = touched(declaration, result)
        told = plan_notices(
            ctx.session, declaration, row, categories=categories, activities=activities, now=ctx.now
        )
        summary["found"] = found_anything(result)
        summary["tables"] = _counts(result)
        summary["recipients"] = [n.recipient for n in told]
    return Answer("completed", None, summary)


_ANSWERS = {
    "access": _access,
    "portability": _access,
    "rectification": _rectification,
    "restriction": _decisions,
    "objection": _decisions,
    "withdraw_consent": _decisions,
    "opt_out_sale_share": _decisions,
}


def second_check(
    declaration: Declaration,
    row: RequestRow,
    result: AccessResult,
    *,
    read_shared: SharedReader,
) -> str | None:
    """Why a copy cannot be sent: a data point the declaration asks for is missing or does
    not match what we hold (None: it matches, or nothing is held to disclose).

    A data point matches a column's value equal to it, ignoring case, spaces and accents,
    or one that contains it, if it is long enough not to match by chance (a postcode inside
    an invoice's billing address). The person's own rows are compared first; only the data
    points they do not match are looked for in the rows the person shares with others (a
    home address two customers share), whose values `read_shared` reads for the categories
    it is given. Those values are compared here and dropped: a shared row's values never
    reach the package.
    """
    verification = declaration.rights.verification
    wanted = verification.access_match if verification else []
    if not wanted or not found_anything(result):
        return None
    refusal = (
        "the details given to confirm your identity do not match the ones we hold, so we"
        " cannot send a copy of the data; you may make a new request with the details you"
        " gave us"
    )
    given = {category: _plain(row.identity.get(category) or "") for category in wanted}
    if not all(given.values()):
        return refusal
    unmatched = [
        category
        for category in dict.fromkeys(wanted)
        if not _matches(given[category], _own_values(result, category))
    ]
    if unmatched:
        shared = read_shared(unmatched)
        unmatched = [
            category
            for category in unmatched
            if not _matches(given[category], (str(v) for v in shared.get(category, ())))
        ]
    return refusal if unmatched else None


def _own_values(result: AccessResult, category: str) -> Iterator[str]:
    for table in result.tables:
        for column, held_category in table.columns.items():
            if held_category == category:
                yield from (str(own[column]) for own in table.rows if own.get(column) is not None)


def _matches(wanted: str, held: Iterable[str]) -> bool:
    """Whether a plain data point matches one of the values held (see `second_check`)."""
    for value in held:
        plain_value = _plain(value)
        if wanted == plain_value or (len(wanted) >= _MIN_CONTAINED and wanted in plain_value):
            return True
    return False


def _plain(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def _counts(result: AccessResult) -> dict[str, list[int]]:
    return {name: [own, shared] for name, (own, shared) in result.counts().items()}
