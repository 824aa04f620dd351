"""The graph the plan walks: tables joined by declared links and real foreign keys.

An `Edge` says that rows of `child` refer to rows of `parent` (`child_columns` equal
`parent_columns`). It comes from a foreign key between two declared tables, from a declared
link (which may have no constraint behind it), or from both. A `Route` is one way from the
subject's identity to a table: a `Root` (rows matched by a value) and then hops along edges,
never visiting a table twice, so cycles end by themselves.

Each hop has a kind, which decides whether the rows it reaches are the subject's own:

- `owns`: down an edge (rows that refer to the subject's row: their orders), or along a
  declared link either way (the declaration says both rows have the same person);
- `shared_link`: down a link declared `shared: true` (a rental another customer paid for);
- `references`: up a foreign key (the address the subject's row points to), which other
  people's rows may point to as well.

Three hops are never taken. Into a table whose rows are people (it has a `subject`) by a
foreign key alone: a referrer or a referee is someone else; such rows are found by their
identity or a declared link. Down after a `references` hop: the rows that point at a shared
address are its other residents' rows. And up into a table that holds the subject's own
rows: an order is the subject's by its own customer key, not because an invoice of theirs
points at it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from pledge.declaration.model import Source
from pledge.errors import PledgeError
from pledge.sources.schema import SchemaInfo

HopKind = Literal["owns", "shared_link", "references"]


@dataclass(frozen=True)
class Edge:
    """Rows of `child` whose `child_columns` equal the `parent_columns` of a `parent` row."""

    child: str
    child_columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    declared: bool = False
    constraint: bool = False
    shared: bool = False

    def describe(self) -> str:
        pairs = ", ".join(
            f"{self.child}.{c} → {self.parent}.{p}"
            for c, p in zip(self.child_columns, self.parent_columns, strict=True)
        )
        kind = "shared link" if self.shared else "link" if self.declared else "foreign key"
        return f"{pairs}, {kind}"


@dataclass(frozen=True)
class Hop:
    edge: Edge
    downward: bool  # from a parent row to the rows that refer to it
    kind: HopKind

    @property
    def start(self) -> str:
        return self.edge.parent if self.downward else self.edge.child

    @property
    def end(self) -> str:
        return self.edge.child if self.downward else self.edge.parent

    @property
    def start_columns(self) -> tuple[str, ...]:
        return self.edge.parent_columns if self.downward else self.edge.child_columns

    @property
    def end_columns(self) -> tuple[str, ...]:
        return self.edge.child_columns if self.downward else self.edge.parent_columns


@dataclass(frozen=True)
class Seed:
    """A bound parameter that picks root rows: `table.columns IN (:param)`.

    Its values are the identity the user gave (`kind`), identities of that kind found in
    other sources, or, for a link across sources (`linked_from`), the values of the linked
    columns in the subject's rows there: (source, table, columns).
    """

    param: str
    table: str
    columns: tuple[str, ...]
    kind: str | None = None
    linked_from: tuple[str, str, tuple[str, ...]] | None = None
    shared: bool = False

    def describe(self) -> str:
        """What the value is: an identity kind, or the linked columns of another source."""
        if self.linked_from is None:
            return self.kind or ""
        source, table, linked = self.linked_from
        return f"{source}.{table}.{'+'.join(linked)}"


@dataclass(frozen=True)
class Root:
    table: str
    seeds: tuple[Seed, ...]
    shared: bool = False


@dataclass(frozen=True)
class Route:
    root: Root
    hops: tuple[Hop, ...] = ()

    @property
    def table(self) -> str:
        return self.hops[-1].end if self.hops else self.root.table

    @property
    def tables(self) -> tuple[str, ...]:
        return (self.root.table, *(hop.end for hop in self.hops))

    @property
    def prefix(self) -> Route:
        return Route(self.root, self.hops[:-1])

    def describe(self) -> str:
        kinds = [seed.describe() for seed in self.root.seeds]
        either = ", ".join(kinds[:-1]) + " or " + kinds[-1] if len(kinds) > 1 else kinds[0]
        text = f"{self.root.table} by {either}"
        for hop in self.hops:
            text += f" → {hop.end} ({hop.edge.describe()})"
        return text


@dataclass
class Routes:
    """Every route found, and the tables that lie beyond the depth limit.

    `owning` holds the routes made of `owns` hops only: together they define the subject's
    own rows of a table, against which rows reached otherwise are judged.
    """

    by_table: dict[str, list[Route]] = field(default_factory=dict)
    beyond_limit: set[str] = field(default_factory=set)
    owning: dict[str, list[Route]] = field(default_factory=dict)


def source_edges(name: str, source: Source, schema: SchemaInfo) -> tuple[Edge, ...]:
    """Foreign keys between declared tables, merged with the source's own declared links."""
    declared = set(source.tables)
    edges: dict[tuple[str, str, frozenset[tuple[str, str]]], Edge] = {}
    for table_name in sorted(declared):
        for fk in schema.tables[table_name].foreign_keys:
            if fk.referred_table in declared:
                edge = Edge(table_name, fk.columns, fk.referred_table, fk.referred_columns)
                edges[_same_join(edge)] = replace(edge, constraint=True)
    for table_name, table in sorted(source.tables.items()):
        for link in table.links:
            other, _, target = link.table.rpartition(".")
            if other and other != name:
                continue  # another source: joined through bound values, not in SQL
            edge = Edge(table_name, tuple(link.on), target, tuple(link.on.values()))
            # A link that restates a foreign key keeps its column order and adds its flags.
            edge = edges.get(_same_join(edge), edge)
            edges[_same_join(edge)] = replace(edge, declared=True, shared=link.shared)
    return tuple(edges.values())


