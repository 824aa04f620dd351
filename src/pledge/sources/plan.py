"""The traversal plan: from a person's identity to every row that is theirs.

Roots are the tables with a column whose declared `identity` is one of the kinds given
(`{"email": "jane@example.com"}`): their rows are matched by value. From there the plan
follows edges, both ways: declared `links` and the real foreign keys between declared tables,
even undeclared ones (plan_graph.py explains which hops lead to the subject's own rows and
which to rows that may be shared). Routes never revisit a table, so cycles end; they stop at
a depth limit, and the plan says which tables lay beyond it.

Each table is read by ONE statement: the OR of its routes, each a chain of nested
`IN (SELECT ...)` from the root (plan_sql.py), so the database does the joining. Within a
source the whole chain is SQL. Across sources, values travel as bound parameters: identities
found in the subject's rows of one source (an email in the shop) become roots in the others
(the CRM's email column), and so do the columns of links declared as `source.table`. Running
that is access.py's work: a few rounds at most.

A row is shared when the data shows someone else on it, judged in SQL against the subject's
own rows: reached up a foreign key that other people's rows point at too (an address two
customers share); reached through a link declared `shared: true` when another row of the
linked table links to it too (a household) or another of its shared links names someone
else (a rental another customer paid for). A row the identity itself matches never is.
Shared rows are reported, but only that they exist and which categories they hold: never
their values, and they are never erased.

`build_plan` makes a `Plan` of frozen `Step`s; `plan_explain.explain` prints it with its SQL;
`access.execute_access` runs it for an access request.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from pledge.declaration.model import Declaration, Source
from pledge.errors import PledgeError
from pledge.sources.plan_cache import ShapeCache, schema_objects
from pledge.sources.plan_graph import Root, Route, Seed, find_routes, source_edges
from pledge.sources.plan_sql import RouteSql, found_parameter, sql_tables, step_statement
from pledge.sources.schema import SchemaInfo

DEFAULT_DEPTH = 6
MAX_ROUTES = 500


@dataclass(frozen=True)
class Step:
    """One table of a source, read by one statement."""

    source: str
    table: str
    routes: tuple[Route, ...]
    statement: sa.Select[Any]  # self-contained: from the identity's parameters alone
    columns: tuple[str, ...]  # selected in this order: key, mapped columns, link columns
    key: tuple[str, ...]
    categories: Mapping[str, str]  # mapped column -> category
    identities: Mapping[str, str]  # identity column -> kind
    linked: tuple[tuple[str, ...], ...]  # column groups a link from another source joins on
    shared_reasons: tuple[str, ...]  # when a row is shared; none: never (no flag selected)
    # The same rows, taking the keys of the subject's rows that the steps before it found
    # as parameters (`SourcePlan.found`): what runs when the steps run in order.
    staged: sa.Select[Any] | None = None

    @property
    def may_share(self) -> bool:
        return bool(self.shared_reasons)

    @property
    def in_order(self) -> sa.Select[Any]:
        """The statement to run when the steps run in order: the staged one if any."""
        return self.staged if self.staged is not None else self.statement


@dataclass(frozen=True)
class SourcePlan:
    name: str
    dialect: str
    steps: tuple[Step, ...]
    seeds: tuple[Seed, ...]
    notes: tuple[str, ...]
    # table -> the parameter that carries the keys of the subject's own rows found there
    found: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    identity: Mapping[str, tuple[str, ...]]  # what the user gave: kind -> values
    sources: tuple[SourcePlan, ...]
    max_depth: int

    def source(self, name: str) -> SourcePlan:
        return next(s for s in self.sources if s.name == name)

    def step(self, source: str, table: str) -> Step:
        return next(s for s in self.source(source).steps if s.table == table)


def build_plan(
    declaration: Declaration,
    schemas: Mapping[str, SchemaInfo],
    identity: Mapping[str, str | Sequence[str]],
    *,
    max_depth: int = DEFAULT_DEPTH,
) -> Plan:
    """The plan for a person over every declared source, whose schemas are given by name."""
    sources = declaration.sources
    if not sources:
        raise PledgeError("the declaration has no sources", "declare them under `sources`")
    given = _given(identity, sources)
    objects = (declaration, *schema_objects(schemas))
    details = (tuple(sorted(schemas)), tuple(sorted(given)), max_depth)
    plans = _PLANS.get(objects, details, lambda: _source_plans(sources, schemas, given, max_depth))
    return Plan(given, plans, max_depth)


_PLANS = ShapeCache()


def _source_plans(
    sources: Mapping[str, Source],
    schemas: Mapping[str, SchemaInfo],
    given: Mapping[str, tuple[str, ...]],
    max_depth: int,
) -> tuple[SourcePlan, ...]:
    problems = [p for name in sources for p in _mismatches(name, sources, schemas)]
    if problems:
        raise PledgeError(
            "the declared sources do not match their databases: " + "; ".join(problems),
            "correct the table and column names under `sources` in the declaration",
        )
    seeds = _seeds(sources, set(given))
    wanted = _link_columns(seeds)
    return tuple(
        _source_plan(name, sources[name], schemas[name], seeds[name], wanted, max_depth)
        for name in sources
    )


def _source_plan(
    name: str,
    source: Source,
    schema: SchemaInfo,
    seeds: list[Seed],
    wanted: Mapping[tuple[str, str], tuple[tuple[str, ...], ...]],
    max_depth: int,
) -> SourcePlan:
    edges = source_edges(name, source, schema)
    people = {t for t, table in source.tables.items() if table.subject is not None}
    roots = [
        Root(table, tuple(s for s in seeds if (s.table, s.shared) == (table, shared)), shared)
        for table, shared in dict.fromkeys((s.table, s.shared) for s in seeds)
    ]
    routes = find_routes(roots, edges, people, max_depth, MAX_ROUTES)
    tables = sql_tables(schema, list(source.tables))
    keys = {t: schema.tables[t].primary_key for t in source.tables}
    params: dict[str, sa.BindParameter[Any]] = {
        s.param: sa.bindparam(s.param, expanding=True) for s in seeds
    }
    nested = schema.dialect != "sqlite"
    sql = RouteSql(tables, keys, edges, params, routes.owning, nested_unions=nested)
    # Each table's subject rows, once read, are bound by key in the statements after it:
    # index lookups by key instead of the whole chain from the identity again.
    found: dict[str, sa.BindParameter[Any]] = {}
    used = set(params)
    steps = []
    for table_name in _staging_order(routes.by_table):
        table_routes = routes.by_table[table_name]
        table = source.tables[table_name]
        linked = wanted.get((name, table_name), ())
        columns = (*keys[table_name], *table.columns, *(c for group in linked for c in group))
        columns = tuple(dict.fromkeys(columns))
        statement, reasons = step_statement(tables[table_name], columns, table_routes, sql)
        staged_sql = RouteSql(
            tables, keys, edges, params, routes.owning, nested_unions=nested, own=dict(found)
        )
        staged, _ = step_statement(tables[table_name], columns, table_routes, staged_sql)
        if keys[table_name]:
            found[table_name] = found_parameter(
                _param(f"found_{table_name}", used), schema, table_name
            )
            used.add(found[table_name].key)
        steps.append(
            Step(
                source=name,
                table=table_name,
                routes=tuple(table_routes),
                statement=statement,
                columns=columns,
                key=keys[table_name],
                categories={c: spec.category for c, spec in table.columns.items()},
                identities={c: s.identity for c, s in table.columns.items() if s.identity},
                linked=linked,
                shared_reasons=reasons,
                staged=staged,
            )
        )
    notes = [
        f"{t} lies more than {max_depth} hops from the subject: raise the depth limit to reach it"
        for t in sorted(routes.beyond_limit)
    ]
    notes += [
        f"{t} is declared, but no identity column, link or foreign key leads to it"
        for t in source.tables
        if t not in routes.by_table and t not in routes.beyond_limit
    ]
    found_params = {t: p.key for t, p in found.items()}
    return SourcePlan(name, schema.dialect, tuple(steps), tuple(seeds), tuple(notes), found_params)


def _staging_order(by_table: Mapping[str, Sequence[Route]]) -> list[str]:
    """Tables after the ones their routes come from, so that those rows are bound by key.

    Tables that reach each other (orders by address, addresses by order) cannot all come
    after each other: of those missing the fewest, the one most others wait for goes first
    and reads the rest by its chain.
    """
    needs = {
        table: {r.hops[-1].start for r in routes if r.hops} - {table}
        for table, routes in by_table.items()
    }
    done: dict[str, None] = {}
    pending = list(by_table)
    while pending:
        waiting = {t: sum(t in needs[o] for o in pending) for t in pending}
        ready = min(pending, key=lambda t: (len(needs[t] - done.keys()), -waiting[t]))
        done[ready] = None
        pending.remove(ready)
    return list(done)


def _given(
    identity: Mapping[str, str | Sequence[str]], sources: Mapping[str, Source]
) -> dict[str, tuple[str, ...]]:
    kinds = sorted(_identity_kinds(sources.values()))
    if not identity:
        raise PledgeError("no identity given", f"give one of: {', '.join(kinds) or 'none'}")
    given: dict[str, tuple[str, ...]] = {}
    for kind, values in identity.items():
        if kind not in kinds:
            raise PledgeError(
                f"no column of the sources holds the identity '{kind}'",
                f"columns are marked `identity:` {', '.join(kinds)}"
                if kinds
                else "mark the column that identifies a person with `identity: email`",
            )
        listed = (values,) if isinstance(values, str) else tuple(values)
        cleaned = tuple(dict.fromkeys(v.strip() for v in listed))
        if not cleaned or not all(cleaned):
            raise PledgeError(
                f"the identity '{kind}' has an empty value", f"give it as {kind}=<value>"
            )
        given[kind] = cleaned
    return given


def _identity_kinds(sources: Iterable[Source]) -> set[str]:
    return {
        column.identity
        for source in sources
        for table in source.tables.values()
        for column in table.columns.values()
        if column.identity
    }


def _seeds(sources: Mapping[str, Source], given: set[str]) -> dict[str, list[Seed]]:
    """Per source, the parameters that pick its root rows."""
    seeds: dict[str, list[Seed]] = {name: [] for name in sources}
    for name, source in sources.items():
        # A kind nobody typed may still be found in another source's rows.
        findable = given | _identity_kinds(s for other, s in sources.items() if other != name)
        for table_name, table in source.tables.items():
            for column, spec in table.columns.items():
                if spec.identity in findable:
                    seeds[name].append(
                        Seed(_param(spec.identity), table_name, (column,), kind=spec.identity)
                    )
    for name, source in sources.items():
        for table_name, table in source.tables.items():
            for link in table.links:
                other, _, other_table = link.table.rpartition(".")
                if not other or other == name:
                    continue
                mine, theirs = tuple(link.on), tuple(link.on.values())
                for at, (t, cols), (from_source, from_table, from_cols) in (
                    (name, (table_name, mine), (other, other_table, theirs)),
                    (other, (other_table, theirs), (name, table_name, mine)),
                ):
                    used = {s.param for s in seeds[at]}
                    param = _param(f"{from_source}_{from_table}_{'_'.join(from_cols)}", used)
                    origin = (from_source, from_table, from_cols)
                    seeds[at].append(Seed(param, t, cols, linked_from=origin, shared=link.shared))
    return seeds


def _param(name: str, used: set[str] | None = None) -> str:
    # Bound parameter names stay ASCII identifiers, whatever the table is called.
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9_]+", "_", ascii_name).strip("_").lower() or "value"
    if base[0].isdigit():
        base = f"p_{base}"
    candidate, n = base, 1
    while used and candidate in used:
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def _link_columns(
    seeds: Mapping[str, list[Seed]],
) -> dict[tuple[str, str], tuple[tuple[str, ...], ...]]:
    """Columns to read from the subject's rows because another source links to them."""
    wanted: dict[tuple[str, str], dict[tuple[str, ...], None]] = {}
    for source_seeds in seeds.values():
        for seed in source_seeds:
            if seed.linked_from:
                source, table, columns = seed.linked_from
                wanted.setdefault((source, table), {})[columns] = None
    return {at: tuple(groups) for at, groups in wanted.items()}


def _mismatches(
    name: str, sources: Mapping[str, Source], schemas: Mapping[str, SchemaInfo]
) -> list[str]:
    if name not in schemas:
        return [f"no schema was read for source '{name}'"]
    tables = schemas[name].tables
    problems = []
    for table_name, table in sources[name].tables.items():
        if table_name not in tables:
            problems.append(f"{name} has no table '{table_name}'")
            continue
        names = [*table.columns, *(c for link in table.links for c in link.on)]
        for link in table.links:
            other, _, other_table = link.table.rpartition(".")
            linked = schemas.get(other or name)
            found = linked.tables.get(other_table) if linked else None
            if linked is not None and found is None:
                problems.append(f"{other or name} has no table '{other_table}'")
            problems += [
                f"{other or name} has no column '{other_table}.{column}'"
                for column in link.on.values()
                if found is not None and column not in found.columns
            ]
        problems += [
            f"{name} has no column '{table_name}.{c}'"
            for c in dict.fromkeys(names)
            if c not in tables[table_name].columns
        ]
    return list(dict.fromkeys(problems))
