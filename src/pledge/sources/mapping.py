"""Drafting the `sources` section from a live database: categories, identities and links.

Each column gets a proposed category from its name (the taxonomy's column hints) and from
the shape of a sample of its values; tables are tied to the people they are about through
real foreign keys, walked outwards from the tables whose rows are people. Evidence is kept
as counts and words, never as a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from pledge.errors import PledgeError
from pledge.sources.columns import (
    DEFAULT_SAMPLE,
    ColumnGuess,
    classify_schema,
    duplicated_values,
    shared_values,
    type_family,
    unique_column_sets,
)
from pledge.sources.schema import ForeignKey, SchemaInfo, TableInfo, reflect_schema

# --- The draft: which tables are about people, and how each one reaches its person ------


@dataclass(frozen=True)
class DraftLink:
    """A link to propose: along a foreign key of this table (`foreign_key`), or, without
    one, back through the many-to-many `table` whose rows tie this table's rows to people."""

    table: str
    on: tuple[tuple[str, str], ...]
    shared: bool = False
    foreign_key: ForeignKey | None = None


@dataclass(frozen=True)
class ValueLink:
    """A column holding values of another table's unique column, with no foreign key."""

    column: str
    table: str
    referred_column: str
    found: int
    distinct: int
    same_people: bool


@dataclass(frozen=True)
class TableDraft:
    name: str
    included: bool
    root: bool
    columns: dict[str, ColumnGuess]
    identity: str | None
    identity_why: str
    links: tuple[DraftLink, ...]
    other_keys: tuple[ForeignKey, ...]
    value_links: tuple[ValueLink, ...]
    not_personal: tuple[str, ...]


@dataclass(frozen=True)
class SourceDraft:
    name: str
    url_env: str
    sample: int
    tables: dict[str, TableDraft]


def draft_source(
    engine: Engine,
    name: str,
    url_env: str,
    sample: int = DEFAULT_SAMPLE,
    today: date | None = None,
) -> SourceDraft:
    """What `pledge map` proposes for one database.

    Tables whose rows are people (the roots) are those with a person-like column and no
    foreign key to another such table; every other table is tied to them by following
    foreign keys outwards, one hop at a time. A table that reaches no person is left out
    unless its values look personal.
    """
    schema = reflect_schema(engine)
    if not schema.tables:
        raise PledgeError("the database has no tables", "check the database name in the URL")
    inspector = sa.inspect(engine)
    uniques = {t: unique_column_sets(inspector, info) for t, info in schema.tables.items()}
    with engine.connect() as connection:
        guesses = classify_schema(connection, schema, sample, today or date.today())
        persons = {t for t, found in guesses.items() if _about_a_person(found)}
        roots = [
            t
            for t in sorted(persons)
            if not any(fk.referred_table in persons - {t} for fk in schema.tables[t].foreign_keys)
        ]
        distance, links = _reach(schema, roots, uniques)
        identities = {
            root: _identity(connection, schema.tables[root], guesses[root], uniques[root])
            for root in roots
        }
        tables = {}
        for table, info in schema.tables.items():
            included = table in distance or any(g.from_values for g in guesses[table].values())
            found = (
                _value_links(connection, schema, table, uniques, distance, identities, sample)
                if included
                else ()
            )
            tables[table] = _table_draft(
                info,
                guesses[table],
                included=included,
                root=table in roots,
                identity=identities.get(table, (None, "")),
                links=links.get(table, ()),
                value_links=found,
            )
    return SourceDraft(name, url_env, sample, tables)


def _table_draft(
    info: TableInfo,
    guesses: dict[str, ColumnGuess],
    *,
    included: bool,
    root: bool,
    identity: tuple[str | None, str],
    links: tuple[DraftLink, ...],
    value_links: tuple[ValueLink, ...],
) -> TableDraft:
    followed = [link.foreign_key for link in links]
    keyed = {column for fk in info.foreign_keys for column in fk.columns}
    return TableDraft(
        name=info.name,
        included=included,
        root=root,
        columns=guesses,
        identity=identity[0],
        identity_why=identity[1],
        links=links,
        other_keys=tuple(fk for fk in info.foreign_keys if fk not in followed),
        value_links=value_links,
        not_personal=tuple(c for c in info.columns if c not in guesses.keys() | keyed),
    )


