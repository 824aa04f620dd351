"""The SQL of a plan: each route is a chain of nested `IN (SELECT ...)` from its root.

`orders.customer_id IN (SELECT customers.id FROM customers WHERE customers.email IN (:email))`
lets the database do the joining, whatever the number of rows. A table reached by several
routes is read by one statement that picks its rows by key from the UNION of the routes
(`id IN (SELECT id ... WHERE route 1 UNION SELECT id ... WHERE route 2)`): each route on its
own is a semi-join the database drives from the subject's few rows through indexes, while an
OR of `IN (SELECT ...)` conditions makes PostgreSQL scan the whole table and probe a hashed
subplan for every row (measured at 1M customers: 5 s instead of 18 ms). Whether a reached
row is shared is decided in the same statement, by a CASE over the routes' sharing conditions, so
no row of another person is ever judged in Python. Tables and columns come from the
reflected schema; identifiers are quoted by SQLAlchemy and values are always bound.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from pledge.sources.plan_graph import Edge, Route
from pledge.sources.schema import SchemaInfo

SHARED_LABEL = "pledge_shared"

# False: rows reached this way are never shared; True: always; an expression: row by row.
Sharing = ColumnElement[bool] | bool


@dataclass(frozen=True)
class RouteSharing:
    condition: Sharing
    reasons: tuple[str, ...] = ()


def sql_tables(schema: SchemaInfo, names: Sequence[str]) -> dict[str, sa.Table]:
    """Lightweight Core tables for the named tables: every column, no types needed.

    The same objects for every caller of one schema read: SQLAlchemy caches a statement's
    compiled form by its structure, in which a table counts by identity.
    """
    tables = schema.sql_cache.get("tables")
    if tables is None:
        metadata = sa.MetaData()
        tables = {
            name: sa.Table(name, metadata, *(sa.Column(c) for c in info.columns))
            for name, info in schema.tables.items()
        }
        schema.sql_cache["tables"] = tables
    return {name: tables[name] for name in names}


def in_(columns: Sequence[ColumnElement[Any]], values: Any) -> ColumnElement[bool]:
    """`col IN (...)`, or the row-value form `(a, b) IN (...)` for composite keys; with a
    PostgreSQL array parameter (see `found_parameter`), `col = ANY(:values)`."""
    if len(columns) == 1:
        if isinstance(values, sa.BindParameter) and isinstance(values.type, postgresql.ARRAY):
            return columns[0] == sa.any_(values)
        return columns[0].in_(values)
    return sa.tuple_(*columns).in_(values)


# Key types whose values PostgreSQL takes as a typed array as they come from the database.
_ARRAY_KEYS = (sa.Integer, sa.String, sa.Uuid)


def found_parameter(name: str, schema: SchemaInfo, table: str) -> sa.BindParameter[Any]:
    """The parameter that carries the keys of the subject's rows found in `table`.

    On PostgreSQL, a one-column key of a plain type goes as ONE typed array
    (`id = ANY(:found::INTEGER[])`): the statement's text is then the same whatever the
    number of keys, so the driver prepares it once and the server plans it once. Elsewhere,
    an expanding `IN` list.
    """
    info = schema.tables[table]
    types = [info.columns[c].sql_type for c in info.primary_key]
    return keys_parameter(name, schema.dialect, types)


def keys_parameter(
    name: str, dialect: str, key_types: Sequence[TypeEngine[Any]]
) -> sa.BindParameter[Any]:
    """A parameter for a list of keys of these column types (see `found_parameter`); its
    values are given as `key_values` makes them."""
    if dialect == "postgresql" and len(key_types) == 1 and isinstance(key_types[0], _ARRAY_KEYS):
        return sa.bindparam(name, type_=postgresql.ARRAY(key_types[0]))
    return sa.bindparam(name, expanding=True)


def key_values(keys: Sequence[tuple[Any, ...]]) -> list[Any]:
    """Keys (tuples) as a keys parameter takes them: values for a one-column key."""
    return [k[0] for k in keys] if keys and len(keys[0]) == 1 else list(keys)


class RouteSql:
    """Builds the conditions of routes over one source's tables."""

    def __init__(
        self,
        tables: Mapping[str, sa.Table],
        keys: Mapping[str, tuple[str, ...]],
        edges: Sequence[Edge],
        params: Mapping[str, sa.BindParameter[Any]],
        owning: Mapping[str, Sequence[Route]],
        *,
        nested_unions: bool = True,
        own: Mapping[str, sa.BindParameter[Any]] | None = None,
    ) -> None:
        self.nested_unions = nested_unions
        # Tables whose rows of the subject an earlier statement found: their keys are bound.
        self.own = own or {}
        self.tables = tables
        self.keys = keys
        self.edges = edges
        self.params = params
        self.owning = owning

    def reach(self, route: Route) -> ColumnElement[bool]:
        """The rows of `route.table` that the route reaches."""
        table = self.tables[route.table]
        if not route.hops:
            return sa.or_(
                *(
                    in_([table.c[c] for c in seed.columns], self.params[seed.param])
                    for seed in route.root.seeds
                )
            )
        hop = route.hops[-1]
        ends = [table.c[c] for c in hop.end_columns]
        if hop.start in self.own and hop.start_columns == self.keys.get(hop.start):
            return in_(ends, self.own[hop.start])  # the keys found are what the hop joins on
        start = self.tables[hop.start]
        inner = sa.select(*(start.c[c] for c in hop.start_columns)).where(self.kept(route.prefix))
        return in_(ends, inner.correlate(None))

    def kept(self, route: Route) -> ColumnElement[bool]:
        """Reached and not shared: the subject's own rows, from which the route goes on."""
        found = self.found(route.table)
        if found is not None:
            return found
        sharing = self.sharing(route).condition
        if sharing is False:
            return self.reach(route)
        if sharing is True:
            return sa.false()
        return sa.and_(self.reach(route), sa.not_(sharing))

    def subjects(self, table: str, route: Route | None) -> ColumnElement[bool] | None:
        """The subject's own rows of a table: those its owning routes reach, or else the
        ones `route` (which ends at the table) keeps; None when neither is known."""
        found = self.found(table)
        if found is not None:
            return found
        owning = self.owning.get(table)
        if owning:
            reaches = [self.reach(r) for r in owning]
            # These conditions sit deep inside others, where a UNION at every level nests
            # past SQLite's parser stack; SQLite reads an OR of IN lists through its indexes.
            if self.nested_unions:
                return self.any_of(table, reaches)
            return sa.or_(*reaches)
        return None if route is None else self.kept(route)

    def found(self, table: str) -> ColumnElement[bool] | None:
        """The subject's rows of `table` by the keys an earlier statement found, if it ran."""
        param = self.own.get(table)
        if param is None:
            return None
        found = self.tables[table]
        return in_([found.c[c] for c in self.keys[table]], param)

    def any_of(self, table: str, conditions: Sequence[ColumnElement[bool]]) -> ColumnElement[bool]:
        """Rows of `table` meeting any of `conditions`: by key from a UNION when there are
        several and the table has a key (see the module's docstring), else their OR."""
        key = self.keys.get(table, ())
        if len(conditions) == 1 or not key:
            return sa.or_(*conditions)
        found = self.tables[table]
        # Uncorrelated: each branch reads the table afresh, inside the statement that reads it.
        branches = [
            sa.select(*(found.c[c] for c in key)).where(condition).correlate(None)
            for condition in conditions
        ]
        return in_([found.c[c] for c in key], sa.union(*branches).subquery().select())

    def sharing(self, route: Route) -> RouteSharing:
        """When a row reached by this route is someone else's too, and why."""
        if not route.hops:
            if route.root.shared:
                return RouteSharing(True, ("always: the link across sources is declared shared",))
            return RouteSharing(False)
        hop = route.hops[-1]
        if hop.kind == "owns":
            return RouteSharing(False)
        if hop.kind == "shared_link":
            return self._shared_link(route)
        pairs = [
            tuple(zip(e.child_columns, e.parent_columns, strict=True))
            for e in self.edges
            if e.child == hop.start and e.parent == hop.end
        ]
        return self._pointed_at_by_others(route, pairs, "refers to it too")

    def _shared_link(self, route: Route) -> RouteSharing:
        # Shared when the data shows someone else on the row: another row of the linked
        # table links to it too (a couple's address), or another of its shared links names
        # someone else (a rental another customer paid for). Otherwise it is the subject's.
        hop = route.hops[-1]
        found = [RouteSharing(False)]
        if set(hop.edge.parent_columns) != set(self.keys.get(hop.start, ())):
            pairs = tuple(zip(hop.edge.parent_columns, hop.edge.child_columns, strict=True))
            found.append(self._pointed_at_by_others(route, [pairs], "links to it too"))
        table = self.tables[hop.end]
        passed = route.tables[:-1]
        for link in self.edges:
            if link.child != hop.end or not link.shared or link == hop.edge:
                continue
            columns = [table.c[c] for c in link.child_columns]
            named = sa.and_(*(c.is_not(None) for c in columns))
            # Unless the subject's rows of the linked table are known, any row the link
            # names counts as someone else's.
            there = None
            if link.parent in passed:
                there = Route(route.root, route.hops[: passed.index(link.parent)])
            known = self.subjects(link.parent, there)
            if link.parent in self.own and link.parent_columns == self.keys[link.parent]:
                named = sa.and_(named, sa.not_(in_(columns, self.own[link.parent])))
            elif known is not None:
                linked = self.tables[link.parent]
                subjects = sa.select(*(linked.c[c] for c in link.parent_columns)).where(known)
                named = sa.and_(named, sa.not_(in_(columns, subjects.correlate(None))))
            reason = f"when its shared link {', '.join(link.child_columns)} names someone else"
            found.append(RouteSharing(named, (reason,)))
        return _any(found)

    def _pointed_at_by_others(
        self, route: Route, joins: Sequence[tuple[tuple[str, str], ...]], verb: str
    ) -> RouteSharing:
        """Whether a row of the route's previous table that is not the subject's points at
        the row too, through any of `joins` (pairs of that table's column, this one's)."""
        hop = route.hops[-1]
        start, end = hop.start, hop.end
        key = self.keys.get(start, ())
        if not key:
            reason = f"always: {start} has no primary key to tell the subject's rows apart"
            return RouteSharing(True, (reason,))
        other = self.tables[start].alias(f"other_{start}")
        table = self.tables[end]
        pointing = sa.or_(*(sa.and_(*(other.c[c] == table.c[p] for c, p in j)) for j in joins))
        others = [other.c[c] for c in key]
        if start in self.own:
            not_mine = sa.not_(in_(others, self.own[start]))
        else:
            known = self.subjects(start, route.prefix)
            assert known is not None  # the route passed through `start`
            mine = sa.select(*(self.tables[start].c[c] for c in key)).where(known)
            not_mine = sa.not_(in_(others, mine.correlate(None)))
        exists = sa.exists(
            sa.select(sa.literal_column("1")).select_from(other).where(pointing, not_mine)
        ).correlate(table)
        return RouteSharing(exists, (f"when another {start} row {verb}",))


