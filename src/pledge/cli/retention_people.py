"""`pledge hold ...`, `pledge event ...` and `pledge child flag`: what staff tell Pledge about
a person that changes how long their data is kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from pledge.cli.app import app
from pledge.cli.versions import DeclarationPath, StoreUrl
from pledge.declaration.load import load_declaration
from pledge.errors import PledgeError
from pledge.retention.children import ChildErasure, flag_child
from pledge.retention.events import CHILD, CLOCK_EVENTS, list_events, record_event
from pledge.retention.holds import all_holds, hold_state, place_hold, release_hold
from pledge.services import Services
from pledge.settings import Settings
from pledge.store import Store, open_store

holds_app = typer.Typer(
    help="Place, list and release legal holds on a person's data.",
    no_args_is_help=True,
    add_completion=False,
)
events_app = typer.Typer(
    help="Record what happened to a person that starts a retention clock.",
    no_args_is_help=True,
    add_completion=False,
)
children_app = typer.Typer(
    help="Flag a child's account: their data is erased at once.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(holds_app, name="hold")
app.add_typer(events_app, name="event")
app.add_typer(children_app, name="child")

ACTOR = "cli"
Email = Annotated[str, typer.Option("--email", help="the person's email address")]


def _store(path: Path, url: str | None) -> Store:
    return open_store(Settings.build(path, store_url=url).store_url)


def _day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise PledgeError(f"{option} '{text}' is not a date", "write it as YYYY-MM-DD") from None


def _table(lines: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    for line in lines:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())


@holds_app.command("add")
def hold_add(
    path: DeclarationPath,
    email: Email,
    reason: Annotated[
        str, typer.Option("--reason", help="why the data is kept, e.g. 'dispute D-9'")
    ],
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="DATE", help="the last day it holds (none: till released)"),
    ] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option(
            "--scope",
            metavar="SOURCE.TABLE",
            help="a table it keeps (repeatable; none: every table)",
        ),
    ] = None,
    store: StoreUrl = None,
) -> None:
    """Keep a person's data from sweeps and erasures, with a reason and an end."""
    declaration = load_declaration(path).declaration
    last = _day(until, "--until") if until is not None else None
    now = dt.datetime.now(dt.UTC)
    with _store(path, store) as opened, opened.session(write=True) as session:
        row = place_hold(
            session,
            declaration,
            email=email,
            reason=reason,
            until=last,
            scope=scope or [],
            actor=ACTOR,
            now=now,
        )
    tables = ", ".join(row.scope) or "every table"
    end = f"until {row.until.isoformat()}" if row.until else "until released"
    typer.echo(f"hold {row.id} placed on {row.identity_value}: {tables}, {end} ({row.reason})")


@holds_app.command("list")
def hold_list(path: DeclarationPath, store: StoreUrl = None) -> None:
    """List the holds, in force or not, oldest first."""
    load_declaration(path)
    today = dt.datetime.now(dt.UTC).date()
    with _store(path, store) as opened, opened.session() as session:
        rows = all_holds(session)
    if not rows:
        typer.echo("no legal holds")
        return
    lines = [("id", "email", "tables", "until", "state", "reason")]
    lines += [
        (
            str(row.id),
            row.identity_value,
            ", ".join(row.scope) or "all",
            row.until.isoformat() if row.until else "-",
            hold_state(row, today),
            row.reason,
        )
        for row in rows
    ]
    _table(lines)


@holds_app.command("release")
def hold_release(
    path: DeclarationPath,
    hold_id: Annotated[int, typer.Argument(metavar="ID", help="the hold's number")],
    store: StoreUrl = None,
) -> None:
    """End a hold now; the next sweep applies the retention rules to the data it kept, and
    the job queue (`pledge worker`, `pledge serve`) finishes the erasures it kept tables from."""
    load_declaration(path)
    now = dt.datetime.now(dt.UTC)
    with _store(path, store) as opened, opened.session(write=True) as session:
        row = release_hold(session, hold_id, actor=ACTOR, now=now)
    typer.echo(f"hold {row.id} on {row.identity_value} released")


@events_app.command("record")
def event_record(
    path: DeclarationPath,
    kind: Annotated[str, typer.Option("--kind", help=f"one of: {', '.join(CLOCK_EVENTS)}")],
    email: Email,
    on: Annotated[str, typer.Option("--on", metavar="DATE", help="the day it happened")],
    note: Annotated[str | None, typer.Option("--note", help="a note for the record")] = None,
    store: StoreUrl = None,
) -> None:
    """Record that a person's account closed, or their relationship or contract ended."""
    load_declaration(path)
    if kind == CHILD:
        raise PledgeError(
            "a child is flagged with `pledge child flag`", "it erases their data at once"
        )
    day = _day(on, "--on")
    now = dt.datetime.now(dt.UTC)
    with _store(path, store) as opened, opened.session(write=True) as session:
        row = record_event(
            session, kind=kind, email=email, occurred_on=day, actor=ACTOR, note=note, now=now
        )
    typer.echo(
        f"event {row.id}: {row.kind} of {row.identity_value} on {row.occurred_on.isoformat()}"
        " recorded"
    )


@events_app.command("list")
def event_list(
    path: DeclarationPath,
    email: Annotated[str | None, typer.Option("--email", help="only this person's events")] = None,
    store: StoreUrl = None,
) -> None:
    """List the events recorded, oldest first."""
    load_declaration(path)
    with _store(path, store) as opened, opened.session() as session:
        rows = list_events(session, email=email)
    if not rows:
        typer.echo("no events")
        return
    lines = [("id", "kind", "email", "on", "recorded by", "note")]
    lines += [
        (
            str(row.id),
            row.kind,
            row.identity_value,
            row.occurred_on.isoformat(),
            row.recorded_by,
            row.note or "",
        )
        for row in rows
    ]
    _table(lines)


@children_app.command("flag")
def child_flag(
    path: DeclarationPath,
    email: Annotated[str, typer.Argument(help="the child's email address")],
    note: Annotated[str | None, typer.Option("--note", help="how the company learned it")] = None,
    store: StoreUrl = None,
) -> None:
    """Record that a person is a child and erase their data at once."""
    declaration = load_declaration(path).declaration
    settings = Settings.build(path, store_url=store)
    now = dt.datetime.now(dt.UTC)
    with open_store(settings.store_url) as opened:
        services = Services.from_settings(settings, lambda: declaration)
        try:
            done = flag_child(opened, services, email=email, actor=ACTOR, now=now, note=note)
        finally:
            services.close()
    typer.echo(_said(done))


def _said(done: ChildErasure) -> str:
    if not done.erased:
        return f"{done.email}: recorded as a child (event {done.event_id}); {done.note}"
    audit = f"(audit: sweep run {done.run_id})"
    if not (done.deleted or done.anonymised or done.held):
        return f"{done.email}: recorded as a child; no data of theirs was found {audit}"
    return (
        f"{done.email}: erased at once: {done.deleted} rows deleted, {done.anonymised}"
        f" anonymised, {done.held} kept under a legal hold {audit}"
    )
