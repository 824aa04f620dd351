"""A source's tables made ready for a sweep: reflected once, typed, their erasures known.

Everything that can fail because of the declaration or the schema (a declared table missing
from the database, a mask on a unique column) fails or is noted here, before any change.
Tables with rules get their reflected column types, so that bounds are sent as the column's
own type (a DATETIME as SQLite stores it, a timestamp with or without a time zone); every
other table of the database takes part only through its foreign keys.

A table to delete from that some foreign key refers to also gets its columns' erasures: the
rows that stay because rows staying refer to them are anonymised instead, as an erasure
anonymises the rows it cannot delete. What the sweep must read to delete them once they are
freed is left as it is (`_still_read`): the dates the table's rules count from and, while a
rule counts from something Pledge records (an account closed), what leads from the person
to the row, and through it to others: its identity columns and the columns of its links.

A table whose rules have an archive is swept as its rows end for good (`retention`: each
rule's active period then its archive), and `active` keeps the rules as the active base
ends: the rows due under `active` and not yet for good go to the archive
(pledge.retention.sweep_archive), with the table's declared columns (`archived_columns`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.declaration.model import Source, Table
from pledge.retention.people import PersonRows
from pledge.retention.predicates import (
    Condition,
    Conditions,
    Judge,
    referenced,
    still_to_anonymise,
)
from pledge.retention.rules import TableRetention
from pledge.retention.sweep_sql import SelfLink
from pledge.sources.erasure_columns import ColumnErasure, ColumnType, column_types
from pledge.sources.erasure_order import Reference, deletion_order, references
from pledge.sources.erasure_steps import table_columns
from pledge.sources.schema import SchemaInfo, reflect_schema


@dataclass(frozen=True)
class SweptTable:
    """A table with rules, as the sweep will treat it."""

    retention: TableRetention
    table: sa.Table | None  # None: not in the database
    key: tuple[str, ...]
    types: Mapping[str, ColumnType]
    # The columns anonymising changes: of a table to anonymise, on its expired rows; of a
    # table to delete from, on the expired rows that rows staying refer to.
    erasures: tuple[ColumnErasure, ...]
    column_notes: tuple[str, ...]
    skip: str | None  # why it is counted at most, never changed
    # With an archive: the rules as the active base ends, and the columns archived.
    active: TableRetention | None = None
    archived_columns: tuple[str, ...] = ()

    @property
    def deletes(self) -> bool:
        return self.retention.action == "delete"

    def to_archive(self, as_of: dt.datetime, people: PersonRows | None) -> Condition:
        """The rows past their active period but not their archive: FALSE without one."""
        if self.active is None:
            return sa.false()
        assert self.table is not None
        active = Judge(self.active, self.table, self.key, self.types, as_of, people)
        ended = self.judge(as_of, people).conditions().due
        return sa.and_(active.conditions().due, sa.not_(ended))

    def leaving(self, as_of: dt.datetime, people: PersonRows | None) -> Condition:
        """The rows a sweep takes out of the active base: changed, or archived."""
        return sa.or_(
            self.work(self.judge(as_of, people).conditions()), self.to_archive(as_of, people)
        )

    def judge(self, as_of: dt.datetime, people: PersonRows | None) -> Judge:
        assert self.table is not None
        return Judge(self.retention, self.table, self.key, self.types, as_of, people)

    def work(self, conditions: Conditions) -> Condition:
        """The rows the sweep changes: due, and for anonymising, not anonymised yet."""
        if self.deletes:
            return conditions.due
        return sa.and_(conditions.due, self.to_anonymise())

    def to_anonymise(self) -> Condition:
        """The rows anonymising would still change: an anonymised row no longer matches."""
        assert self.table is not None
        return still_to_anonymise(self.table, self.erasures, self.types)

    def anonymising(self) -> SweptTable:
        """The table as a pass that anonymises its rows instead of deleting them: for rows
        to delete that rows staying refer to (counted, and journaled, as anonymised)."""
        retention = dataclasses.replace(self.retention, action="anonymise")
        return dataclasses.replace(self, retention=retention)


@dataclass(frozen=True)
class SweptSource:
    """One source's database: all its tables (for foreign keys) and those with rules."""

    name: str
    engine: Engine
    schema: SchemaInfo
    tables: Mapping[str, sa.Table]
    refs: Mapping[str, list[Reference]]
    swept: Mapping[str, SweptTable]

    @cached_property
    def keys(self) -> dict[str, tuple[str, ...]]:
        return {name: info.primary_key for name, info in self.schema.tables.items()}

    def groups(self) -> list[list[str]]:
        """The tables to sweep, in groups that refer to each other, children first."""
        ready = [name for name, swept in self.swept.items() if swept.skip is None]
        return deletion_order(ready, self.refs)

    def cyclic(self, group: Sequence[str]) -> bool:
        return len(group) > 1 or any(r.child == group[0] for r in self.refs.get(group[0], []))

    def referenced(self, name: str) -> Condition:
        """Some row refers to the row: what the sweep checks, children swept first."""
        return sa.or_(referenced(name, self.tables, self.keys, self.refs), self._stuck(name))

    def unlink(self, name: str) -> list[SelfLink]:
        """The nullable foreign keys of a table to itself, which MariaDB needs cleared on a
        row that refers to itself before it lets the row go."""
        if not self._innodb:
            return []
        return [(r.child_columns, r.parent_columns) for r in self._self_refs(name, nullable=True)]

    def _stuck(self, name: str) -> Condition:
        """On MariaDB, a row that refers to itself by a NOT NULL key can never be deleted."""
        if not self._innodb:
            return sa.false()
        table = self.tables[name]
        itself = [
            sa.and_(
                *(
                    table.c[c] == table.c[p]
                    for c, p in zip(r.child_columns, r.parent_columns, strict=True)
                )
            )
            for r in self._self_refs(name, nullable=False)
        ]
        return sa.or_(*itself) if itself else sa.false()

    def _self_refs(self, name: str, *, nullable: bool) -> list[Reference]:
        columns = self.schema.tables[name].columns
        return [
            r
            for r in self.refs.get(name, [])
            if r.child == name and all(columns[c].nullable for c in r.child_columns) == nullable
        ]

    @property
    def _innodb(self) -> bool:
        return self.engine.dialect.name in ("mysql", "mariadb")

    def referenced_after(
        self, name: str, as_of: dt.datetime, people: PersonRows | None
    ) -> Condition:
        """Some row refers to the row and would stay after the sweep: the dry run's check."""
        going: dict[str, Callable[[frozenset[str]], Condition]] = {}
        for table, swept in self.swept.items():
            if swept.skip is None and swept.deletes:
                going[table] = self._going(table, swept, as_of, people, going)
        found = referenced(name, self.tables, self.keys, self.refs, going=going)
        return sa.or_(found, self._stuck(name))

    def _going(
        self,
        name: str,
        swept: SweptTable,
        as_of: dt.datetime,
        people: PersonRows | None,
        going: Mapping[str, Callable[[frozenset[str]], Condition]],
    ) -> Callable[[frozenset[str]], Condition]:
        def condition(path: frozenset[str]) -> Condition:
            due = swept.judge(as_of, people).conditions().due
            kept = referenced(name, self.tables, self.keys, self.refs, going=going, path=path)
            return sa.and_(due, sa.not_(kept))

        return condition