def _any(found: Sequence[RouteSharing]) -> RouteSharing:
    """Shared when any of these says so."""
    if any(f.condition is True for f in found):
        return RouteSharing(True, tuple(r for f in found if f.condition is True for r in f.reasons))
    conditions = [f.condition for f in found if not isinstance(f.condition, bool)]
    if not conditions:
        return RouteSharing(False)
    reasons = tuple(r for f in found for r in f.reasons)
    return RouteSharing(conditions[0] if len(conditions) == 1 else sa.or_(*conditions), reasons)


def step_statement(
    table: sa.Table, columns: Sequence[str], routes: Sequence[Route], sql: RouteSql
) -> tuple[sa.Select[Any], tuple[str, ...]]:
    """One SELECT for a table: its rows on any route, with a shared flag when one may be.

    Returns the statement and the reasons a row may be shared (none: no flag selected).
    """
    reaches = [sql.reach(route) for route in routes]
    distinct = _distinct(reaches)
    selected: list[ColumnElement[Any]] = [table.c[c] for c in columns]
    shared: list[ColumnElement[bool]] = []
    reasons: list[str] = []
    rooted = [reach for route, reach in zip(routes, reaches, strict=True) if _owned_root(route)]
    for route, reach in zip(routes, reaches, strict=True):
        sharing = sql.sharing(route)
        if sharing.condition is False:
            continue
        reasons += sharing.reasons
        if len(distinct) == 1:  # every row selected is reached this way
            shared.append(sa.true() if sharing.condition is True else sharing.condition)
        else:
            shared.append(reach if sharing.condition is True else sa.and_(reach, sharing.condition))
    if shared:
        # A row matched by the identity itself is the subject's, whatever else points at it.
        one: ColumnElement[int] = sa.literal_column("1", sa.Integer())
        zero: ColumnElement[int] = sa.literal_column("0", sa.Integer())
        whens = [(sa.or_(*_distinct(rooted)), zero)] if rooted else []
        flag = sa.case(*whens, (sa.or_(*_distinct(shared)), one), else_=zero)
        selected.append(flag.label(SHARED_LABEL))
    if not selected:
        selected.append(sa.literal_column("1"))  # no key, nothing mapped: rows are counted
    statement = sa.select(*selected).where(sql.any_of(table.name, distinct))
    return statement, tuple(dict.fromkeys(reasons))


