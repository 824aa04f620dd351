"""Erasing a person's data in one source, as the declaration says, in one transaction.

`erase_source` is given the values that picked the person's rows there (an access run's
`params[source]`, found before any source was erased) and works in one transaction of the
source's database:

1. It reads the keys of the subject's own rows in every table of the plan, before changing
   anything: once a parent row is gone, the routes through it find nothing. Rows shared
   with someone else are counted and never touched.
2. Legal holds (erasure_holds.py) pick the rows a law requires the company to keep: in full,
   or only their columns of the rule's categories.
3. Tables declared `erase: delete_row` lose their rows that no hold keeps, children first;
   a row that something staying still refers to is anonymised instead (erasure_order.py).
4. The other rows have their declared columns erased by their actions (erasure_columns.py);
   rows already erased are left as they are, so erasing again changes nothing.

The result says, per table, how many rows were deleted, anonymised, held (until when, under
which rules), shared or left as they were, and which columns stayed: counts and names,
never a value. It also carries, for the re-check only and never in `as_json`, the values
that now find what is left of the person (`recheck`): after an erasure the email in a
customer row is a placeholder, which the first values no longer find. Running the access
plan again with `given=recheck_given(...)` and passing the result to `leftovers` tells
whether anything identifiable remains outside the holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.sources.access import AccessResult, Params
from pledge.sources.erasure_order import references
from pledge.sources.erasure_result import SourceErasure, TableErasure
from pledge.sources.erasure_sql import erasure_transaction
from pledge.sources.erasure_steps import ErasureRun, counted, prepare, remain
from pledge.sources.plan import Plan
from pledge.sources.plan_sql import sql_tables
from pledge.sources.schema import SchemaInfo, reflect_schema
from pledge.sources.statement_queue import StatementQueue

__all__ = ["SourceErasure", "TableErasure", "erase_source", "leftovers", "recheck_given"]


def erase_source(
    plan: Plan,
    source: str,
    engine: Engine,
    params: Params,
    declaration: Declaration,
    *,
    today: dt.date,
    hash_key: bytes,
    batch: int = 500,
    schema: SchemaInfo | None = None,
) -> SourceErasure:
    """Erase the person's rows in one source, in one transaction of its database.

    `schema` is the source's schema when the caller has just read it (reading it again
    costs a hundred catalogue queries on PostgreSQL).
    """
    source_plan = next((s for s in plan.sources if s.name == source), None)
    declared = declaration.sources.get(source)
    if source_plan is None or declared is None:
        raise PledgeError(
            f"no source '{source}' in the plan and the declaration",
            "erase one of the sources the declaration lists under `sources`",
        )
    if not source_plan.steps:
        return SourceErasure(source, (), dict(params))
    schema = schema or reflect_schema(engine)
    refs = references(schema)
    works = [
        prepare(step, declared.tables[step.table], declaration, schema, refs)
        for step in source_plan.steps
    ]
    bound = {seed.param: list(params.get(seed.param, ())) for seed in source_plan.seeds}
    run = ErasureRun(sql_tables(schema, list(schema.tables)), schema, refs, today, hash_key, batch)
    try:
        with erasure_transaction(engine) as connection:
            run.connection, run.queue = connection, StatementQueue(connection)
            run.select(works, bound, source_plan)  # every key first: routes break once rows change
            for work in works:
                run.judge_holds(work)
            deleted = run.send_deletes(works)
            anonymised = [run.send_anonymise(work) for work in works]
            remaining = run.send_recheck(source_plan, works, params)
            deleted()  # the answers: everything sent goes to the server now
            for done in anonymised:
                done()
            recheck = remaining()
    except DBAPIError as exc:
        # The database's own message may quote a value: only its kind is repeated.
        raise PledgeError(
            f"erasing in source '{source}' failed while {run.failed_while()}: the database refused "
            f"it ({type(exc.orig).__name__})",
            "nothing was changed in this source; correct the cause and run the erasure again",
        ) from None
    return SourceErasure(source, tuple(w.report() for w in works), recheck)


def recheck_given(erased: Sequence[SourceErasure]) -> dict[str, Params]:
    """Per source, the values for `execute_access(..., given=...)` after an erasure."""
    return {e.source: dict(e.recheck) for e in erased}


def leftovers(after: AccessResult, erased: Sequence[SourceErasure]) -> list[str]:
    """Where the access plan, run again after the erasure, finds more of the person than the
    erasure left on purpose (held, anonymised, or with nothing to erase): one sentence per
    table, without values. Empty: nothing identifiable remains outside the holds.

    Run it on an access run seeded with `recheck_given(erased)`: with the first values
    alone it finds only what still holds them, not what hangs below an anonymised row.
    """
    done = {(e.source, t.table): t for e in erased for t in e.tables}
    problems = []
    for found in after.tables:
        own = len(found.rows)
        if not own:
            continue
        where = f"{found.source}.{found.table}"
        erasure = done.get((found.source, found.table))
        if erasure is None:
            problems.append(
                f"{where}: {counted(own)} of the person {remain(own)}, in a table the erasure "
                "did not cover"
            )
            continue
        left = erasure.held + erasure.anonymised + erasure.unchanged
        if own > left:
            problems.append(
                f"{where}: {counted(own - left)} of the person {remain(own - left)} that "
                f"{'was' if own - left == 1 else 'were'} neither deleted, anonymised nor kept "
                "under a legal hold"
            )
    return problems
