"""`pledge replay-erasures`: erase again what a database restored from a backup brought back."""

from __future__ import annotations

import datetime as dt
import os
from typing import Annotated

import typer
from sqlalchemy.engine import Engine

from pledge.cli.app import app
from pledge.cli.versions import DeclarationPath, StoreUrl
from pledge.declaration.load import load_declaration
from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.retention.journal import journaled_places
from pledge.retention.replay import ReplayReport, replay_erasures
from pledge.services import Keys, load_secret
from pledge.settings import Settings
from pledge.sources.connect import open_source
from pledge.store import Store, open_store

HEADERS = ("table", "journaled", "found again", "erased again")


@app.command("replay-erasures")
def replay_erasures_(
    path: DeclarationPath,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATETIME",
            help="replay only what was erased at or after this time (the backup's), e.g."
            " 2026-11-01T02:00:00Z; a time without a zone is UTC",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="count what would be erased again; change nothing")
    ] = False,
    store: StoreUrl = None,
) -> None:
    """Erase again the rows the journal says must stay gone, after a backup is restored."""
    declaration = load_declaration(path).declaration
    settings = Settings.build(path, store_url=store)
    moment = _moment(since) if since else None
    keys = Keys.derive(load_secret(settings.store_url))
    with open_store(settings.store_url) as opened:
        engines = _engines(opened, declaration, moment)
        try:
            report = replay_erasures(
                opened, declaration, engines, keys, since=moment, dry_run=dry_run
            )
        finally:
            for engine in engines.values():
                engine.dispose()
    for line in _lines(report, moment):
        typer.echo(line)


def _moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise PledgeError(
            f"--since {text!r} is not a date and time",
            "write it as 2026-11-01T02:00:00Z (a time without a zone is UTC)",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _engines(
    store: Store, declaration: Declaration, since: dt.datetime | None
) -> dict[str, Engine]:
    """The declared sources the journal has entries for: only those need their URL set."""
    with store.session() as session:
        named = {place.source for place in journaled_places(session, since=since)}
    return {
        name: open_source(name, source, os.environ)
        for name, source in declaration.sources.items()
        if name in named
    }


def _lines(report: ReplayReport, since: dt.datetime | None) -> list[str]:
    after = f" recorded since {since.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC" if since else ""
    entries = f"{report.entries} journal entr{'y' if report.entries == 1 else 'ies'}{after}"
    if not report.tables:
        return [f"{entries}: nothing to replay"]
    rows = [HEADERS] + [
        (f"{t.source}.{t.table}", str(t.journaled), str(t.found), str(t.erased))
        for t in report.tables
    ]
    width = max(len(r[0]) for r in rows)
    lines = [entries]
    lines += [f"{r[0]:<{width}}  {r[1]:>9}  {r[2]:>11}  {r[3]:>12}".rstrip() for r in rows]
    lines += [f"{t.source}.{t.table}: {note}" for t in report.tables for note in t.notes]
    erased = f"{report.erased} row{'' if report.erased == 1 else 's'}"
    if report.dry_run:
        lines.append(f"dry run: {erased} would be erased again; nothing was changed.")
    else:
        lines.append(f"{erased} erased again.")
    return lines