def prepare_source(
    name: str,
    engine: Engine,
    declared: Source,
    retentions: Sequence[TableRetention],
    *,
    recorded: bool = False,
) -> SweptSource:
    """The source's tables made ready. `recorded`: some rule of the declaration counts from
    what Pledge records about people, who are found from their identity columns."""
    schema = reflect_schema(engine)
    refs = references(schema)
    swept: dict[str, SweptTable] = {}
    types: dict[str, Mapping[str, ColumnType]] = {}
    for retention in retentions:
        info = schema.tables.get(retention.table)
        if info is None:
            swept[retention.table] = _skipped(retention, "the table is not in the database")
            continue
        erasures: tuple[ColumnErasure, ...] = ()
        notes: tuple[str, ...] = ()
        if retention.action == "anonymise" or refs.get(retention.table):
            found, erasures, notes = _erasures(
                retention, declared, schema, refs, info.primary_key, recorded=recorded
            )
        else:
            found = column_types(schema, retention.table)
        types[retention.table] = found
        skip = _unswept(retention, info.columns, info.primary_key)
        swept[retention.table] = SweptTable(
            retention, None, info.primary_key, found, erasures, notes, skip
        )
        if retention.archives:
            columns = declared.tables[retention.table].columns
            swept[retention.table] = dataclasses.replace(
                swept[retention.table],
                retention=retention.whole(),
                active=retention,
                archived_columns=tuple(c for c in columns if c in info.columns),
            )
    tables = _tables(schema, types)
    swept = {table: dataclasses.replace(s, table=tables.get(table)) for table, s in swept.items()}
    return SweptSource(name, engine, schema, tables, refs, swept)


