"""The retention sweep: every declared table's expired rows deleted or anonymised, in batches.

`sweep` judges every table with rules (pledge.retention.rules) on one as-of moment, with one
set-based condition per table (pledge.retention.predicates):

- a dry run counts, per table, in ONE query: the rows due (to delete or anonymise), those
  held and by what, those that rows staying refer to and, of these, those it would
  anonymise; nothing is changed;
- a sweep takes each source's tables children first, and in each deletes or anonymises the
  due rows in batches (pledge.retention.sweep_batches), and moves the rows past their active
  period into the archive where a rule has one (pledge.retention.sweep_archive). Each batch
  is one short transaction of the company database, with the store's record of it (counts,
  and the journal of the keys that must stay gone) committed inside it. A row still
  referred to by a row that stays is left and counted: no ON DELETE CASCADE or SET NULL
  ever fires. Its declared columns are erased instead, once, as an erasure does with a row
  it cannot delete (pledge.retention.sweep_tables says which columns stay to judge it).

Every run is recorded (SweepRunRow, and a SweepResultRow per table). A run that stopped
midway (a crash, a database refusing a batch) resumes with `run_id`: its as-of moment is
kept, finished tables are skipped, and the rest re-judged: rows already done no longer match.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.retention.children import erase_children
from pledge.retention.people import PersonRows, person_rows
from pledge.retention.rules import Place, TableRetention, compile_retention
from pledge.retention.sweep_record import (
    done_tables,
    finish_run,
    resume_run,
    run_moment,
    start_run,
)
from pledge.retention.sweep_report import SweepReport, TableSweep
from pledge.retention.sweep_run import SweepRun, count_of
from pledge.retention.sweep_tables import prepare_source
from pledge.services import Keys, Services
from pledge.store import Store

__all__ = [
    "BATCH",
    "SweepReport",
    "TableSweep",
    "compile_retention",
    "forecast",
    "run_sweep",
    "sweep",
]

# The most rows one batch changes; within it, batches are sized to take about
# sweep_sql.BATCH_SECONDS (pledge.retention.sweep_batches).
BATCH = 200_000


def sweep(
    store: Store,
    declaration: Declaration,
    engines: Mapping[str, Engine],
    *,
    as_of: dt.datetime,
    dry_run: bool,
    started_by: str,
    keys: Keys,
    people: PersonRows | None = None,
    batch: int = BATCH,
    run_id: int | None = None,
) -> SweepReport:
    """Sweep (or with `dry_run`, count) every table with rules; `run_id` resumes that run."""
    if batch < 1:
        raise PledgeError(f"a batch of {batch} rows is no batch", "give at least 1")
    compiled = compile_retention(declaration)
    _check_engines(compiled, engines)
    if run_id is None:
        moment = _utc(as_of)
        run_id = start_run(store, as_of=moment, dry_run=dry_run, started_by=started_by)
        earlier: dict[Place, TableSweep] = {}
    else:
        moment = _utc(resume_run(store, run_id, dry_run=dry_run))
        earlier = done_tables(store, run_id, dry_run)
    run = SweepRun(store, run_id, moment, dry_run, people, keys.package, batch, earlier)
    recorded = any(rule.recorded for table in compiled for rule in table.rules)
    try:
        for source, retentions in _by_source(compiled).items():
            run.doing = f"reading the schema of source '{source}'"
            prepared = prepare_source(
                source,
                engines[source],
                declaration.sources[source],
                retentions,
                recorded=recorded,
            )
            run.source(prepared)
    except DBAPIError as exc:
        # The database's own message may quote a value: only its kind is repeated.
        message = (
            f"the sweep stopped while {run.doing}: the database refused it "
            f"({type(exc.orig).__name__})"
        )
        finish_run(store, run_id, error=message)
        raise PledgeError(
            f"{message} (sweep run {run_id})",
            "batches done so far are kept; correct the cause and resume the run",
        ) from None
    except PledgeError as exc:
        finish_run(store, run_id, error=f"{exc.message} — {exc.hint}" if exc.hint else exc.message)
        raise
    except BaseException as exc:
        finish_run(store, run_id, error=f"stopped while {run.doing} ({type(exc).__name__})")
        raise
    finish_run(store, run_id)
    tables = tuple(run.done[t.place] for t in compiled if t.place in run.done)
    return SweepReport(run_id=run_id, as_of=moment, dry_run=dry_run, tables=tables)


def run_sweep(
    store: Store,
    services: Services,
    *,
    now: dt.datetime,
    dry_run: bool,
    started_by: str,
    run_id: int | None = None,
) -> SweepReport:
    """Sweep as of `now` with the declaration, databases and keys of `services`, and what the
    store records about people (objections, closed accounts, legal holds) on that moment.
    With `run_id`, resume that run instead, as of its own moment.

    A real sweep then erases the data of children, found in the data or flagged by staff
    (pledge.retention.children), each with an audit run of its own, listed in `child_runs`.
    """
    declaration = services.declaration
    engines = services.engines()
    as_of = _utc(now) if run_id is None else run_moment(store, run_id)
    with store.session() as session:
        people = person_rows(session, declaration, services, as_of=as_of)
    report = sweep(
        store,
        declaration,
        engines,
        as_of=as_of,
        dry_run=dry_run,
        started_by=started_by,
        keys=services.keys,
        people=people,
        run_id=run_id,
    )
    if dry_run:
        return report
    children = erase_children(store, services, as_of=as_of, actor=started_by, only_flagged=False)
    runs = tuple(c.run_id for c in children if c.erased and c.run_id is not None)
    return dataclasses.replace(report, child_runs=runs)


def forecast(
    declaration: Declaration,
    engines: Mapping[str, Engine],
    *,
    as_of: dt.datetime,
    days: int,
    people: PersonRows | None = None,
) -> dict[str, int]:
    """Per "source.table", the rows that are not due on `as_of` and will be within `days`
    days (legal holds and rows to anonymise taken into account; references are not; rows
    leaving for the archive count as due): one COUNT per table."""
    moment = _utc(as_of)
    later = moment + dt.timedelta(days=days)
    compiled = compile_retention(declaration)
    _check_engines(compiled, engines)
    found: dict[str, int] = {}
    for source, retentions in _by_source(compiled).items():
        prepared = prepare_source(source, engines[source], declaration.sources[source], retentions)
        with prepared.engine.connect() as connection:
            for retention in retentions:
                swept = prepared.swept[retention.table]
                if swept.table is None:
                    continue
                now_due = swept.leaving(moment, people)
                then_due = swept.leaving(later, people)
                query = sa.select(count_of(sa.and_(then_due, sa.not_(now_due))))
                found[retention.name] = connection.execute(
                    query.select_from(swept.table)
                ).scalar_one()
    return found


def _check_engines(compiled: Sequence[TableRetention], engines: Mapping[str, Engine]) -> None:
    missing = sorted({t.source for t in compiled} - set(engines))
    if missing:
        raise PledgeError(
            f"no database connection for source {', '.join(repr(m) for m in missing)}",
            "sweep with an engine for every source whose tables have retention rules",
        )


def _by_source(compiled: Sequence[TableRetention]) -> dict[str, list[TableRetention]]:
    found: dict[str, list[TableRetention]] = {}
    for retention in compiled:
        found.setdefault(retention.source, []).append(retention)
    return found


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise PledgeError(
            f"the sweep's moment {moment.isoformat()} has no time zone", "give it one, e.g. UTC"
        )
    return moment.astimezone(dt.UTC)
