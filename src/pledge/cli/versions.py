"""`pledge publish`, `pledge versions` and `pledge diff`: the notice's version history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pledge.cli.app import app
from pledge.declaration.load import load_declaration
from pledge.notice_versions import latest_version, list_versions, record_version
from pledge.notice_versions.compare import diff_versions
from pledge.settings import Settings
from pledge.store import Store, open_store

__all__ = ["diff_versions"]  # the function `pledge notice --diff A..B` calls too

DeclarationPath = Annotated[Path, typer.Argument(help="the declaration file, e.g. pledge.yaml")]
StoreUrl = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="URL",
        help="the store's database URL (default: PLEDGE_STORE_URL, else pledge-store.db"
        " beside the declaration)",
    ),
]
DIGEST_SHOWN = 12


def _store(path: Path, url: str | None) -> Store:
    return open_store(Settings.build(path, store_url=url).store_url)


@app.command()
def publish(path: DeclarationPath, store: StoreUrl = None) -> None:
    """Record the declaration as a new notice version, if its meaning changed."""
    declaration = load_declaration(path).declaration
    with _store(path, store) as opened:
        before = latest_version(opened)
        version = record_version(opened, declaration)
    if before is not None and before.number == version.number:
        typer.echo(f"unchanged since version {version.number}")
        return
    typer.echo(f"version {version.number} recorded")
    for change in version.changes:
        typer.echo(f"  - {change}")


@app.command()
def versions(path: DeclarationPath, store: StoreUrl = None) -> None:
    """List the recorded notice versions: number, effective date, digest, changes."""
    with _store(path, store) as opened:
        recorded = list_versions(opened)
    if not recorded:
        typer.echo(f"no version recorded yet; record one with `pledge publish {path}`")
        return
    width = len(str(recorded[-1].number))
    for version in recorded:
        count = len(version.changes)
        typer.echo(
            f"{version.number:>{width}}  {version.effective_date.isoformat()}"
            f"  {version.digest[:DIGEST_SHOWN]}  {count} change{'' if count == 1 else 's'}"
        )


@app.command()
def diff(
    path: DeclarationPath,
    store: StoreUrl = None,
    from_: Annotated[
        int | None,
        typer.Option(
            "--from", help="the older version (default: the one before --to, else the latest)"
        ),
    ] = None,
    to: Annotated[
        int | None, typer.Option("--to", help="the newer version (default: the file as it is)")
    ] = None,
    lang: Annotated[
        str | None, typer.Option(help="en or fr (default: the declaration's first language)")
    ] = None,
) -> None:
    """Say in words what changed between two versions, or since the latest one."""
    declaration = load_declaration(path).declaration if to is None or lang is None else None
    language = lang or (declaration.organisation.languages[0] if declaration else "en")
    with _store(path, store) as opened:
        changes = diff_versions(opened, from_, to, declaration if to is None else None, language)
    for change in changes:
        typer.echo(change)
    if not changes:
        typer.echo("no changes")
