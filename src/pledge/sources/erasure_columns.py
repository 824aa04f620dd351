"""What erasing does to each declared column of a table, and the SQL that does it.

A column's `erase` action applies as declared where its type allows it; otherwise the
nearest thing that is valid for the column, said in a note:

- `null` clears the value; a NOT NULL column gets the default placeholder instead.
- `mask` writes a fixed run of asterisks, as long as the column allows; `hash` writes the
  HMAC-SHA256 of the value (hex, cut to the column's length). Both only fit text columns:
  elsewhere the value is cleared, or kept with a note when the column cannot be NULL.
- `placeholder` writes its text, with `{column}` filled from the row's own columns in SQL
  (`'erased-' || id || '@invalid'`), cast to the column's type when it is not text.
- `keep` leaves the value.
- No action (or `delete_row`, on a row that is not deleted): NULL when the column allows it,
  else "erased" on a text column ("erased-{key}" where the column must be unique), else the
  value stays, with a note.

Key columns, and columns a foreign key refers to, are never changed: rows would lose their
identity or their links. A NULL stays NULL whatever the action. Only `hash` is computed in
Python, over the subject's rows alone: one implementation gives every engine the same hash,
so equal values still match across sources.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.sqltypes import NullType
from sqlalchemy.types import TypeEngine

from pledge.declaration.model import Table
from pledge.errors import PledgeError
from pledge.sources.schema import SchemaInfo

Action = Literal["null", "mask", "hash", "placeholder", "keep"]

MASK = "********"
DEFAULT_PLACEHOLDER = "erased"
HASH_LENGTH = 64  # hex digits of an HMAC-SHA256


@dataclass(frozen=True)
class ColumnType:
    type: TypeEngine[Any]
    nullable: bool
    unique: bool

    @property
    def text(self) -> bool:
        # An untyped SQLite column takes text too.
        return isinstance(self.type, NullType) or (
            isinstance(self.type, sa.String) and not isinstance(self.type, sa.Enum)
        )

    @property
    def length(self) -> int | None:
        length = getattr(self.type, "length", None)
        return length if self.text and isinstance(length, int) else None


@dataclass(frozen=True)
class ColumnErasure:
    column: str
    action: Action
    text: str = ""  # the mask, or the placeholder with its {column} fields
    length: int | None = None  # of a text column: what a hash is cut to


def column_types(schema: SchemaInfo, table: str) -> dict[str, ColumnType]:
    """The type, nullability and uniqueness of each column of a table, as reflected."""
    return {
        name: ColumnType(c.sql_type, c.nullable, c.unique)
        for name, c in schema.tables[table].columns.items()
    }


def column_erasures(
    name: str,
    declared: Table,
    types: Mapping[str, ColumnType],
    protected: Collection[str],
    key: tuple[str, ...],
) -> tuple[dict[str, ColumnErasure], tuple[str, ...]]:
    """Each declared column's erasure, and notes on the columns not erased as declared.

    `protected` are the key and foreign-key columns, which stay as they are.
    """
    found: dict[str, ColumnErasure] = {}
    notes: list[str] = []
    for column, spec in declared.columns.items():
        wanted = spec.erase if spec.erase not in (None, "delete_row") else None
        if column in protected:
            if wanted != "keep":
                notes.append(f"{column} is part of a key or a foreign key: left as it is")
            found[column] = ColumnErasure(column, "keep")
            continue
        erasure, note = _erasure(name, column, wanted, spec.placeholder, types[column], key)
        found[column] = erasure
        if note:
            notes.append(note)
    for erasure in found.values():
        _check_fields(name, erasure, found, types)
    return found, tuple(notes)


def _erasure(
    table: str,
    column: str,
    wanted: str | None,
    placeholder: str | None,
    kind: ColumnType,
    key: tuple[str, ...],
) -> tuple[ColumnErasure, str | None]:
    if wanted == "keep":
        return ColumnErasure(column, "keep"), None
    if wanted == "placeholder" and (placeholder is not None or kind.text):
        text = DEFAULT_PLACEHOLDER if placeholder is None else placeholder
        return _placeholder(table, column, text, kind, exact=True), None
    if wanted in ("mask", "hash") and kind.text:
        if wanted == "mask" and kind.unique:
            raise PledgeError(
                f"{table}.{column} must be unique, and a mask would give every erased row "
                "the same value",
                f"erase it with a placeholder that holds the key: placeholder: "
                f"'erased-{{{key[0] if key else 'id'}}}'",
            )
        if wanted == "mask":
            return ColumnErasure(column, "mask", MASK[: kind.length or len(MASK)]), None
        return ColumnErasure(
            column, "hash", length=min(kind.length or HASH_LENGTH, HASH_LENGTH)
        ), None
    if kind.nullable:
        note = (
            f"{column} is not text: cleared instead of a {wanted}"
            if wanted in ("mask", "hash", "placeholder")
            else None
        )
        return ColumnErasure(column, "null"), note
    if kind.text:
        fields = "-".join(f"{{{k}}}" for k in key)
        text = f"{DEFAULT_PLACEHOLDER}-{fields}" if kind.unique and key else DEFAULT_PLACEHOLDER
        erasure = _placeholder(table, column, text, kind, exact=False)
        reason = "cannot be NULL" if wanted == "null" else "cannot be NULL and has no placeholder"
        return erasure, f"{column} {reason}: written over with '{erasure.text}'"
    return ColumnErasure(column, "keep"), (
        f"{column} cannot be NULL and is not text: left as it is (give it a placeholder)"
    )


def _placeholder(
    table: str, column: str, text: str, kind: ColumnType, *, exact: bool
) -> ColumnErasure:
    literal = "".join(part for part, _ in placeholder_parts(table, column, text))
    if kind.length is not None and len(literal) > kind.length:
        if exact or any(field for _, field in placeholder_parts(table, column, text)):
            raise PledgeError(
                f"the placeholder of {table}.{column} is longer than the column "
                f"({kind.length} characters)",
                "give the column a shorter placeholder",
            )
        text = text[: kind.length]  # the default word, cut to fit
    return ColumnErasure(column, "placeholder", text)


def placeholder_parts(table: str, column: str, text: str) -> list[tuple[str, str | None]]:
    """The placeholder as (literal text, field name or None) pairs."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise PledgeError(
            f"the placeholder of {table}.{column} has an unmatched brace",
            "name a column in braces, like erased-{id}@invalid; write {{ for a brace",
        ) from None
    parts: list[tuple[str, str | None]] = []
    for literal, field, spec, conversion in parsed:
        if spec or conversion:
            raise PledgeError(
                f"the placeholder of {table}.{column} formats a field",
                "write only a column name in braces, like {id}",
            )
        parts.append((literal, field))
    return parts


