"""Database values as JSON that come back as the same Python types.

Values read from a company database (the parameters that find a person, the keys of rows
erased) are kept sealed as JSON between one step and the next. Each value is written with
its type, so that an integer key comes back an integer and a date a date: PostgreSQL will
not compare an integer column with a text value.

Row keys made only of integers and texts, which JSON gives back as they were, are written
without tags (`{"plain": [[1, "a"], [2, "b"]]}`, or `{"column": [1, 2]}` for one-column
keys): a sweep journals millions of them, and tagging each costs more than deleting its row.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from pledge.sources.access import Params

Key = tuple[Any, ...]


def encode_params(params: Params) -> bytes:
    """Named lists of values (an access run's `params[source]`) as JSON."""
    return json.dumps(
        {name: [tagged(v) for v in values] for name, values in params.items()}
    ).encode()


def decode_params(blob: bytes) -> Params:
    loaded: Mapping[str, list[list[Any]]] = json.loads(blob)
    return {name: tuple(untagged(v) for v in values) for name, values in loaded.items()}


# The untagged forms' names: the one-column form is also written by the database (a sweep's
# batch on PostgreSQL, pledge.retention.sweep_pages).
COLUMN = "column"
PLAIN = "plain"


@dataclass(frozen=True)
class EncodedKeys:
    """Row keys already written as encode_keys writes them, and how many."""

    count: int
    blob: bytes


def encode_keys(keys: Sequence[Sequence[Any]]) -> bytes:
    """Row keys (one list of column values per row) as JSON."""
    if all(len(key) == 1 for key in keys):
        column = [key[0] for key in keys]
        if all(type(v) in _PLAIN for v in column):
            return json.dumps({COLUMN: column}).encode()
    elif all(type(v) in _PLAIN for key in keys for v in key):
        return json.dumps({PLAIN: [list(key) for key in keys]}).encode()
    return json.dumps([[tagged(v) for v in key] for key in keys]).encode()


def decode_keys(blob: bytes) -> list[Key]:
    loaded: list[list[list[Any]]] | dict[str, list[Any]] = json.loads(blob)
    if isinstance(loaded, dict):
        if COLUMN in loaded:
            return [(value,) for value in loaded[COLUMN] or ()]
        return [tuple(key) for key in loaded[PLAIN]]
    return [tuple(untagged(v) for v in key) for key in loaded]


# Types JSON gives back as they were written (exactly these: a bool is an int, and an
# int subclass such as an enum would come back a plain int).
_PLAIN = (int, str)


def tagged(value: Any) -> list[Any]:
    """The value as a [type, JSON value] pair."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return ["", value]
    if isinstance(value, Decimal):
        return ["decimal", str(value)]
    if isinstance(value, dt.datetime):
        return ["datetime", value.isoformat()]
    if isinstance(value, dt.date):
        return ["date", value.isoformat()]
    if isinstance(value, dt.time):
        return ["time", value.isoformat()]
    if isinstance(value, UUID):
        return ["uuid", str(value)]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return ["bytes", base64.b64encode(bytes(value)).decode()]
    if isinstance(value, tuple):
        return ["tuple", [tagged(v) for v in value]]
    return ["", str(value)]


def untagged(pair: list[Any]) -> Any:
    kind, value = pair
    if kind == "decimal":
        return Decimal(value)
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "time":
        return dt.time.fromisoformat(value)
    if kind == "uuid":
        return UUID(value)
    if kind == "bytes":
        return base64.b64decode(value)
    if kind == "tuple":
        return tuple(untagged(v) for v in value)
    return value
