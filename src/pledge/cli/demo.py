"""`pledge demo create`: the demo company's databases, to try requests against real-looking data."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from sqlalchemy.engine import make_url

from pledge.cli.app import app
from pledge.demo import CRM_URL_ENV, DEMO_PERSON, SHOP_URL_ENV, DemoReport, create_demo
from pledge.errors import PledgeError
from pledge.sources.connect import create_source_engine

demo_app = typer.Typer(
    name="demo",
    help="The demo company, Maple & Finch: its databases, for trying Pledge.",
    no_args_is_help=True,
)
app.add_typer(demo_app, name="demo")

DEFAULT_SHOP = "demo-shop.db"
DEFAULT_CRM = "demo-crm.db"
LONG_RUN = 20_000  # customers: about ten seconds


@demo_app.command("create")
def create(
    shop_url: Annotated[
        str | None,
        typer.Option(
            "--shop-url",
            metavar="URL",
            help=f"the shop database (default: the SQLite file {DEFAULT_SHOP} here)",
        ),
    ] = None,
    crm_url: Annotated[
        str | None,
        typer.Option(
            "--crm-url",
            metavar="URL",
            help=f"the CRM database (default: the SQLite file {DEFAULT_CRM} here)",
        ),
    ] = None,
    scale: Annotated[int, typer.Option("--scale", help="how many customers")] = 1_000,
    seed: Annotated[int, typer.Option("--seed", help="the same seed gives the same rows")] = 1,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            help="the day the data runs up to (default: today)",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="replace the demo's tables in a non-empty database")
    ] = False,
) -> None:
    """Create Maple & Finch's shop and CRM databases, filled with customers who look real."""
    shop = shop_url or _sqlite_here(DEFAULT_SHOP)
    crm = crm_url or _sqlite_here(DEFAULT_CRM)
    day = as_of or datetime.combine(datetime.now(UTC).date(), time())
    engines = [create_source_engine(shop), create_source_engine(crm)]
    try:
        report = create_demo(
            *engines, scale=scale, seed=seed, as_of=day, force=force, progress=_progress(scale)
        )
    except sa.exc.DBAPIError as exc:
        raise PledgeError(
            f"the database refused: {str(exc.orig).strip().splitlines()[0]}",
            "check the URL, that the server runs, and that the user may create tables",
        ) from None
    finally:
        for engine in engines:
            engine.dispose()
    _print_report(report)
    typer.echo(
        "\nExport these so that the demo declaration (examples/demo/pledge.yaml) finds them:"
    )
    hidden = False
    for variable, url in ((SHOP_URL_ENV, shop), (CRM_URL_ENV, crm)):
        shown = make_url(url).render_as_string(hide_password=True)
        hidden = hidden or shown != url
        typer.echo(f"  export {variable}={shlex.quote(shown)}")
    if hidden:
        typer.echo("  (put the password back where the URL shows ***)")
    typer.echo(f"\nThen ask for the data of the demo person, Jane Doe: {DEMO_PERSON}")


def _sqlite_here(name: str) -> str:
    return f"sqlite:///{Path.cwd() / name}"


def _progress(scale: int) -> Callable[[int], None] | None:
    """Customers written so far, on a terminal, when the run is long enough to wonder."""
    if scale < LONG_RUN or not sys.stderr.isatty():
        return None
    return lambda done: _write_progress(done, scale)


def _print_report(report: DemoReport) -> None:
    typer.echo(
        f"Created Maple & Finch's databases: {report.scale:,} customers, seed {report.seed}, "
        f"data up to {report.as_of:%Y-%m-%d}.\n"
    )
    width = max(len(load.table) for load in report.tables)
    for load in report.tables:
        typer.echo(f"  {load.source:<5} {load.table:<{width}} {load.rows:>10,}")
    typer.echo(
        f"  {'':<5} {'total':<{width}} {report.rows:>10,} rows in {report.seconds:.1f} s "
        f"({report.rows_per_second:,.0f} rows/s)"
    )


def _write_progress(done: int, scale: int) -> None:
    sys.stderr.write(f"\r{done:,} of {scale:,} customers")
    if done >= scale:
        sys.stderr.write("\n")
    sys.stderr.flush()