def _tables(
    schema: SchemaInfo, types: Mapping[str, Mapping[str, ColumnType]]
) -> dict[str, sa.Table]:
    """Core tables of the whole database: typed where the sweep compares dates, bare
    elsewhere (only their foreign-key columns are named)."""
    metadata = sa.MetaData()
    tables = {}
    for name, info in schema.tables.items():
        typed = types.get(name, {})
        columns = [
            sa.Column(c, typed[c].type) if c in typed else sa.Column(c) for c in info.columns
        ]
        tables[name] = sa.Table(name, metadata, *columns)
    return tables


def _erasures(
    retention: TableRetention,
    declared: Source,
    schema: SchemaInfo,
    refs: Mapping[str, list[Reference]],
    key: tuple[str, ...],
    *,
    recorded: bool,
) -> tuple[dict[str, ColumnType], tuple[ColumnErasure, ...], tuple[str, ...]]:
    """A table's column types, the erasures anonymising applies, and notes on its columns.
    A table to delete from anonymises only rows that rows staying refer to: what its later
    sweeps must read to delete them is left out."""
    table = declared.tables[retention.table]
    types, columns, notes = table_columns(retention.table, table, schema, refs, key)
    erasures = tuple(e for e in columns.values() if e.action != "keep")
    if retention.action == "delete":
        read = _still_read(retention, table, declared, recorded)
        notes += tuple(
            f"{e.column} {read[e.column]}: left as it is, so that the row still goes once "
            "nothing refers to it"
            for e in erasures
            if e.column in read
        )
        erasures = tuple(e for e in erasures if e.column not in read)
    return types, erasures, notes


def _still_read(
    retention: TableRetention, table: Table, declared: Source, recorded: bool
) -> dict[str, str]:
    """The columns of a table to delete from that its sweeps must still read once the row
    is anonymised, and why: without them a rule would never end for the row."""
    read: dict[str, str] = {}
    if recorded:
        # Pledge finds a person's rows from their identity, then along the links.
        names = (retention.table, retention.name)
        incoming = [
            column
            for other in declared.tables.values()
            for link in other.links
            if link.table in names
            for column in link.on.values()
        ]
        for column in [*(c for link in table.links for c in link.on), *incoming]:
            read[column] = "links the row to its person, whose recorded dates rules count from"
        for column, spec in table.columns.items():
            if spec.identity:
                read[column] = "identifies the person, whose recorded dates rules count from"
    for rule in retention.rules:
        for date in (rule.column, rule.fallback, rule.objection_column):
            if date is not None:
                read[date] = f"holds the date rule {rule.name} counts from"
    return read


def _unswept(
    retention: TableRetention, columns: Mapping[str, object], key: tuple[str, ...]
) -> str | None:
    """Why the sweep cannot change the table, if it cannot."""
    if not key:
        return "the table has no primary key to tell rows apart"
    named = [
        (rule.name, column)
        for rule in retention.rules
        for column in (rule.column, rule.fallback, rule.objection_column)
        if column is not None
    ]
    missing = [f"{column} (rule {rule})" for rule, column in named if column not in columns]
    if missing:
        return (
            f"the table has no column {', '.join(dict.fromkeys(missing))}, named under `timestamps`"
        )
    return None


def _skipped(retention: TableRetention, why: str) -> SweptTable:
    return SweptTable(retention, None, (), {}, (), (), why)