def _distinct(conditions: Sequence[ColumnElement[bool]]) -> list[ColumnElement[bool]]:
    """The conditions without repeats: routes that differ only before a table whose rows
    are bound by key reach the same rows by the same SQL."""
    kept: list[ColumnElement[bool]] = []
    for condition in conditions:
        if not any(condition.compare(k) for k in kept):
            kept.append(condition)
    return kept


def _owned_root(route: Route) -> bool:
    return not route.hops and not route.root.shared


def compile_sql(statement: sa.Select[Any], dialect: str) -> str:
    """The statement in the dialect's SQL, with `:name` placeholders and nested indentation."""
    # Every SQLAlchemy dialect is a DefaultDialect, which takes a paramstyle.
    dialect_class = cast(type[DefaultDialect], make_url(f"{dialect}://").get_dialect())
    compiled = statement.compile(dialect=dialect_class(paramstyle="named"))
    # A list parameter is expanded when run; show it as the one named placeholder it is.
    text = re.sub(r"__\[POSTCOMPILE_(\w+)\]", r":\1", str(compiled))
    return _indent(text)


def _indent(sql: str) -> str:
    lines: list[str] = []
    depth = 0
    for raw in sql.splitlines():
        line = raw.strip()
        if not line:
            continue
        lines.append("  " * depth + line)
        depth = max(0, depth + line.count("(") - line.count(")"))
    return "\n".join(lines)
