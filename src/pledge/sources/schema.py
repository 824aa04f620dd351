"""A company database's schema as Pledge needs it: tables, columns, keys, foreign keys.

A PostgreSQL partitioned table is one table: its partitions are left out, and so are the
copies of a foreign key that PostgreSQL keeps for each partition of the table it refers to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.types import NullType, TypeEngine


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str
    nullable: bool
    unique: bool = False  # alone or with others in a unique constraint or index
    sql_type: TypeEngine[Any] = field(default_factory=NullType, compare=False)


@dataclass(frozen=True)
class ForeignKey:
    """`columns` of the table refer to `referred_columns` of `referred_table`."""

    columns: tuple[str, ...]
    referred_table: str
    referred_columns: tuple[str, ...]
    on_delete: str = "NO ACTION"
    name: str | None = None


@dataclass(frozen=True)
class TableInfo:
    name: str
    columns: dict[str, ColumnInfo]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]


@dataclass(frozen=True)
class SchemaInfo:
    dialect: str
    tables: dict[str, TableInfo]
    # Statements over the same Table objects share SQLAlchemy's compiled cache: one set per
    # schema read (see plan_sql.sql_tables), so that each request does not compile anew.
    sql_cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def reflect_schema(engine: Engine) -> SchemaInfo:
    """The tables of the connection's default schema (database), with their keys.

    Each kind of object is read for all tables at once: on PostgreSQL a handful of
    catalogue queries instead of several per table.
    """
    inspector = sa.inspect(engine)
    partitions = _partitions(engine, inspector.default_schema_name)
    names = sorted(set(inspector.get_table_names()) - partitions)
    if not names:
        return SchemaInfo(engine.dialect.name, {})
    columns = _by_table(inspector.get_multi_columns(filter_names=names))
    keys = _by_table(inspector.get_multi_pk_constraint(filter_names=names))
    foreign = _by_table(inspector.get_multi_foreign_keys(filter_names=names))
    uniques = _by_table(inspector.get_multi_unique_constraints(filter_names=names))
    indexes = _by_table(inspector.get_multi_indexes(filter_names=names))
    tables: dict[str, TableInfo] = {}
    for name in names:
        unique = {c for u in uniques.get(name, []) for c in u["column_names"]}
        unique |= {
            str(c)
            for index in indexes.get(name, [])
            if index.get("unique")
            for c in index["column_names"]
            if c is not None
        }
        found = {
            c["name"]: ColumnInfo(
                c["name"], str(c["type"]), bool(c["nullable"]), c["name"] in unique, c["type"]
            )
            for c in columns.get(name, [])
        }
        primary_key = tuple((keys.get(name) or {}).get("constrained_columns") or ())
        foreign_keys = tuple(
            ForeignKey(
                columns=tuple(fk["constrained_columns"]),
                referred_table=fk["referred_table"],
                referred_columns=tuple(fk["referred_columns"]),
                on_delete=_on_delete(fk.get("options") or {}),
                name=fk.get("name"),
            )
            for fk in foreign.get(name, [])
            if fk["referred_table"] not in partitions
        )
        tables[name] = TableInfo(name, found, primary_key, foreign_keys)
    return SchemaInfo(engine.dialect.name, tables)


def _by_table(found: Mapping[tuple[str | None, str], Any]) -> dict[str, Any]:
    return {table: value for (_schema, table), value in found.items()}


def _partitions(engine: Engine, schema: str | None) -> set[str]:
    """The partitions of partitioned tables (PostgreSQL 10+), which hold their parent's rows."""
    if engine.dialect.name != "postgresql":
        return set()
    query = sa.text(
        "SELECT c.relname FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relispartition AND n.nspname = :schema"
    )
    with engine.connect() as connection:
        return set(connection.execute(query, {"schema": schema}).scalars())


def _on_delete(options: dict[str, str]) -> str:
    # Unset means the SQL default, NO ACTION; MySQL/MariaDB also report an explicit RESTRICT
    # as unset, which InnoDB enforces exactly as NO ACTION (both refuse at once).
    return (options.get("ondelete") or "NO ACTION").upper()
