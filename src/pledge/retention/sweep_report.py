"""What a sweep did, or would do, per table: counts, times and notes, never a value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# A note naming what held rows: the report's `holds` are read back from such notes.
HELD_BY = "held by: "


@dataclass(frozen=True)
class TableSweep:
    """One table of a sweep.

    `expired`: rows whose rules have all expired and that no hold keeps: to delete or
    anonymise (a dry run), or deleted, anonymised or found referenced (a sweep). `held`:
    rows every other rule let go, kept by a legal-hold rule or a person's legal hold, named
    in `holds`. `referenced`: expired rows of a table to delete from, kept because rows that
    stay refer to them. Their declared columns are erased instead: `referenced_anonymised`
    counts those this run erased (a dry run: would erase), also counted in `anonymised`
    (not in a dry run, whose `deleted` and `anonymised` are 0); a later sweep counts them
    as referenced only, until they are freed and deleted.

    A table whose rules have an archive counts here the rows past their whole life (the
    active period, then the archive). `archived`: rows moved out of the table into the
    archive (a dry run: that would be), past their active period only; a row rows staying
    refer to is archived and anonymised in place, counted in `anonymised` too.
    `archive_deleted`: the table's archived rows whose archive ended, deleted from it (a dry
    run: that would be).
    """

    source: str
    table: str
    rules: tuple[str, ...]
    action: str  # "delete" or "anonymise"
    expired: int
    deleted: int
    anonymised: int
    held: int
    holds: tuple[str, ...]
    referenced: int
    batches: int
    longest_batch_seconds: float
    seconds: float
    notes: tuple[str, ...]
    referenced_anonymised: int = 0
    archived: int = 0
    archive_deleted: int = 0

    @property
    def name(self) -> str:
        return f"{self.source}.{self.table}"


@dataclass(frozen=True)
class SweepReport:
    run_id: int
    as_of: dt.datetime
    dry_run: bool
    tables: tuple[TableSweep, ...]
    # The audit runs of children's data erased after the sweep (run_sweep).
    child_runs: tuple[int, ...] = ()

    def table(self, name: str) -> TableSweep:
        """The table named "source.table"."""
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)


def hold_notes(holds: tuple[str, ...]) -> list[str]:
    return [f"{HELD_BY}{hold}" for hold in holds]


def holds_in(notes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(note[len(HELD_BY) :] for note in notes if note.startswith(HELD_BY))


def rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"