def _about_a_person(guesses: dict[str, ColumnGuess]) -> bool:
    return any(guess.suggests_a_person for guess in guesses.values())


def _reach(
    schema: SchemaInfo, roots: list[str], uniques: dict[str, set[frozenset[str]]]
) -> tuple[dict[str, int], dict[str, tuple[DraftLink, ...]]]:
    """Hops from the roots, and the links that make each hop, breadth first so that each
    table links only to tables nearer a person than itself (no cycles)."""
    distance = dict.fromkeys(roots, 0)
    links: dict[str, tuple[DraftLink, ...]] = {}
    level = 0
    while True:
        level += 1
        found: dict[str, list[DraftLink]] = {}
        for name, info in schema.tables.items():
            forward = [
                DraftLink(
                    fk.referred_table,
                    tuple(zip(fk.columns, fk.referred_columns, strict=True)),
                    foreign_key=fk,
                )
                for fk in info.foreign_keys
                if fk.referred_table in distance and fk.referred_table != name
            ]
            if forward and name not in distance:
                found[name] = forward
        for name in [t for t, hops in distance.items() if hops == level - 1]:
            info = schema.tables[name]
            if not _is_link_table(info):
                continue
            for fk in info.foreign_keys:
                target = fk.referred_table
                if target in distance or any(link.foreign_key for link in found.get(target, [])):
                    continue
                shared = not any(key <= frozenset(fk.columns) for key in uniques[name])
                on = tuple(zip(fk.referred_columns, fk.columns, strict=True))
                found.setdefault(target, []).append(DraftLink(name, on, shared))
        if not found:
            return distance, links
        for name in sorted(found):
            distance[name] = level
            links[name] = tuple(found[name])


def _is_link_table(info: TableInfo) -> bool:
    """A many-to-many table: its key is made of foreign keys to two or more tables."""
    referred = {fk.referred_table for fk in info.foreign_keys}
    keyed = {column for fk in info.foreign_keys for column in fk.columns}
    key = set(info.primary_key) or set(info.columns)
    return len(referred) >= 2 and key <= keyed


def _identity(
    connection: Connection,
    info: TableInfo,
    guesses: dict[str, ColumnGuess],
    uniques: set[frozenset[str]],
) -> tuple[str | None, str]:
    for guess in guesses.values():
        column = guess.column
        if guess.category != "contact.email" or info.columns[column].nullable:
            continue
        if frozenset({column}) in uniques:
            return column, "unique and not null"
        if duplicated_values(connection, info, column) == 0:
            return column, "not null, no duplicates (but no unique constraint)"
    return None, (
        "no unique, not-null email column to find them by: mark the column that identifies "
        "a person, or link this table to one that has it"
    )


def _value_links(
    connection: Connection,
    schema: SchemaInfo,
    table: str,
    uniques: dict[str, set[frozenset[str]]],
    distance: dict[str, int],
    identities: dict[str, tuple[str | None, str]],
    sample: int,
) -> tuple[ValueLink, ...]:
    """Columns named after another table's unique column (`customer_email` for
    `customers.email`, `customer_id` for `customers.id`) whose values are found there."""
    info = schema.tables[table]
    keyed = {column for fk in info.foreign_keys for column in fk.columns}
    mine = identities.get(table, (None, ""))[0]
    found = []
    for column, spec in info.columns.items():
        if column in keyed or type_family(spec) == "other" or sample <= 0:
            continue
        for other in sorted(set(distance) - {table}):
            target = schema.tables[other]
            for key in sorted(next(iter(u)) for u in uniques[other] if len(u) == 1):
                if column not in _link_names(other, key):
                    continue
                if type_family(target.columns[key]) != type_family(spec):
                    continue
                hits, distinct = shared_values(connection, info, column, target, key, sample)
                if hits:
                    same = column == mine and key == identities.get(other, (None, ""))[0]
                    found.append(ValueLink(column, other, key, hits, distinct, same))
    return tuple(found)


def _link_names(table: str, key: str) -> set[str]:
    names = {f"{table}_{key}", f"{_singular(table)}_{key}"}
    if key != "id":
        names.add(key)
    return names


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word
