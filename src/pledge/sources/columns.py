"""Reading a database's columns: name hints, value shapes, samples and set-based counts.

What `pledge map` and `pledge check --live` know about one column, found without reading
more than a sample and without ever keeping a value: counts come from the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Inspector
from sqlalchemy.exc import SQLAlchemyError

from pledge.declaration.taxonomy import builtin_categories
from pledge.errors import PledgeError
from pledge.sources.schema import ColumnInfo, SchemaInfo, TableInfo
from pledge.sources.value_shapes import ShapeMatch, dominant_shape

DEFAULT_SAMPLE = 200

# A table with one of these is about a person; a bare `name` column alone is not enough
# (products, shops and categories have names too).
PERSON_CATEGORIES = frozenset(
    {
        "contact.email",
        "contact.phone",
        "identity.name",
        "identity.date_of_birth",
        "identity.government_id",
    }
)

# Column types whose values can have a shape worth sampling (text, dates, addresses).
_NOT_SAMPLED = re.compile(
    r"INT|NUMERIC|DECIMAL|FLOAT|REAL|DOUBLE|MONEY|BOOL|BLOB|BYTEA|BINARY|JSON|BIT|SERIAL",
    re.IGNORECASE,
)
_TEXT_TYPE = re.compile(r"CHAR|TEXT|CLOB|STRING|CITEXT", re.IGNORECASE)
_INTEGER_TYPE = re.compile(r"\b(?:TINY|SMALL|MEDIUM|BIG)?INT(?:EGER)?\b", re.IGNORECASE)


@dataclass(frozen=True)
class NameMatch:
    hint: str
    category: str


@dataclass(frozen=True)
class ColumnGuess:
    """A proposed category for a column and why: the name, the values, or both."""

    column: str
    category: str
    evidence: tuple[str, ...]
    from_values: bool
    hint: str | None = None

    @property
    def suggests_a_person(self) -> bool:
        if self.category not in PERSON_CATEGORIES:
            return False
        return self.from_values or self.hint != "name"


def column_words(name: str) -> tuple[str, ...]:
    """`lastLoginIP` and `last-login-ip` are both ('last', 'login', 'ip')."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    return tuple(word for word in re.split(r"[^a-z0-9]+", snake) if word)


@cache
def _hints() -> tuple[tuple[tuple[str, ...], str, str], ...]:
    return tuple(
        (tuple(hint.split("_")), hint, category.id)
        for category in builtin_categories().values()
        for hint in category.column_hints
    )


def name_match(column: str) -> NameMatch | None:
    """The taxonomy hint that best matches whole words of the name, in a row.

    `ip` matches `last_ip` but not `zip`. When several match, the longest hint wins
    (`email_body` over `email`), then the one nearest the end, which names the thing in
    English compounds (`billing_email` is an email), then taxonomy order.
    """
    words = column_words(column)
    best: tuple[tuple[int, int, int], NameMatch] | None = None
    for order, (hint_words, hint, category) in enumerate(_hints()):
        size = len(hint_words)
        for start in range(len(words) - size + 1):
            if words[start : start + size] == hint_words:
                rank = (size, start + size, -order)
                if best is None or rank > best[0]:
                    best = (rank, NameMatch(hint, category))
    return best[1] if best else None


def guess_column(
    column: str, values: Iterable[object], today: date, *, is_key: bool = False
) -> ColumnGuess | None:
    """The category a column seems to hold, or None when nothing suggests one.

    A decisive shape (emails, cards, IPs) outweighs the name; the name outweighs a weak
    shape (a date, a five-digit code). The name of a foreign-key column only says it is a
    key, so it counts only together with its values.
    """
    named = name_match(column)
    shape = dominant_shape(values, today)
    if shape and (shape.shape.decisive or named is None or named.category == shape.shape.category):
        category = shape.shape.category
    elif named and not is_key:
        category = named.category
    elif shape:
        category = shape.shape.category
    else:
        return None
    return ColumnGuess(
        column,
        category,
        _evidence(named, shape, category),
        _fits(shape, category),
        named.hint if named and named.category == category else None,
    )


def _fits(shape: ShapeMatch | None, category: str) -> bool:
    return shape is not None and shape.shape.category == category


def _evidence(named: NameMatch | None, shape: ShapeMatch | None, category: str) -> tuple[str, ...]:
    said: list[str] = []
    if named and named.category == category:
        said.append(f"name matches '{named.hint}'")
    if shape and shape.shape.category == category:
        said.append(shape.evidence)
    if named and named.category != category:
        said.append(f"the name suggests {named.category} ('{named.hint}')")
    if shape and shape.shape.category != category:
        said.append(f"{shape.evidence}, but the name decides")
    return tuple(said)