def _check_fields(
    table: str,
    erasure: ColumnErasure,
    erasures: Mapping[str, ColumnErasure],
    types: Mapping[str, ColumnType],
) -> None:
    if erasure.action != "placeholder":
        return
    for _, field in placeholder_parts(table, erasure.column, erasure.text):
        if field is None:
            continue
        if field not in types:
            raise PledgeError(
                f"the placeholder of {table}.{erasure.column} names '{field}', "
                f"which is not a column of {table}",
                "name a column of the same row in braces, like {id}",
            )
        if field in erasures and erasures[field].action != "keep":
            raise PledgeError(
                f"the placeholder of {table}.{erasure.column} would copy {field}, "
                "which the erasure clears",
                "fill placeholders from the row's key or from columns that are kept",
            )


def erased_value(
    erasure: ColumnErasure, table: sa.Table, kind: ColumnType
) -> ColumnElement[Any] | None:
    """What the column becomes, in SQL; None: NULL. Only for null, mask and placeholder."""
    if erasure.action == "null":
        return None
    if erasure.action == "mask":
        return sa.literal(erasure.text, sa.String())
    pieces: list[ColumnElement[Any]] = []
    for literal, field in placeholder_parts(table.name, erasure.column, erasure.text):
        if literal:
            pieces.append(sa.literal(literal, sa.String()))
        if field is not None:
            filled = sa.cast(table.c[field], sa.String())
            pieces.append(sa.func.coalesce(filled, sa.literal("", sa.String())))
    value = reduce(lambda a, b: a + b, pieces) if pieces else sa.literal("", sa.String())
    return value if kind.text else sa.cast(value, kind.type)


def changes(erasure: ColumnErasure, table: sa.Table, kind: ColumnType) -> ColumnElement[bool]:
    """Whether erasing would change the column of a row: rows already erased are left."""
    column = table.c[erasure.column]
    value = erased_value(erasure, table, kind)
    if value is None:
        return column.is_not(None)
    return sa.and_(column.is_not(None), column != value)


def assignment(erasure: ColumnErasure, table: sa.Table, kind: ColumnType) -> ColumnElement[Any]:
    column = table.c[erasure.column]
    value = erased_value(erasure, table, kind)
    if value is None:
        return sa.null()
    return sa.case((column.is_(None), sa.null()), else_=value)


def hashed(value: Any, key: bytes, length: int | None) -> str:
    return hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()[: length or HASH_LENGTH]


def looks_hashed(value: Any, length: int | None) -> bool:
    """A value an earlier erasure hashed: hashing it again would change it for nothing."""
    size = length or HASH_LENGTH
    return isinstance(value, str) and re.fullmatch(f"[0-9a-f]{{{size}}}", value) is not None
