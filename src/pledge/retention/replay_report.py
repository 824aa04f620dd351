"""What `pledge replay-erasures` found and did, per table: counts and notes, never a value
(pledge.retention.replay)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TableReplay:
    """What the replay found and did in one table; counts only, never a value."""

    source: str
    table: str
    journaled: int  # rows the journal lists (deleted, anonymised...), entries added up
    found: int  # of them, rows found again in the database holding what had been erased
    deleted: int  # rows deleted again
    anonymised: int  # rows whose columns were erased again (in part included)
    referenced: int  # rows to delete that rows staying refer to: their columns erased instead
    notes: tuple[str, ...] = ()
    in_part: int = 0  # of `anonymised`, rows a legal hold kept in part: some columns erased

    @property
    def erased(self) -> int:
        return self.deleted + self.anonymised


@dataclass(frozen=True)
class ReplayReport:
    dry_run: bool
    entries: int  # journal entries in scope (recorded at or after `since`)
    tables: tuple[TableReplay, ...]

    @property
    def found(self) -> int:
        return sum(t.found for t in self.tables)

    @property
    def erased(self) -> int:
        return sum(t.erased for t in self.tables)


@dataclass
class Tally:
    """A table's counts while the replay runs; `freeze` gives its TableReplay."""

    source: str
    table: str
    journaled: int = 0
    found: int = 0
    deleted: int = 0
    anonymised: int = 0
    referenced: int = 0
    in_part: int = 0
    referring: dict[str, None] = field(default_factory=dict)
    notes: dict[str, None] = field(default_factory=dict)
    part_columns: dict[str, None] = field(default_factory=dict)

    def freeze(self) -> TableReplay:
        notes = list(self.notes)
        if self.referenced:
            whom = ", ".join(self.referring) or "other rows"
            notes.append(
                f"{_rows(self.referenced)} to delete still referred to by rows of {whom} that "
                "stay: their columns erased instead"
            )
        if self.in_part:
            notes.append(
                f"{_rows(self.in_part)} kept in part under a legal hold: only the columns "
                f"erased then ({', '.join(self.part_columns)}) erased again"
            )
        return TableReplay(
            self.source,
            self.table,
            self.journaled,
            self.found,
            self.deleted,
            self.anonymised,
            self.referenced,
            tuple(notes),
            self.in_part,
        )


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"
