"""`pledge request create|list|show|run|approve|deny|extend` and `pledge worker`: rights
requests from the terminal (and the follow-ups of pledge.cli.request_follow_up)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Annotated

import typer

from pledge.cli.app import app
from pledge.cli.request_follow_up import FOLLOW_UPS, follow_up_lines
from pledge.cli.versions import DeclarationPath, StoreUrl
from pledge.declaration.load import load_declaration
from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.jobs import JOBS, Runner
from pledge.jobs.runner import RunReport
from pledge.retention import schedule as _schedule  # noqa: F401  (registers the sweep's job)
from pledge.rights import (
    due_date,
    get_request,
    is_due_soon,
    list_requests,
    local_day,
    timeline,
)
from pledge.rights.lifecycle import CLOSED, STATES
from pledge.rights.types import DESCRIPTIONS, REQUEST_TYPES
from pledge.rights.workflow import approve, deny, extend_request, submit_request
from pledge.services import Services
from pledge.settings import Settings
from pledge.store import Store, open_store
from pledge.store.tables import RequestRow

requests_app = typer.Typer(
    help="File, list and show rights requests.", no_args_is_help=True, add_completion=False
)
app.add_typer(requests_app, name="request")

HEADERS = ("reference", "type", "state", "jurisdiction", "received", "due", "days left")


def _store(path: Path, url: str | None) -> Store:
    return open_store(Settings.build(path, store_url=url).store_url)


@requests_app.command("create")
def create(
    path: DeclarationPath,
    request_type: Annotated[
        str, typer.Option("--type", help=f"the right used: {', '.join(REQUEST_TYPES)}")
    ],
    email: Annotated[str, typer.Option("--email", help="the person's email address")],
    jurisdiction: Annotated[
        str, typer.Option("--jurisdiction", help="the person's jurisdiction, a declared one")
    ],
    identity: Annotated[
        list[str] | None,
        typer.Option(
            "--identity",
            metavar="NAME=VALUE",
            help="a data point to find and verify the person, e.g. postcode=BS1 4QA (repeatable)",
        ),
    ] = None,
    correct: Annotated[
        list[str] | None,
        typer.Option(
            "--correct",
            metavar="CATEGORY=VALUE",
            help="for a rectification: what a category (or table.column) should say (repeatable)",
        ),
    ] = None,
    activity: Annotated[
        list[str] | None,
        typer.Option(
            "--activity",
            help="for an objection or a withdrawal of consent: the activity (repeatable;"
            " none: every one it can apply to)",
        ),
    ] = None,
    language: Annotated[
        str, typer.Option("--language", help="the language to answer in, a declared one")
    ] = "en",
    store: StoreUrl = None,
) -> None:
    """File a request as received; print its reference and due date."""
    declaration = load_declaration(path).declaration
    points = dict(_data_point(item, "--identity") for item in identity or [])
    details: dict[str, object] = {}
    if correct:
        details["corrections"] = dict(_data_point(item, "--correct") for item in correct)
    if activity:
        details["activities"] = list(activity)
    with _store(path, store) as opened, opened.session(write=True) as session:
        row = submit_request(
            session,
            declaration,
            type=request_type,
            email=email,
            jurisdiction=jurisdiction,
            identity=points,
            details=details,
            language=language,
            actor="cli",
        )
    typer.echo(f"{row.id}: {DESCRIPTIONS[row.type]} ({row.jurisdiction}) received")
    if row.due_at is not None:
        typer.echo(f"due {row.due_at.isoformat()}")
    else:
        typer.echo("due date set when the person confirms their identity (the clock starts then)")
    if row.acknowledge_by is not None:
        typer.echo(f"acknowledge by {row.acknowledge_by.isoformat()}")


@requests_app.command("list")
def list_(
    path: DeclarationPath,
    state: Annotated[
        str | None, typer.Option("--state", help=f"only this state: {', '.join(STATES)}")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="only overdue requests")] = False,
    store: StoreUrl = None,
) -> None:
    """List requests, overdue first, then by due date."""
    if state is not None and state not in STATES:
        raise PledgeError(f"unknown state '{state}'", f"use one of: {', '.join(STATES)}")
    load_declaration(path)
    now = dt.datetime.now(dt.UTC)
    with _store(path, store) as opened, opened.session() as session:
        rows = list_requests(session, state=state, overdue_only=overdue, now=now)
    if not rows:
        typer.echo("no requests" if state is None and not overdue else "no matching requests")
        return
    table = [HEADERS, *(_line(row, now) for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]
    for line in table:
        typer.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )


@requests_app.command("show")
def show(
    path: DeclarationPath,
    reference: Annotated[str, typer.Argument(help="the request's reference, e.g. PLG-7KQ2-M9XD")],
    store: StoreUrl = None,
) -> None:
    """Show a request's details and its timeline."""
    load_declaration(path)
    now = dt.datetime.now(dt.UTC)
    with _store(path, store) as opened, opened.session() as session:
        row = get_request(session, reference)
        events = timeline(session, row.id)
        follow_ups = follow_up_lines(session, row.id)
    fields = [
        ("type", f"{row.type} ({DESCRIPTIONS[row.type]})"),
        ("state", row.state),
        ("jurisdiction", row.jurisdiction),
        ("email", row.email),
        *((f"identity.{name}", value) for name, value in sorted(row.identity.items())),
        ("received", _moment(row.received_at)),
        ("verified", _moment(row.verified_at) if row.verified_at else "-"),
        ("acknowledge by", row.acknowledge_by.isoformat() if row.acknowledge_by else "-"),
        ("acknowledged", _moment(row.acknowledged_at) if row.acknowledged_at else "-"),
        ("due", row.due_at.isoformat() if row.due_at else "-"),
        ("extended to", row.extended_due_at.isoformat() if row.extended_due_at else "-"),
        ("days left", _days_left(row, now)),
        ("approval", "required" if row.approval_required else "not required"),
        ("closed", _moment(row.closed_at) if row.closed_at else "-"),
        ("outcome", row.outcome or "-"),
    ]
    typer.echo(row.id)
    width = max(len(name) for name, _ in fields)
    for name, value in fields:
        typer.echo(f"  {name.ljust(width)}  {value}")
    for line in follow_ups:
        typer.echo(line)
    typer.echo("timeline")
    for event in events:
        move = f"{event.from_state or '-'} -> {event.to_state}" if event.to_state else event.kind
        note = f": {event.note}" if event.note else ""
        typer.echo(f"  {_moment(event.at)}  {move}  by {event.actor}{note}")


