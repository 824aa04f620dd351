"""Children's accounts: found by a birth date in the data or flagged by staff, then erased.

`declaration.children` sets a minimum age and the categories that tell a person's age
(`age_from`, e.g. identity.date_of_birth). `find_children` asks each `subject` table with a
column of such a category, in ONE statement with the cut-off date bound, for the email of
every row whose date says the person is under that age on the as-of day: someone born on
the cut-off's next day or later has not had that birthday yet (a 29 February birthday falls
on 28 February in other years, as durations count). A row with no date is not judged.

`erase_children` (the sweep) and `flag_child` (staff, at once) erase each child's data with
the request erasure executor, source by source (pledge.sources.erasure). Each child is a
SubjectEventRow "child" (recorded for a child found in the data), marked handled once
erased. The audit record is a SweepRunRow started by "child under <age>" with a
SweepResultRow per table, so it shows with the sweeps; the keys of the rows erased go to
the journal of what must stay gone, as "sweep:<run id>". Neither names the child.

A person's legal hold still keeps its tables (held_erasure.py): where it did, what finds the
rows kept is kept, sealed, with the source's results (held_child.py), so that sweeps keep
those rows while the hold is in force, and the erasure is finished there once nothing
holds them.

When the declaration says a child's data needs a parent's consent instead
(`children.on_discovery: parental_consent`), nothing is erased: the event is recorded and
left unhandled, and the result says so.

An erasure that stops between two sources is done again from the email by the next run
(its event is still unhandled); erasing is idempotent.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from pledge.declaration.durations import add_months
from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.retention.erased_keys import journal_erased
from pledge.retention.events import CHILD, record_event
from pledge.retention.held_child import keep_held
from pledge.retention.held_erasure import erase_source_apart
from pledge.retention.holds import person_holds
from pledge.rights.decisions import identity_of
from pledge.services import Services
from pledge.sources.access import execute_access, read_only
from pledge.sources.erasure import SourceErasure
from pledge.sources.plan import build_plan
from pledge.store import Store
from pledge.store.tables import SubjectEventRow, SweepResultRow, SweepRunRow


@dataclass(frozen=True)
class ChildErasure:
    """What was done about one child: their data erased (and the audit run), or why not."""

    email: str
    event_id: int
    erased: bool
    run_id: int | None = None
    sources: tuple[SourceErasure, ...] = ()
    note: str = ""

    @property
    def deleted(self) -> int:
        return sum(t.deleted for s in self.sources for t in s.tables)

    @property
    def anonymised(self) -> int:
        return sum(t.anonymised for s in self.sources for t in s.tables)

    @property
    def held(self) -> int:
        return sum(t.held for s in self.sources for t in s.tables)


@dataclass(frozen=True)
class AgeTable:
    """A subject table that tells a person's age, and the email column that names them."""

    source: str
    table: str
    birth_columns: tuple[str, ...]
    email_column: str


def born_from(as_of: dt.date, age: int) -> dt.date:
    """The earliest birth date of someone still under `age` on `as_of`."""
    last_of_age = add_months(as_of, -12 * age)
    following = last_of_age + dt.timedelta(days=1)
    # 28 Feb: someone born on 29 Feb of a leap year turns `age` today too.
    if add_months(following, 12 * age) <= as_of:
        last_of_age = following
    return last_of_age + dt.timedelta(days=1)


def age_tables(declaration: Declaration) -> list[AgeTable]:
    """The subject tables with a column of an `age_from` category and an email identity."""
    rules = declaration.children
    if rules is None or not rules.age_from:
        return []
    found = []
    for source_name, source in declaration.sources.items():
        for table_name, table in source.tables.items():
            if table.subject is None:
                continue
            births = tuple(c for c, s in table.columns.items() if s.category in rules.age_from)
            emails = [c for c, s in table.columns.items() if s.identity == "email"]
            if births and emails:
                found.append(AgeTable(source_name, table_name, births, emails[0]))
    return found


def find_children(
    declaration: Declaration, engines: Mapping[str, Engine], *, as_of: dt.date
) -> list[str]:
    """The emails, as the data holds them, of people under the minimum age on `as_of`."""
    rules = declaration.children
    if rules is None or rules.minimum_age is None:
        return []
    earliest = sa.bindparam("born_from", born_from(as_of, rules.minimum_age), type_=sa.Date)
    emails: dict[str, None] = {}
    for place in age_tables(declaration):
        table = sa.table(
            place.table, *(sa.column(c) for c in (place.email_column, *place.birth_columns))
        )
        email = table.c[place.email_column]
        young = sa.or_(*(table.c[c] >= earliest for c in place.birth_columns))
        query = select(email).distinct().where(email.is_not(None), young)
        with read_only(engines[place.source]) as connection:
            emails.update(dict.fromkeys(str(value) for value in connection.scalars(query)))
    return sorted(emails)


