"""The steps of one source's erasure, in its transaction: read, judge holds, delete, erase.

`prepare` reads, before the transaction, what each table of the plan needs: its columns'
erasure (erasure_columns.py) and its holds (erasure_holds.py). `ErasureRun` then takes every
table through the same steps, each a few set-based statements over the subject's keys.
`table_columns` is shared with the replay of the journal after a backup is restored
(pledge.retention.replay), which erases the same columns the same way.

The writes do not wait for each other's answers: the deletes (children first), the
updates of the rows that stay and the reads of what remains are sent through one queue
(pledge.sources.statement_queue) and, on PostgreSQL, reach the server in one round trip;
the counts and notes are made once the answers are back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pledge.declaration.model import Declaration, Table
from pledge.sources.access import Params
from pledge.sources.erasure_columns import (
    ColumnErasure,
    ColumnType,
    column_erasures,
    column_types,
)
from pledge.sources.erasure_holds import Hold, RowHold, hold_columns, judge, table_holds
from pledge.sources.erasure_order import Deleter, Reference
from pledge.sources.erasure_result import PartErasure, TableErasure
from pledge.sources.erasure_sql import KEYS, Key, batches
from pledge.sources.erasure_writes import send_erase_columns
from pledge.sources.own_keys import read_steps_keys
from pledge.sources.plan import SourcePlan, Step
from pledge.sources.plan_cache import ShapeCache
from pledge.sources.plan_sql import found_parameter, in_, key_values
from pledge.sources.schema import SchemaInfo
from pledge.sources.statement_queue import Queued, StatementQueue

_RECHECKS = ShapeCache(size=1024)


@dataclass
class TableWork:
    """One table of the erasure: what it is, and what was found and done in it."""

    step: Step
    declared: Table
    key: tuple[str, ...]
    types: dict[str, ColumnType]
    columns: dict[str, ColumnErasure]
    column_notes: tuple[str, ...]
    holds: list[Hold]
    deletes: bool
    own: list[Key] = field(default_factory=list)
    dates: dict[Key, dict[str, Any]] = field(default_factory=dict)  # of the holds, per row
    keyless_rows: int = 0
    shared: int = 0
    held: dict[Key, RowHold] = field(default_factory=dict)
    unknown: dict[str, int] = field(default_factory=dict)  # rows held with no known end, why
    to_delete: list[Key] = field(default_factory=list)
    blocked: list[Key] = field(default_factory=list)
    blocked_by: list[str] = field(default_factory=list)
    deleted: int = 0
    anonymised: int = 0
    unchanged: int = 0
    held_changed: int = 0
    anonymised_keys: list[Key] = field(default_factory=list)
    # Rows held for some categories whose other columns were erased, per set of columns.
    anonymised_in_part: list[PartErasure] = field(default_factory=list)
    kept: dict[str, None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def table(self) -> str:
        return self.step.table

    def remaining(self) -> list[Key]:
        gone = set(self.to_delete) - set(self.blocked)
        return [k for k in self.own if k not in gone]

    def deleted_keys(self) -> list[Key]:
        blocked = set(self.blocked)
        return [k for k in self.to_delete if k not in blocked]

    def report(self) -> TableErasure:
        until = [h.until for h in self.held.values() if h.until is not None]
        rules = {r for h in self.held.values() for r in h.rules}
        return TableErasure(
            table=self.table,
            deleted=self.deleted,
            anonymised=self.anonymised,
            held=len(self.held),
            held_until=max(until) if until else None,
            holds=tuple(r for r in self.declared.retention if r in rules),
            shared=self.shared,
            kept_columns=tuple(c for c in self.declared.columns if c in self.kept),
            notes=tuple(self.notes),
            unchanged=self.unchanged,
            deleted_keys=tuple(self.deleted_keys()),
            anonymised_keys=tuple(self.anonymised_keys),
            anonymised_in_part=tuple(self.anonymised_in_part),
        )


def prepare(
    step: Step,
    declared: Table,
    declaration: Declaration,
    schema: SchemaInfo,
    refs: Mapping[str, list[Reference]],
) -> TableWork:
    """What erasing a table will do to its columns and which holds apply: a declaration
    that cannot be applied (a mask on a unique column) fails here, before any change."""
    types, columns, notes = table_columns(step.table, declared, schema, refs, step.key)
    deletes = declared.erase == "delete_row" or any(
        c.erase == "delete_row" for c in declared.columns.values()
    )
    holds = table_holds(declaration, declared)
    return TableWork(step, declared, step.key, types, columns, notes, holds, deletes)


def table_columns(
    table: str,
    declared: Table,
    schema: SchemaInfo,
    refs: Mapping[str, list[Reference]],
    key: tuple[str, ...],
) -> tuple[dict[str, ColumnType], dict[str, ColumnErasure], tuple[str, ...]]:
    """A table's column types, its declared columns' erasures, and notes on them. Key
    columns and columns a foreign key uses or refers to are kept as they are."""
    info = schema.tables[table]
    protected = set(info.primary_key) | {c for fk in info.foreign_keys for c in fk.columns}
    protected |= {c for ref in refs.get(table, []) for c in ref.parent_columns}
    types = column_types(schema, table)
    columns, notes = column_erasures(table, declared, types, protected, key)
    return types, columns, notes


class ErasureRun:
    """The steps of one erasure, sharing its connection and settings. The writes go
    through a queue: on PostgreSQL they reach the server in one round trip."""

    connection: Connection
    queue: StatementQueue

    def __init__(
        self,
        tables: Mapping[str, sa.Table],
        schema: SchemaInfo,
        refs: Mapping[str, list[Reference]],
        today: dt.date,
        hash_key: bytes,
        batch: int,
    ) -> None:
        self.tables = tables
        self.schema = schema
        self.refs = refs
        self.today = today
        self.hash_key = hash_key
        self.batch = batch
        self.doing = "starting its transaction"

    def select(
        self, works: Sequence[TableWork], bound: dict[str, list[Any]], source: SourcePlan
    ) -> None:
        """The keys of the subject's own rows of every table, read as access reads them,
        with the dates their legal holds count from; shared rows counted."""
        self.doing = "reading the person's rows"
        for work in works:
            if not work.key:
                self._count_keyless(work, bound)
        also = {w.table: hold_columns(w.holds) for w in works}
        found = read_steps_keys(self.connection, source, [w.step for w in works], bound, also)
        for work in works:
            if work.table in found:
                own, work.shared = found[work.table]
                columns = also[work.table]
                work.own = list(own)
                work.dates = {k: dict(zip(columns, v, strict=True)) for k, v in own.items()}

    def _count_keyless(self, work: TableWork, bound: Mapping[str, list[Any]]) -> None:
        step = work.step
        for row in self.connection.execute(step.in_order, bound):
            if step.may_share and row[len(step.columns)]:
                work.shared += 1
            else:
                work.keyless_rows += 1
        if work.keyless_rows:
            work.notes.append(
                f"{counted(work.keyless_rows)} not erased: the table has no primary key to "
                "tell its rows apart; erase them by hand"
            )

    def judge_holds(self, work: TableWork) -> None:
        if not work.holds or not work.own:
            self._plan(work)
            return
        for key in work.own:
            held = judge(work.holds, work.dates.get(key, {}), self.today, work.unknown)
            if held is not None:
                work.held[key] = held
        for why, count in work.unknown.items():
            work.notes.append(f"{counted(count)} kept under a legal hold with no known end: {why}")
        self._plan(work)

    def _plan(self, work: TableWork) -> None:
        if work.deletes:
            work.to_delete = [k for k in work.own if k not in work.held]

    def send_deletes(self, works: Sequence[TableWork]) -> Callable[[], None]:
        """Send the deletes, children first, and for each table the question of what still
        refers to the rows it could not delete; the function returned reads the answers."""
        deleter = Deleter(self.queue, self.schema, self.refs, self.batch)
        by_table = {w.table: w for w in works if w.to_delete}
        pending = {t: list(w.to_delete) for t, w in by_table.items()}
        self.doing = "deleting rows"
        deleted = deleter.send(pending)
        referring = {t: deleter.send_referring(t, w.to_delete) for t, w in by_table.items()}

        def done() -> None:
            counts = deleted()
            for table, work in by_table.items():
                work.deleted = counts[table]
                work.blocked = pending[table]
                if work.blocked:
                    work.blocked_by = referring[table]()
                    whom = ", ".join(work.blocked_by) or "other rows"
                    verb = "refer to it" if len(work.blocked) == 1 else "refer to them"
                    work.notes.append(
                        f"{counted(len(work.blocked))} not deleted: rows of {whom} {verb}; "
                        "anonymised instead"
                    )

        return done

    def send_anonymise(self, work: TableWork) -> Callable[[], None]:
        """Send the updates that erase the columns of the rows that stay, after the deletes
        (the rows those took are gone when they run); the function returned counts them."""
        self.doing = f"erasing columns of {work.table}"
        erasable = [c for c in work.columns.values() if c.action != "keep"]
        staying = [k for k in work.own if k not in work.held]
        plain = self._send_erase(work, staying, erasable) if staying and erasable else set
        by_categories: dict[frozenset[str], list[Key]] = {}
        for key, held in work.held.items():
            if held.categories is None:
                work.kept.update((c, None) for c in work.columns)
            else:
                by_categories.setdefault(held.categories, []).append(key)
        held_sent: list[tuple[list[Key], tuple[str, ...], Callable[[], set[Key]]]] = []
        for categories, keys in by_categories.items():
            kept = {c for c, spec in work.declared.columns.items() if spec.category in categories}
            work.kept.update((c, None) for c, e in work.columns.items() if e.action == "keep")
            work.kept.update((c, None) for c in kept)
            left = [e for e in erasable if e.column not in kept]
            erased = tuple(e.column for e in left)
            held_sent.append((keys, erased, self._send_erase(work, keys, left)))

        def done() -> None:
            gone = set(work.deleted_keys())
            still = [k for k in staying if k not in gone]
            if still:
                changed = plain()
                work.anonymised = len(changed)
                # Rows held for some columns are not among them (anonymised_in_part):
                # erased again in full, they would lose what the law keeps.
                work.anonymised_keys = [k for k in still if k in changed]
                work.unchanged = len(still) - len(changed)
                work.kept.update((c, None) for c, e in work.columns.items() if e.action == "keep")
                if not erasable:
                    work.notes.append(
                        f"{counted(len(still))} left as they are: every column is kept"
                    )
            for keys, erased, sent in held_sent:
                changed = sent()
                if changed:
                    # Apart from the rows erased in full: replayed, only these columns are
                    # erased again, never those the hold kept.
                    part = tuple(k for k in keys if k in changed)
                    work.anonymised_in_part.append(PartErasure(erased, part))
            work.held_changed = sum(len(p.keys) for p in work.anonymised_in_part)
            if work.held_changed:
                work.notes.append(
                    f"{counted(work.held_changed)} held for some of their columns: "
                    "the others were erased"
                )
            if work.anonymised or work.held_changed or (still and erasable):
                work.notes[:0] = list(work.column_notes)

        return done

    def _send_erase(
        self, work: TableWork, keys: Sequence[Key], erasures: Sequence[ColumnErasure]
    ) -> Callable[[], set[Key]]:
        return send_erase_columns(
            self.queue,
            self.tables[work.table],
            work.key,
            work.types,
            keys,
            erasures,
            hash_key=self.hash_key,
            batch=self.batch,
        )

    def send_recheck(
        self, plan: SourcePlan, works: Sequence[TableWork], params: Params
    ) -> Callable[[], Params]:
        """Send the reads of the seed columns of the rows that remain, after the writes;
        the function returned gives the first values and those the rows now hold."""
        self.doing = "reading what remains"
        by_table = {w.table: w for w in works}
        # Seeds on the same columns (the identity typed, and the same value from another
        # source) read them once.
        same: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for seed in plan.seeds:
            same.setdefault((seed.table, seed.columns), []).append(seed.param)
        sent: list[tuple[list[str], int, Queued]] = []
        for (table, columns), names in same.items():
            work = by_table.get(table)
            if work is None or not work.key:
                continue
            statement = _RECHECKS.get(
                (self.schema,), (table, columns), partial(self._recheck, table, columns)
            )
            for chunk in batches(work.own, self.batch):  # the rows deleted are gone by then
                keys = {KEYS: key_values(chunk)}
                sent.append((names, len(columns), self.queue.send(statement, keys, self.doing)))

        def values() -> Params:
            found = {name: dict.fromkeys(given) for name, given in params.items()}
            for seed in plan.seeds:
                found.setdefault(seed.param, {})
            for names, width, queued in sent:
                for row in queued.rows():
                    if None not in row:
                        value = row[0] if width == 1 else tuple(row)
                        for name in names:
                            found[name][value] = None
            return {name: tuple(given) for name, given in found.items()}

        return values

    def _recheck(self, table: str, columns: tuple[str, ...]) -> sa.Select[Any]:
        target = self.tables[table]
        keys = [target.c[c] for c in self.schema.tables[table].primary_key]
        condition = in_(keys, found_parameter(KEYS, self.schema, table))
        return sa.select(*(target.c[c] for c in columns)).where(condition)

    def failed_while(self) -> str:
        """What the erasure was doing when the database refused it."""
        queue: StatementQueue | None = getattr(self, "queue", None)
        return (queue.doing if queue is not None else "") or self.doing


def remain(count: int) -> str:
    return "remains" if count == 1 else "remain"


def counted(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"