@requests_app.command("run")
def run(
    path: DeclarationPath,
    reference: Annotated[str, typer.Argument(help="the request's reference")],
    store: StoreUrl = None,
) -> None:
    """Run the queued work now (mails, the run against the databases), then show the state."""
    declaration = load_declaration(path).declaration
    settings = Settings.build(path, store_url=store)
    with _store(path, store) as opened:
        with opened.session() as session:
            get_request(session, reference)
        report = _run_jobs(opened, settings, declaration, 1000)
        with opened.session() as session:
            row = get_request(session, reference)
    typer.echo(_report_line(report))
    typer.echo(f"{row.id}: {row.state}" + (f" ({row.outcome})" if row.outcome else ""))


@requests_app.command("approve")
def approve_(
    path: DeclarationPath,
    reference: Annotated[str, typer.Argument(help="the request's reference")],
    store: StoreUrl = None,
) -> None:
    """Approve a request that waits for it; the work is queued."""
    load_declaration(path)
    with _store(path, store) as opened, opened.session(write=True) as session:
        row = approve(session, reference, actor="cli")
    typer.echo(f"{row.id}: {row.state}")


@requests_app.command("deny")
def deny_(
    path: DeclarationPath,
    reference: Annotated[str, typer.Argument(help="the request's reference")],
    reason: Annotated[str, typer.Option("--reason", help="why, as the person will read it")],
    store: StoreUrl = None,
) -> None:
    """Deny a request with the reason the person is mailed, with where to complain."""
    load_declaration(path)
    with _store(path, store) as opened, opened.session(write=True) as session:
        row = deny(session, reference, reason, actor="cli")
    typer.echo(f"{row.id}: {row.state}")


@requests_app.command("extend")
def extend_(
    path: DeclarationPath,
    reference: Annotated[str, typer.Argument(help="the request's reference")],
    reason: Annotated[str, typer.Option("--reason", help="why, as the person will read it")],
    store: StoreUrl = None,
) -> None:
    """Extend the due date as far as the law allows; the person is mailed why."""
    load_declaration(path)
    with _store(path, store) as opened, opened.session(write=True) as session:
        row = extend_request(session, reference, reason, actor="cli")
    typer.echo(f"{row.id}: due {row.extended_due_at.isoformat() if row.extended_due_at else '-'}")


for _name, _command in FOLLOW_UPS.items():
    requests_app.command(_name)(_command)


@app.command()
def worker(
    path: DeclarationPath,
    once: Annotated[bool, typer.Option("--once", help="run the jobs due now, then exit")] = False,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="the most jobs to run in this pass")
    ] = 1000,
    store: StoreUrl = None,
) -> None:
    """Run queued jobs: acknowledging requests, running them, mailing people."""
    declaration = load_declaration(path).declaration
    settings = Settings.build(path, store_url=store)
    with _store(path, store) as opened:
        if once:
            typer.echo(_report_line(_run_jobs(opened, settings, declaration, limit)))
            return
        services = Services.from_settings(settings, lambda: declaration)
        runner = Runner(opened, JOBS, services=services)
        typer.echo("running jobs as they come; Ctrl-C stops")
        try:
            while True:
                if runner.run_pending(limit).ran == 0:
                    time.sleep(1.0)
        except KeyboardInterrupt:
            typer.echo("stopped")
        finally:
            services.close()


def _run_jobs(store: Store, settings: Settings, declaration: Declaration, limit: int) -> RunReport:
    services = Services.from_settings(settings, lambda: declaration)
    try:
        return Runner(store, JOBS, services=services).run_pending(limit)
    finally:
        services.close()


def _report_line(report: RunReport) -> str:
    return (
        f"ran {report.ran} job{'' if report.ran == 1 else 's'}: {report.done} done,"
        f" {report.failed} failed, {report.retried} to retry"
        + (f", {report.lost} taken over by another worker" if report.lost else "")
    )


def _line(row: RequestRow, now: dt.datetime) -> tuple[str, ...]:
    due = due_date(row)
    return (
        row.id,
        row.type,
        row.state,
        row.jurisdiction,
        local_day(row.received_at, row.jurisdiction).isoformat(),
        due.isoformat() if due else "-",
        _days_left(row, now),
    )


def _days_left(row: RequestRow, now: dt.datetime) -> str:
    due = due_date(row)
    if row.state in CLOSED:
        return "closed"
    if due is None:
        return "clock stopped (identity)"
    today = local_day(now, row.jurisdiction)
    left = (due - today).days
    if left < 0:
        return f"OVERDUE by {-left} day{'' if left == -1 else 's'}"
    soon = " (due soon)" if is_due_soon(due, today) else ""
    return f"{left}{soon}"


def _moment(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _data_point(item: str, option: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    if not sep or not name.strip():
        raise PledgeError(f"{option} '{item}' is not NAME=VALUE", f"e.g. {option} postcode=BS1")
    return name.strip(), value.strip()
