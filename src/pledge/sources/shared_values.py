"""The values of a person's shared rows in a few categories, read for a comparison only.

An access reads a shared row (an address two customers share) without its values: the
package says only that the row exists and which categories it holds. The second check of
an access request (pledge.rights.answers.second_check) must still be able to compare a
data point the person gave with such a row, or a person whose postcode is held only on a
shared address could never pass it. This module reads just that: for the asked categories,
the columns of the shared rows that hold a value in one of them, by the keys the access
kept (`SharedRow.key`), one statement per table, read-only.

What it returns is for the caller to compare and drop: it is never stored, logged, or put
in a package. A table without a primary key has no key to read its shared rows by, so they
are left out: the check can then fail, never pass, for want of them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from pledge.sources.access import AccessResult, TableAccess, read_only
from pledge.sources.plan_sql import found_parameter, in_, key_values, sql_tables
from pledge.sources.schema import SchemaInfo

# Keys bound per statement: a person has a handful of shared rows, but an IN list has a
# bound-parameter limit on SQLite and MariaDB.
_BATCH = 500


def read_shared_values(
    result: AccessResult,
    engines: Mapping[str, Engine],
    schemas: Mapping[str, SchemaInfo],
    categories: Collection[str],
) -> dict[str, list[Any]]:
    """Per asked category, the non-null values the person's shared rows hold in it.

    `engines` and `schemas` are the ones the access in `result` ran on, by source name.
    """
    asked = set(categories)
    by_source: dict[str, list[TableAccess]] = {}
    for table in result.tables:
        if _columns(table, asked) and _keys(table, asked):
            by_source.setdefault(table.source, []).append(table)
    values: dict[str, list[Any]] = {}
    for source, tables in by_source.items():
        with read_only(engines[source]) as connection:
            for table in tables:
                _read_table(connection, schemas[source], table, asked, values)
    return values


def _read_table(
    connection: Connection,
    schema: SchemaInfo,
    table: TableAccess,
    asked: set[str],
    values: dict[str, list[Any]],
) -> None:
    columns = _columns(table, asked)
    keys = _keys(table, asked)
    sql = sql_tables(schema, [table.table])[table.table]
    parameter = found_parameter("shared_keys", schema, table.table)
    statement = sa.select(*(sql.c[c] for c in columns)).where(
        in_([sql.c[c] for c in table.key], parameter)
    )
    categories = list(columns.values())
    for start in range(0, len(keys), _BATCH):
        batch = key_values(keys[start : start + _BATCH])
        for row in connection.execute(statement, {"shared_keys": batch}):
            for category, value in zip(categories, row, strict=True):
                if value is not None:
                    values.setdefault(category, []).append(value)


def _columns(table: TableAccess, asked: set[str]) -> dict[str, str]:
    """The table's columns of an asked category, each with it."""
    return {c: k for c, k in table.columns.items() if k is not None and k in asked}


def _keys(table: TableAccess, asked: set[str]) -> list[tuple[Any, ...]]:
    """The keys of the table's shared rows that hold a value in an asked category."""
    if not table.key:
        return []
    return [s.key for s in table.shared if s.key and asked.intersection(s.categories)]