def table_clause(info: TableInfo) -> sa.TableClause:
    """A Core table for building queries; SQLAlchemy quotes the names as each engine needs."""
    return sa.table(info.name, *(sa.column(name) for name in info.columns))


def type_family(column: ColumnInfo) -> str:
    if _TEXT_TYPE.search(column.type):
        return "text"
    if _INTEGER_TYPE.search(column.type):
        return "integer"
    return "other"


def sample_table(connection: Connection, info: TableInfo, limit: int) -> dict[str, list[object]]:
    """Up to `limit` values of each samplable column, in one query, ordered by primary key
    so that the same database always gives the same sample."""
    names = [name for name, c in info.columns.items() if not _NOT_SAMPLED.search(c.type)]
    if not names or limit <= 0:
        return {}
    table = table_clause(info)
    query = sa.select(*(table.c[name] for name in names)).limit(limit)
    query = query.order_by(*_stable_order(table, info, names))
    try:
        rows = connection.execute(query).all()
    except SQLAlchemyError:
        # The driver's message may quote a value; say only which table failed.
        raise PledgeError(
            f"cannot read a sample of table '{info.name}'",
            "check that the database user may SELECT from it",
        ) from None
    return {name: [row[index] for row in rows] for index, name in enumerate(names)}


def _stable_order(
    table: sa.TableClause, info: TableInfo, fallback: list[str]
) -> list[sa.ColumnClause[object]]:
    """The primary key, so that the same database always gives the same sample; without one,
    the sampled columns themselves (a top-N sort, dearer but still one statement)."""
    return [table.c[name] for name in info.primary_key or fallback]


def classify_table(
    connection: Connection, info: TableInfo, sample: int, today: date
) -> dict[str, ColumnGuess]:
    """Every column of the table that looks personal, by name or by sampled values."""
    values = sample_table(connection, info, sample)
    keys = {column for fk in info.foreign_keys for column in fk.columns}
    guesses = {}
    for name in info.columns:
        guess = guess_column(name, values.get(name, ()), today, is_key=name in keys)
        if guess:
            guesses[name] = guess
    return guesses


def classify_schema(
    connection: Connection, schema: SchemaInfo, sample: int, today: date
) -> dict[str, dict[str, ColumnGuess]]:
    return {
        name: classify_table(connection, info, sample, today)
        for name, info in schema.tables.items()
    }


def unique_column_sets(inspector: Inspector, info: TableInfo) -> set[frozenset[str]]:
    """Column sets that the schema keeps unique: the primary key, unique constraints and
    unique indexes."""
    found = {frozenset(info.primary_key)} if info.primary_key else set()
    for constraint in inspector.get_unique_constraints(info.name):
        found.add(frozenset(constraint["column_names"]))
    for index in inspector.get_indexes(info.name):
        columns = [c for c in index["column_names"] if c]
        if index.get("unique") and columns:
            found.add(frozenset(columns))
    return found


def duplicated_values(connection: Connection, info: TableInfo, column: str) -> int:
    """How many distinct values of the column appear on more than one row."""
    table = table_clause(info)
    repeated = (
        sa.select(table.c[column])
        .where(table.c[column].is_not(None))
        .group_by(table.c[column])
        .having(sa.func.count() > 1)
        .subquery()
    )
    count = connection.execute(sa.select(sa.func.count()).select_from(repeated)).scalar_one()
    return int(count)


def shared_values(
    connection: Connection,
    info: TableInfo,
    column: str,
    other: TableInfo,
    other_column: str,
    sample: int,
) -> tuple[int, int]:
    """(found, distinct): of the distinct values in a sample of `column`, how many are also
    in `other.other_column`. Counted by the database with EXISTS; no value is read."""
    table, target = table_clause(info), table_clause(other)
    sampled = (
        sa.select(table.c[column].label("value"))
        .where(table.c[column].is_not(None))
        .order_by(*_stable_order(table, info, [column]))
        .limit(sample)
        .subquery()
    )
    there = sa.select(sa.literal(1)).where(target.c[other_column] == sampled.c.value).exists()
    query = sa.select(
        sa.func.count(sa.distinct(sa.case((there, sampled.c.value)))),
        sa.func.count(sa.distinct(sampled.c.value)),
    )
    found, distinct = connection.execute(query).one()
    return int(found), int(distinct)
