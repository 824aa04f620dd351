"""One sweep under way, table by table: count (a dry run), or batches.

A dry run counts each table in ONE query: the rows due, held (and by what) and referenced
by rows that would stay. A sweep runs each source's tables children first; tables that
refer to each other go in passes until one frees nothing more. Each batch commits the store's
record of it (counts, journal) inside its company transaction, then that one commits.

Rows to delete that rows staying still refer to are then anonymised, in a pass of their own
(once the deletes are done, so that no row is both anonymised and deleted in one run): they
are counted as referenced, and as anonymised by the sweep that changed them, not by the
next, which finds nothing more to change in them. A dry run counts them as it would.

A table's held and referenced rows are counted once, in one query: before its batches, while
its pages are as the last vacuum left them (the first scan after a mass delete must write
every page it reads), or after its passes for tables that refer to each other. A table where
no rule is a legal hold, no person's row is held or restricted and (to delete) no foreign
key refers to it has nothing to count: what it had due, its batches took.

The batches of one pass over a table: pledge.retention.sweep_batches. A table whose rules
have an archive is swept as its rows end for good (its rules' active periods, then their
archives), and its pass then moves the rows past their active period only into the archive
(pledge.retention.sweep_archive); a dry run counts them. Rows past their active period that
rows staying refer to are archived and anonymised in place, and said in a note.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from pledge.retention.people import PersonRows
from pledge.retention.predicates import PERSON, Condition, Conditions
from pledge.retention.restrictions import restriction_holds, restriction_notes
from pledge.retention.rules import Place, TableRetention
from pledge.retention.sweep_archive import ArchivePass, left_referenced, would_archive
from pledge.retention.sweep_batches import Batches
from pledge.retention.sweep_record import Tally, begin_table, finish_table, purge_notes
from pledge.retention.sweep_report import TableSweep, hold_notes, rows
from pledge.retention.sweep_tables import SweptSource, SweptTable
from pledge.store import Store


@dataclass(frozen=True)
class Before:
    """A table's counts taken before its batches (None: nothing to count), and how many rows
    earlier attempts of the run had settled (see `settled`)."""

    counts: dict[str, int] | None
    settled: int


@dataclass
class SweepRun:
    """One sweep under way: its settings and what it has done."""

    store: Store
    run_id: int
    as_of: dt.datetime
    dry_run: bool
    people: PersonRows | None
    journal_key: bytes
    batch: int
    done: dict[Place, TableSweep]
    doing: str = "starting"
    tallies: dict[Place, Tally] = field(default_factory=dict)

    def source(self, source: SweptSource) -> None:
        """Sweep, or count, the tables of one source that earlier attempts did not finish."""
        for swept in source.swept.values():
            if swept.skip is not None and swept.retention.place not in self.done:
                self.done[swept.retention.place] = self._skipped(source, swept)
        for group in source.groups():
            todo = [t for t in group if source.swept[t].retention.place not in self.done]
            if not todo:
                continue
            if self.dry_run:
                for table in todo:
                    self._count(source, source.swept[table])
                continue
            started = {t: time.perf_counter() for t in todo}
            cyclic = source.cyclic(group)
            before: dict[str, Before] = {}
            for table in todo:
                swept = source.swept[table]
                tally = begin_table(self.store, self.run_id, swept.retention)
                self.tallies[swept.retention.place] = tally
                if not cyclic:
                    before[table] = Before(self._before(source, swept), settled(swept, tally))
            # Tables that refer to each other go in passes until one frees nothing more.
            while True:
                changed = sum(self._pass(source, source.swept[t]) for t in todo)
                if not changed or not cyclic:
                    break
            for table in todo:
                self._anonymise_referenced(source, source.swept[table], before.get(table))
            for table in todo:
                self._finish(source, source.swept[table], started[table], before.get(table))

    def _count(self, source: SweptSource, swept: SweptTable) -> None:
        """A dry run's table: one COUNT, nothing changed."""
        started = time.perf_counter()
        retention = swept.retention
        self.doing = f"counting the rows of {retention.name}"
        conditions = swept.judge(self.as_of, self.people).conditions()
        due = swept.work(conditions)
        refers = source.referenced_after(retention.table, self.as_of, self.people)
        archive = would_archive(source, swept, self.as_of, self.people)
        counts = self._counts(source, swept, conditions, due, refers, archive)
        expired, referenced = counts["due"], counts["referenced"]
        gone = expired - referenced
        tally = Tally(
            deleted=gone if swept.deletes else 0,
            anonymised=counts["to_anonymise"] if swept.deletes else expired,
            archived=counts["to_archive"],
            seconds=time.perf_counter() - started,
        )
        self._report(source, swept, tally, counts, expired=expired)

    def _pass(self, source: SweptSource, swept: SweptTable) -> int:
        """Batches over the whole table; how many rows they changed."""
        retention = swept.retention
        due = swept.work(swept.judge(self.as_of, self.people).conditions())
        if swept.deletes:
            due = sa.and_(due, sa.not_(source.referenced(retention.table)))
        verb = "deleting from" if swept.deletes else "anonymising"
        self.doing = f"{verb} {retention.name}"
        batches = Batches(self.store, self.run_id, self.journal_key, self.batch)
        changed = batches.run(source, swept, due, self.tallies[retention.place])
        if swept.active is None:
            return changed
        self.doing = f"archiving {retention.name}"
        archiving = ArchivePass(
            self.store, self.run_id, self.journal_key, self.batch, self.as_of, self.people
        )
        return changed + archiving.run(source, swept, self.tallies[retention.place])

    def _anonymise_referenced(
        self, source: SweptSource, swept: SweptTable, before: Before | None
    ) -> None:
        """After a table's deletes, erase the declared columns of its due rows that rows
        staying still refer to, as an erasure does with the rows it cannot delete. Rows
        already erased no longer match; held rows are not due."""
        if not (swept.deletes and swept.erasures):
            return
        if before is not None and before.counts is not None and not before.counts["to_anonymise"]:
            return  # counted before the deletes: no row referred to has anything to erase
        retention = swept.retention
        due = swept.judge(self.as_of, self.people).conditions().due
        rows = sa.and_(due, swept.to_anonymise(), source.referenced(retention.table))
        self.doing = f"anonymising the rows of {retention.name} that rows staying refer to"
        batches = Batches(self.store, self.run_id, self.journal_key, self.batch)
        batches.run(source, swept.anonymising(), rows, self.tallies[retention.place])

    def _before(self, source: SweptSource, swept: SweptTable) -> dict[str, int] | None:
        """The table's rows due, held and referenced, before its batches; None when no row
        can be held or referenced, and so nothing needs counting."""
        retention = swept.retention
        person = self.people is not None and self.people.keeps(retention.place)
        refers = swept.deletes and bool(source.refs.get(retention.table))
        if not (person or refers or any(r.hold for r in retention.rules)):
            return None
        return self._left(source, swept)

    def _left(self, source: SweptSource, swept: SweptTable) -> dict[str, int]:
        retention = swept.retention
        self.doing = f"counting the rows of {retention.name}"
        conditions = swept.judge(self.as_of, self.people).conditions()
        due = swept.work(conditions)
        refers = source.referenced(retention.table) if swept.deletes else sa.false()
        # Only the rows left in place count now: those archived are gone, or anonymised.
        archive = (sa.false(), left_referenced(source, swept, self.as_of, self.people))
        return self._counts(source, swept, conditions, due, refers, archive)

    def _finish(
        self, source: SweptSource, swept: SweptTable, started: float, before: Before | None
    ) -> None:
        """After the batches: what is left, held or referenced. Counted now for tables that
        refer to each other; else worked out from the count before the batches."""
        tally = self.tallies[swept.retention.place]
        if before is None:
            counts = self._left(source, swept)
            expired = settled(swept, tally) + counts["due"]
            left = counts["due"] - counts["referenced"]
        else:
            counts = before.counts or dict.fromkeys(_COUNTED, 0)
            expired = before.settled + counts["due"] if before.counts else settled(swept, tally)
            taken = settled(swept, tally) - before.settled
            left = max(0, counts["due"] - counts["referenced"] - taken)
        tally.seconds += time.perf_counter() - started
        extra = [f"{rows(left)} due still there: run the sweep again"] if left else []
        self._report(source, swept, tally, counts, expired=expired, extra=extra)

    def _counts(
        self,
        source: SweptSource,
        swept: SweptTable,
        conditions: Conditions,
        due: Condition,
        refers: Condition,
        archive: tuple[Condition, Condition],
    ) -> dict[str, int]:
        """`archive`: the rows to archive, and those past their active period kept in
        place because rows staying refer to them (for a table with no archive, unused)."""
        assert swept.table is not None
        anonymises = swept.deletes and bool(swept.erasures)
        archives = swept.active is not None
        to_archive = archive[0] if archives else sa.false()
        columns = {
            "due": count_of(due),
            "held": count_of(conditions.held),
            "referenced": count_of(sa.and_(due, refers)) if swept.deletes else sa.literal(0),
            # Of those, the rows with columns still to erase.
            "to_anonymise": (
                count_of(sa.and_(due, swept.to_anonymise(), refers))
                if anonymises
                else sa.literal(0)
            ),
            "to_archive": count_of(to_archive) if archives else sa.literal(0),
            "archive_referenced": count_of(archive[1]) if archives else sa.literal(0),
            **{f"hold:{name}": count_of(c) for name, c in conditions.holds.items()},
        }
        query = sa.select(*(c.label(f"c{i}") for i, c in enumerate(columns.values())))
        # Every row counted is due, held or past its active period: said once more as a
        # filter, an index on the trigger column can serve it (PostgreSQL takes the rules'
        # shared terms out of the OR).
        past = swept.to_archive(self.as_of, self.people) if archives else sa.false()
        query = query.select_from(swept.table).where(sa.or_(due, conditions.held, past))
        with source.engine.connect() as connection:
            found = connection.execute(query).one()
        return {name: int(value or 0) for name, value in zip(columns, found, strict=True)}

    def _report(
        self,
        source: SweptSource,
        swept: SweptTable,
        tally: Tally,
        counts: Mapping[str, int],
        *,
        expired: int,
        extra: Sequence[str] = (),
    ) -> None:
        retention = swept.retention
        holds = self._holds(retention, counts)
        notes = [
            *hold_notes(holds),
            *restriction_notes(counts),
            *self._notes(swept, expired),
            *self._referenced_notes(source, swept, tally, counts),
            *self._archive_notes(swept, tally, counts),
            *extra,
        ]
        purged = finish_table(
            self.store,
            self.run_id,
            retention,
            tally=tally,
            held=counts["held"],
            referenced=counts["referenced"],
            notes=notes,
            as_of=self.as_of,
            dry_run=self.dry_run,
        )
        self.done[retention.place] = TableSweep(
            source=source.name,
            table=retention.table,
            rules=retention.rule_names,
            action=retention.action,
            expired=expired,
            deleted=0 if self.dry_run else tally.deleted,
            anonymised=0 if self.dry_run else tally.anonymised,
            held=counts["held"],
            holds=holds,
            referenced=counts["referenced"],
            batches=tally.batches,
            longest_batch_seconds=tally.longest,
            seconds=tally.seconds,
            notes=(*notes, *purge_notes(purged, dry_run=self.dry_run)),
            # A dry run's tally holds what it would anonymise, and archive.
            referenced_anonymised=tally.anonymised if swept.deletes else 0,
            archived=tally.archived,
            archive_deleted=purged,
        )

    def _holds(self, retention: TableRetention, counts: Mapping[str, int]) -> tuple[str, ...]:
        holds = [r.name for r in retention.rules if r.hold and counts.get(f"hold:{r.name}")]
        if counts.get(f"hold:{PERSON}"):
            reasons = self.people.holds.get(retention.place, ()) if self.people else ()
            holds += list(reasons) or [PERSON]
        return (*holds, *restriction_holds(counts))

    def _notes(self, swept: SweptTable, expired: int) -> list[str]:
        notes = list(swept.retention.problems)
        if self.people is None and any(r.recorded for r in swept.retention.rules):
            notes.append(
                "rules counting from events Pledge records (objections, closed accounts) "
                "were not judged: this sweep was given no people"
            )
        if expired and not swept.deletes:
            notes += swept.column_notes
            if not swept.erasures:
                notes.append("every declared column is kept: there is nothing to anonymise")
        return notes

    def _archive_notes(
        self, swept: SweptTable, tally: Tally, counts: Mapping[str, int]
    ) -> list[str]:
        """How many rows went, or would go, to the archive, and how many stay in place."""
        if swept.active is None:
            return []
        notes = []
        if tally.archived:
            verb = "would be moved" if self.dry_run else "moved"
            notes.append(f"{rows(tally.archived)} {verb} to the archive: their active period ended")
        kept = counts["archive_referenced"]
        if kept:
            one = kept == 1
            its, them = ("its", "it") if one else ("their", "them")
            stay = "would stay" if self.dry_run else ("stays" if one else "stay")
            # Anonymised once archived; with nothing to erase, whole and not yet archived.
            how = "anonymised once archived" if swept.erasures else "whole, archived once freed"
            notes.append(
                f"{rows(kept)} past {its} active period {stay} in the table, {how}: rows that "
                f"stay refer to {them}"
            )
        return notes

    def _referenced_notes(
        self, source: SweptSource, swept: SweptTable, tally: Tally, counts: Mapping[str, int]
    ) -> list[str]:
        """What became, or would become, of the rows to delete that rows staying refer to."""
        referenced = counts["referenced"]
        if not (swept.deletes and referenced and source.refs.get(swept.retention.table)):
            return []
        if not swept.erasures:
            fate = "nothing to anonymise instead: no declared column of the table can be erased"
            return [self._not_deleted(referenced, fate), *swept.column_notes]
        anonymised = tally.anonymised  # a dry run's: what it would anonymise
        if not anonymised:
            return []  # anonymised by an earlier sweep
        return [self._not_deleted(anonymised, "anonymised instead"), *swept.column_notes]

    def _not_deleted(self, count: int, fate: str) -> str:
        them = "it" if count == 1 else "them"
        if self.dry_run:
            return (
                f"{rows(count)} would not be deleted: rows that would stay refer to {them}; {fate}"
            )
        return f"{rows(count)} not deleted: rows that stay refer to {them}; {fate}"

    def _skipped(self, source: SweptSource, swept: SweptTable) -> TableSweep:
        """A table the sweep cannot change: recorded as done, with the reason."""
        notes = (f"not swept: {swept.skip}", *swept.retention.problems)
        # Its archived rows still end when their archive does.
        purged = finish_table(
            self.store,
            self.run_id,
            swept.retention,
            tally=Tally(),
            held=0,
            referenced=0,
            notes=notes,
            as_of=self.as_of,
            dry_run=self.dry_run,
        )
        return TableSweep(
            source=source.name,
            table=swept.retention.table,
            rules=swept.retention.rule_names,
            action=swept.retention.action,
            expired=0,
            deleted=0,
            anonymised=0,
            held=0,
            holds=(),
            referenced=0,
            batches=0,
            longest_batch_seconds=0.0,
            seconds=0.0,
            notes=(*notes, *purge_notes(purged, dry_run=self.dry_run)),
            archive_deleted=purged,
        )


# What a table's count query gives, besides each hold's own count.
_COUNTED = ("due", "held", "referenced", "to_anonymise", "to_archive", "archive_referenced")


def settled(swept: SweptTable, tally: Tally) -> int:
    """The rows of a table its batches took out of those due: deleted from a table to
    delete from (the rows it anonymises stay due, and referenced), else anonymised."""
    return tally.deleted if swept.deletes else tally.anonymised


def count_of(condition: Condition) -> sa.ColumnElement[int]:
    # COUNT(CASE WHEN ... THEN 1 END): the FILTER clause of every engine, MariaDB's included.
    return sa.func.count(sa.case((condition, 1)))