def erase_children(
    store: Store,
    services: Services,
    *,
    as_of: dt.datetime,
    actor: str,
    only_flagged: bool,
    now: dt.datetime | None = None,
) -> list[ChildErasure]:
    """Erase the data of every child found in the data (unless `only_flagged`) and of every
    child flagged and not yet handled; one audit run each."""
    declaration = services.declaration
    day = as_of.date()
    found = [] if only_flagged else find_children(declaration, services.engines(), as_of=day)
    spellings: dict[str, list[str]] = {}
    for email in found:
        spellings.setdefault(identity_of(email)[1], []).append(email)
    moment = now or as_of
    minimum = declaration.children.minimum_age if declaration.children else None
    with store.session(write=True) as session:
        pending = {e.identity_value: e.id for e in _unhandled(session)}
        for value in spellings:
            if value not in pending:
                note = f"found in the data: under {minimum} on {day.isoformat()}"
                event = record_event(
                    session, kind=CHILD, email=value, occurred_on=day, actor=actor, note=note,
                    now=moment,
                )  # fmt: skip
                pending[value] = event.id
    return [
        _handle(
            store,
            services,
            declaration,
            event_id,
            value,
            spellings.get(value, []),
            as_of,
            now=moment,
        )
        for value, event_id in pending.items()
    ]


def flag_child(
    store: Store,
    services: Services,
    *,
    email: str,
    actor: str,
    now: dt.datetime,
    note: str | None = None,
) -> ChildErasure:
    """Staff say the person is a child: record it and erase their data at once."""
    value = identity_of(email)[1]
    with store.session(write=True) as session:
        event_id = next((e.id for e in _unhandled(session) if e.identity_value == value), None)
        if event_id is None:
            event = record_event(
                session, kind=CHILD, email=email, occurred_on=now.date(), actor=actor,
                note=note or "flagged by staff", now=now,
            )  # fmt: skip
            event_id = event.id
    return _handle(
        store, services, services.declaration, event_id, value, [email.strip()], now, now=now
    )


def _unhandled(session: Session) -> list[SubjectEventRow]:
    query = select(SubjectEventRow).where(
        SubjectEventRow.kind == CHILD, SubjectEventRow.handled_at.is_(None)
    )
    return list(session.scalars(query.order_by(SubjectEventRow.id)))


def _handle(
    store: Store,
    services: Services,
    declaration: Declaration,
    event_id: int,
    value: str,
    spellings: Sequence[str],
    as_of: dt.datetime,
    *,
    now: dt.datetime,
) -> ChildErasure:
    """Erase the child `value` names (also as `spellings`, as the data writes it)."""
    rules = declaration.children
    if rules is not None and rules.on_discovery == "parental_consent":
        return ChildErasure(
            value,
            event_id,
            erased=False,
            note="not erased: the declaration asks for a parent's consent instead "
            "(children.on_discovery: parental_consent); the child is recorded",
        )
    minimum = rules.minimum_age if rules else None
    reason = f"child under {minimum}" if minimum is not None else "child"
    emails = list(dict.fromkeys([*spellings, value]))
    return _erase(
        store, services, declaration, event_id, value, emails, as_of, started_by=reason, now=now
    )


def _erase(
    store: Store,
    services: Services,
    declaration: Declaration,
    event_id: int,
    value: str,
    emails: list[str],
    as_of: dt.datetime,
    *,
    started_by: str,
    now: dt.datetime,
) -> ChildErasure:
    day = as_of.date()
    with store.session(write=True) as session:
        run = SweepRunRow(
            dry_run=False, state="running", as_of=as_of, started_at=_now(), started_by=started_by
        )
        session.add(run)
        session.flush()
        run_id = run.id
        held = person_holds(session, declaration, email=value, as_of=day)
    engines = services.engines()
    plan = build_plan(declaration, services.schemas(), {"email": emails})
    found = execute_access(plan, engines)
    done: list[SourceErasure] = []
    try:
        for source in plan.sources:
            if not source.steps:
                continue
            started = time.perf_counter()
            erased = erase_source_apart(
                plan,
                source.name,
                engines[source.name],
                found.params.get(source.name, {}),
                declaration,
                held=held,
                today=day,
                hash_key=services.keys.package,
            )
            took = round((time.perf_counter() - started) * 1000)
            with store.session(write=True) as session:
                _record(session, declaration, run_id, erased, took, services.keys.package)
                keep_held(
                    session,
                    event_id=event_id,
                    run_id=run_id,
                    done=erased,
                    key=services.keys.package,
                    now=now,
                )
            done.append(erased)
    except PledgeError as exc:
        with store.session(write=True) as session:
            failed = session.get_one(SweepRunRow, run_id)
            failed.state, failed.finished_at, failed.error = "failed", _now(), str(exc)
        raise
    with store.session(write=True) as session:
        finished = session.get_one(SweepRunRow, run_id)
        finished.state, finished.finished_at = "done", _now()
        session.get_one(SubjectEventRow, event_id).handled_at = _now()
    return ChildErasure(value, event_id, erased=True, run_id=run_id, sources=tuple(done))


def _record(
    session: Session,
    declaration: Declaration,
    run_id: int,
    erased: SourceErasure,
    took: int,
    key: bytes,
) -> None:
    """A result per table where the child had rows, and the journal of what must stay gone."""
    now = _now()
    for table in erased.tables:
        if not (table.deleted or table.anonymised or table.held or table.shared or table.unchanged):
            continue
        declared = declaration.sources[erased.source].tables[table.table]
        session.add(
            SweepResultRow(
                run_id=run_id,
                source=erased.source,
                table_name=table.table,
                rules=[],
                action="delete" if declared.erase == "delete_row" else "anonymise",
                deleted=table.deleted,
                anonymised=table.anonymised,
                held=table.held,
                referenced=0,
                # One transaction per source: its time is each of its tables' time.
                batches=1,
                longest_batch_ms=took,
                duration_ms=took,
                done=True,
                notes=list(table.notes),
            )
        )
    journal_erased(session, erased, cause=f"sweep:{run_id}", key=key, now=now)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
