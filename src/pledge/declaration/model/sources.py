"""The company's own databases: where each person's data lives and how to reach it.

Later capabilities (requests, retention sweeps) walk these tables; the notice only needs
to know that they exist. Connection URLs are never written here: `url_env` names the
environment variable that holds one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from pledge.declaration.model.common import Strict, Text

ErasureAction = Literal["delete_row", "null", "mask", "hash", "placeholder", "keep"]


def _column_shorthand(value: Any) -> Any:
    # `email: contact.email` is short for `email: {category: contact.email}`.
    return {"category": value} if isinstance(value, str) else value


class Column(Strict):
    category: str
    erase: ErasureAction | None = None
    placeholder: str | None = None
    identity: str | None = Field(
        default=None, description="this column identifies the person: email, phone, account_id"
    )


ColumnField = Annotated[
    Column, BeforeValidator(_column_shorthand, json_schema_input_type=str | Column)
]


class Link(Strict):
    """How a row reaches its subject: through another table's key."""

    table: str = Field(description="'table' in this source, or 'source.table' in another one")
    on: dict[str, str] = Field(min_length=1, description="this table's column -> that column")
    shared: bool = Field(default=False, description="one row may belong to several people")


class Table(Strict):
    subject: str | None = None
    description: Text | None = None
    columns: dict[str, ColumnField] = {}
    links: list[Link] = []
    activities: list[str] = []
    timestamps: dict[str, str] = Field(
        default={}, description="retention trigger -> column holding its date"
    )
    retention: list[str] = []
    erase: Literal["delete_row", "columns"] = "columns"


class Source(Strict):
    kind: Literal["sql"] = "sql"
    url_env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]*$")
    description: Text | None = None
    tables: dict[str, Table] = Field(min_length=1)