def _same_join(edge: Edge) -> tuple[str, str, frozenset[tuple[str, str]]]:
    pairs = frozenset(zip(edge.child_columns, edge.parent_columns, strict=True))
    return edge.child, edge.parent, pairs


def hop_kind(edge: Edge, downward: bool, people: set[str]) -> HopKind | None:
    """What the rows at the end of a hop are to the subject; None: the hop is not taken.

    `people` are the tables whose rows are people (they have a `subject`).
    """
    end = edge.child if downward else edge.parent
    if end in people and not edge.declared:
        return None  # a referrer, a referee: another person, whom a foreign key alone names
    if edge.shared and downward:
        return "shared_link"
    if edge.declared and not edge.shared:
        return "owns"
    return "owns" if downward else "references"


def find_routes(
    roots: list[Root],
    edges: tuple[Edge, ...],
    people: set[str],
    max_depth: int,
    max_routes: int,
) -> Routes:
    """Every simple route from the roots, at most `max_depth` hops long.

    Two walks: the first, by `owns` hops only, finds the tables that hold the subject's
    own rows; the second may not go up into those (their owner is whoever their own keys
    say, not whoever refers to them: an order an invoice of the subject's points at).
    """
    owning = _walk(roots, edges, people, max_depth, max_routes, None).by_table
    found = _walk(roots, edges, people, max_depth, max_routes, set(owning))
    found.owning = owning
    return found


def _walk(
    roots: list[Root],
    edges: tuple[Edge, ...],
    people: set[str],
    max_depth: int,
    max_routes: int,
    owned: set[str] | None,
) -> Routes:
    found = Routes()
    adjacent: dict[str, list[Hop]] = {}
    for hop in _hops(edges, people):
        if owned is not None or hop.kind == "owns":
            adjacent.setdefault(hop.start, []).append(hop)
    pending = [Route(root) for root in roots if owned is not None or not root.shared]
    total = 0
    while pending:
        route = pending.pop(0)
        found.by_table.setdefault(route.table, []).append(route)
        total += 1
        if total > max_routes:
            raise PledgeError(
                f"the plan would follow more than {max_routes} routes between tables",
                "lower the depth limit, or declare fewer links between the same tables",
            )
        for hop in _next_hops(route, adjacent, owned or set()):
            if len(route.hops) >= max_depth:
                found.beyond_limit.add(hop.end)
            else:
                pending.append(Route(route.root, (*route.hops, hop)))
    found.beyond_limit -= set(found.by_table)
    return found


def _hops(edges: tuple[Edge, ...], people: set[str]) -> list[Hop]:
    """Every hop the edges allow, once per join: a link declared from the other side of a
    foreign key (`addresses` linking to the rows that refer to it) says how to take it."""
    hops: dict[tuple[str, str, frozenset[tuple[str, str]]], Hop] = {}
    for edge in sorted(edges, key=lambda e: e.declared):
        for downward in (True, False):
            kind = hop_kind(edge, downward, people)
            if kind is not None:
                hop = Hop(edge, downward, kind)
                pairs = frozenset(zip(hop.start_columns, hop.end_columns, strict=True))
                hops[(hop.start, hop.end, pairs)] = hop
    return list(hops.values())


def _next_hops(route: Route, adjacent: Mapping[str, list[Hop]], owned: set[str]) -> Iterator[Hop]:
    if route.root.shared:
        return  # rows that are someone else's too lead nowhere
    referenced = any(hop.kind == "references" for hop in route.hops)
    visited = set(route.tables)
    for hop in adjacent.get(route.table, []):
        if hop.end in visited:
            continue
        if (hop.kind == "references" or referenced) and (hop.downward or hop.end in owned):
            continue  # rows pointing at a shared address are its other residents' rows
        yield hop
