"""A company database's schema as Pledge needs it: tables, columns, keys, foreign keys.

A PostgreSQL partitioned table is one table: its partitions are left out, and so are the
copies of a foreign key that PostgreSQL keeps for each partition of the table it refers to.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str
    nullable: bool


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


def reflect_schema(engine: Engine) -> SchemaInfo:
    """The tables of the connection's default schema (database), with their keys."""
    inspector = sa.inspect(engine)
    partitions = _partitions(engine, inspector.default_schema_name)
    tables: dict[str, TableInfo] = {}
    for name in sorted(set(inspector.get_table_names()) - partitions):
        columns = {
            c["name"]: ColumnInfo(c["name"], str(c["type"]), bool(c["nullable"]))
            for c in inspector.get_columns(name)
        }
        primary_key = tuple(inspector.get_pk_constraint(name).get("constrained_columns") or ())
        foreign_keys = tuple(
            ForeignKey(
                columns=tuple(fk["constrained_columns"]),
                referred_table=fk["referred_table"],
                referred_columns=tuple(fk["referred_columns"]),
                on_delete=_on_delete(fk.get("options") or {}),
                name=fk.get("name"),
            )
            for fk in inspector.get_foreign_keys(name)
            if fk["referred_table"] not in partitions
        )
        tables[name] = TableInfo(name, columns, primary_key, foreign_keys)
    return SchemaInfo(engine.dialect.name, tables)


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
