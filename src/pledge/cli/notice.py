"""`pledge notice`: render the privacy notice, or say what changed between two versions."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from pledge.cli.app import app
from pledge.declaration.load import load_declaration
from pledge.declaration.model import Declaration, Language
from pledge.errors import PledgeError
from pledge.notice.render import Format, render_notice
from pledge.notice_versions import last_updated, record_version
from pledge.notice_versions.compare import diff_versions
from pledge.settings import Settings
from pledge.store import open_store

RANGE = re.compile(r"^(?P<a>\d+)?(?:\.\.(?P<b>\d+)?)?$")


@app.command()
def notice(
    path: Annotated[Path, typer.Argument(help="the declaration file, e.g. pledge.yaml")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="html page or Markdown")] = "html",
    lang: Annotated[
        Language | None,
        typer.Option("--lang", "-l", help="language; default: the declaration's first"),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="write to this file instead of stdout")
    ] = None,
    publish: Annotated[
        bool, typer.Option(help="record this declaration as a notice version first")
    ] = False,
    diff: Annotated[
        str | None,
        typer.Option(
            metavar="A..B",
            help="print what changed instead of the notice: '1..3' between versions, "
            "'2' or '2..' from version 2 to the file, '..3' from version 2 to 3",
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="the store's database URL (default: PLEDGE_STORE_URL, else pledge-store.db"
            " beside the declaration)",
        ),
    ] = None,
) -> None:
    """Render the privacy notice (HTML or Markdown) in one of the declared languages.

    "Last updated" is the date of the published version with this meaning, from the store;
    a declaration not yet published shows its own notice.last_updated.
    """
    declaration = load_declaration(path).declaration
    language = lang or declaration.organisation.languages[0]
    store_url = Settings.build(path, store_url=store).store_url
    if diff is not None:
        _print_changes(store_url, diff, declaration, language)
        return
    text = render_notice(
        declaration,
        fmt=fmt,
        lang=language,
        last_updated=_published_on(store_url, declaration, publish=publish),
    )
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


def _published_on(store_url: str, declaration: Declaration, *, publish: bool) -> dt.date | None:
    # Rendering a draft must not create a store as a side effect: only read one that exists.
    if not publish and not _store_exists(store_url):
        return None
    with open_store(store_url) as opened:
        if publish:
            record_version(opened, declaration)
        return last_updated(opened, declaration)


def _store_exists(store_url: str) -> bool:
    url = make_url(store_url)
    if url.get_backend_name() != "sqlite":
        return True
    return bool(url.database) and Path(str(url.database)).exists()


def _print_changes(store_url: str, spec: str, declaration: Declaration, lang: str) -> None:
    match = RANGE.match(spec.strip())
    if match is None or not spec.strip():
        raise PledgeError(
            f"--diff {spec!r} is not a version range",
            "write '1..3' (version 1 to 3), '2' (version 2 to the file) or '..3'",
        )
    older = int(match["a"]) if match["a"] else None
    newer = int(match["b"]) if match["b"] else None
    with open_store(store_url) as opened:
        changes = diff_versions(opened, older, newer, declaration if newer is None else None, lang)
    for change in changes:
        typer.echo(f"- {change}")
    if not changes:
        typer.echo("no changes")
