"""What an erasure did in one source: counts, names and dates, never a value.

`as_json` is what may be kept as proof of the erasure; `from_json` reads it back. The
values that find the person's remaining rows (`recheck`) and the keys of the rows erased
(`deleted_keys`, `anonymised_keys`, `anonymised_in_part`) stay out of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pledge.sources.access import Params

Key = tuple[Any, ...]


@dataclass(frozen=True)
class PartErasure:
    """Rows a legal hold kept for some categories only: the columns erased on them (the
    others were kept for the hold), and their primary keys."""

    columns: tuple[str, ...]
    keys: tuple[Key, ...] = field(repr=False)


@dataclass(frozen=True)
class TableErasure:
    table: str
    deleted: int  # rows deleted
    anonymised: int  # rows whose columns were erased (null/mask/hash/placeholder)
    held: int  # rows kept (in full or in part) under a legal hold
    held_until: dt.date | None  # latest date a hold on this table's rows ends (None: no hold)
    holds: tuple[str, ...]  # retention rule names that held rows here
    shared: int  # rows shared with other people: left untouched
    kept_columns: tuple[str, ...]  # columns left as they were on held/anonymised rows
    notes: tuple[str, ...] = ()
    unchanged: int = 0  # the subject's rows left as they were: nothing (more) to erase in them
    # The primary keys of the rows deleted, of those anonymised in full, and of those whose
    # columns a hold did not keep were erased, for the journal of what must stay gone
    # (pledge.retention.journal): never in as_json.
    deleted_keys: tuple[Key, ...] = field(default=(), compare=False, repr=False)
    anonymised_keys: tuple[Key, ...] = field(default=(), compare=False, repr=False)
    anonymised_in_part: tuple[PartErasure, ...] = field(default=(), compare=False, repr=False)

    def as_json(self) -> dict[str, object]:
        return {
            "table": self.table,
            "deleted": self.deleted,
            "anonymised": self.anonymised,
            "held": self.held,
            "held_until": self.held_until.isoformat() if self.held_until else None,
            "holds": list(self.holds),
            "shared": self.shared,
            "unchanged": self.unchanged,
            "kept_columns": list(self.kept_columns),
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TableErasure:
        until = data.get("held_until")
        return cls(
            table=str(data["table"]),
            deleted=int(data.get("deleted", 0)),
            anonymised=int(data.get("anonymised", 0)),
            held=int(data.get("held", 0)),
            held_until=dt.date.fromisoformat(until) if until else None,
            holds=tuple(data.get("holds", ())),
            shared=int(data.get("shared", 0)),
            kept_columns=tuple(data.get("kept_columns", ())),
            notes=tuple(data.get("notes", ())),
            unchanged=int(data.get("unchanged", 0)),
        )


@dataclass(frozen=True)
class SourceErasure:
    source: str
    tables: tuple[TableErasure, ...]
    # The values that find the person's remaining rows: personal, so never in as_json.
    recheck: Params = field(default_factory=dict, compare=False, repr=False)

    def table(self, name: str) -> TableErasure:
        return next(t for t in self.tables if t.table == name)

    def as_json(self) -> dict[str, object]:
        """Counts, names and dates only: what may be kept as proof of the erasure."""
        return {"source": self.source, "tables": [t.as_json() for t in self.tables]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SourceErasure:
        tables = tuple(TableErasure.from_json(t) for t in data.get("tables", ()))
        return cls(str(data.get("source", "")), tables)
