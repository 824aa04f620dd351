"""`pledge sweep`: apply the retention rules now (or count what they would do)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from pledge.cli.app import app
from pledge.cli.versions import DeclarationPath, StoreUrl
from pledge.declaration.load import load_declaration
from pledge.declaration.model import Declaration, text
from pledge.errors import PledgeError
from pledge.retention.holds import queue_ended_holds
from pledge.retention.sweep import SweepReport, TableSweep, run_sweep
from pledge.retention.sweep_report import HELD_BY
from pledge.rights import package_expiry
from pledge.services import Services
from pledge.settings import Settings
from pledge.store import Store, open_store

MOMENTS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


@app.command("sweep")
def sweep_(
    path: DeclarationPath,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="count what the rules would do; change nothing")
    ] = False,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            formats=MOMENTS,
            metavar="DATETIME",
            help="judge the rules as of this moment, in UTC (default: now)",
        ),
    ] = None,
    resume: Annotated[
        int | None,
        typer.Option(
            "--resume", metavar="RUN", help="finish a sweep run that stopped, as of its moment"
        ),
    ] = None,
    store: StoreUrl = None,
) -> None:
    """Delete or anonymise what the retention rules let go, in batches; print what was done."""
    if resume is not None and as_of is not None:
        raise PledgeError("--as-of and --resume go separately", "a resumed run keeps its moment")
    declaration = load_declaration(path).declaration
    now = as_of.replace(tzinfo=UTC) if as_of is not None else datetime.now(UTC)
    report, copies, holds = _sweep(path, store, declaration, now, dry_run, resume)
    for line in describe(report, declaration):
        typer.echo(line)
    done = "to delete" if dry_run else "deleted"
    typer.echo(
        f"\nCopies of people's data {done} from the store: {copies} (their link expired, or the"
        " person's data was erased since)."
    )
    if holds:
        typer.echo(
            f"Legal holds ended: {holds}, queued to finish the erasures they kept rows from"
            " (run by pledge worker or pledge serve)."
        )


def _sweep(
    path: Path,
    store: str | None,
    declaration: Declaration,
    now: datetime,
    dry_run: bool,
    resume: int | None,
) -> tuple[SweepReport, int, int]:
    """The sweep's report, how many copies of people's data were (or would be) deleted, and
    how many ended legal holds were queued to finish what they kept."""
    settings = Settings.build(path, store_url=store)
    with open_store(settings.store_url) as opened:
        services = Services.from_settings(settings, lambda: declaration)
        try:
            copies = _delete_copies(opened, dry_run=dry_run)
            holds = 0 if dry_run else _queue_ended_holds(opened)
            report = run_sweep(
                opened, services, now=now, dry_run=dry_run, started_by="cli", run_id=resume
            )
        finally:
            services.close()
    return report, copies, holds


def _queue_ended_holds(store: Store) -> int:
    """Queue the end of every legal hold past its last day, as the scheduled sweep does
    (pledge.retention.holds); judged by the clock, not by --as-of, like the copies."""
    with store.session(write=True) as session:
        return len(queue_ended_holds(session, now=datetime.now(UTC)))


def _delete_copies(store: Store, *, dry_run: bool) -> int:
    """Delete the copies of people's data whose offer ended, as the scheduled sweep does
    before it sweeps (pledge.retention.schedule); how many. Judged by the clock, not by
    --as-of: a copy is deleted once its link really expired, never while the person may
    still take it."""
    now = datetime.now(UTC)
    with store.session(write=True) as session:
        # A dry run deletes them inside a savepoint it rolls back: the count comes from the
        # very statements a real run executes, and nothing changes.
        trial = session.begin_nested() if dry_run else None
        deleted = package_expiry.delete_expired(session, now=now, actor="cli")
        deleted += package_expiry.delete_erased(session, now=now, actor="cli")
        if trial is not None:
            trial.rollback()
    return len(deleted)


def describe(report: SweepReport, declaration: Declaration) -> list[str]:
    """The report as the terminal shows it: a line per table, then holds and notes."""
    moment = f"{report.as_of:%Y-%m-%d %H:%M} UTC"
    if report.dry_run:
        lines = [f"Dry run as of {moment} (sweep run {report.run_id}): nothing was changed.", ""]
    else:
        lines = [f"Sweep as of {moment} (sweep run {report.run_id}).", ""]
    if report.tables:
        lines += _table(report, declaration)
    else:
        lines.append("No declared table has retention rules: nothing to sweep.")
    if report.child_runs:
        runs = ", ".join(str(r) for r in report.child_runs)
        count = len(report.child_runs)
        lines += [
            "",
            f"Children's data erased: {count} {'person' if count == 1 else 'people'} "
            f"(audit: sweep run{'s' if count > 1 else ''} {runs}).",
        ]
    return lines


def _table(report: SweepReport, declaration: Declaration) -> list[str]:
    lines = []
    headers = ["table", "rules", "action", "expired", "held", "referenced"]
    if not report.dry_run:
        headers += ["deleted", "anonymised", "batches", "seconds"]
    # Only where a rule keeps an archive: moved to it (or would be), and deleted from it.
    archive = any(t.archived or t.archive_deleted for t in report.tables)
    if archive:
        headers += ["archived", "archive ended"]
    table = [headers, *(_row(t, report.dry_run, archive) for t in report.tables)]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    for row in table:
        cells = [
            cell.ljust(width) if i < 3 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    held = [f"  {t.name}: {_hold(hold, declaration)}" for t in report.tables for hold in t.holds]
    if held:
        lines += ["", "Held:", *held]
    notes = [
        f"  {t.name}: {note}"
        for t in report.tables
        for note in t.notes
        if not note.startswith(HELD_BY)
    ]
    if notes:
        lines += ["", "Notes:", *notes]
    return lines


def _row(table: TableSweep, dry_run: bool, archive: bool) -> list[str]:
    cells = [
        table.name,
        ", ".join(table.rules),
        table.action,
        str(table.expired),
        str(table.held),
        str(table.referenced),
    ]
    if not dry_run:
        cells += [
            str(table.deleted),
            str(table.anonymised),
            str(table.batches),
            f"{table.seconds:.2f}",
        ]
    if archive:
        cells += [str(table.archived), str(table.archive_deleted)]
    return cells


def _hold(hold: str, declaration: Declaration) -> str:
    rule = declaration.retention.get(hold)
    if rule is None or not rule.required_by:
        return hold  # a person's legal hold, by its reason
    return f"{hold} (legal hold: {text(rule.required_by, 'en')})"
