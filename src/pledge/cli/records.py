"""`pledge ropa` (the Art. 30 record of processing) and `pledge export` (DPV JSON-LD)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Literal

import typer

from pledge.cli.app import app
from pledge.declaration.load import load_declaration
from pledge.errors import PledgeError, display_path
from pledge.records.dpv import dpv_json
from pledge.records.ropa_csv import write_ropa_csv
from pledge.records.ropa_xlsx import write_ropa_xlsx

DeclarationPath = Annotated[Path, typer.Argument(help="the declaration file, e.g. pledge.yaml")]
RopaFormat = Literal["xlsx", "csv"]
EXTENSIONS: dict[str, RopaFormat] = {".xlsx": "xlsx", ".csv": "csv"}


@app.command()
def ropa(
    path: DeclarationPath,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="file to write; CSV goes to the terminal without it"),
    ] = None,
    fmt: Annotated[
        RopaFormat | None,
        typer.Option("--format", help="xlsx or csv (default: from the output's extension)"),
    ] = None,
    lang: Annotated[
        Literal["en", "fr"] | None,
        typer.Option("--lang", help="language (default: the declaration's first language)"),
    ] = None,
) -> None:
    """Write the GDPR Art. 30 record of processing, one row per activity."""
    chosen = _ropa_format(output, fmt)
    declaration = load_declaration(path).declaration
    language = lang or declaration.organisation.languages[0]
    if output is None:
        write_ropa_csv(declaration, sys.stdout, language)
        return
    with _writing(output):
        if chosen == "xlsx":
            write_ropa_xlsx(declaration, output, language)
        else:
            write_ropa_csv(declaration, output, language)
    count = len(declaration.activities)
    typer.echo(f"{display_path(output)}: {count} activit{'ies' if count != 1 else 'y'}.")


@contextmanager
def _writing(output: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise PledgeError(
            f"cannot write {display_path(output)}: {exc.strerror or exc}",
            "check that the folder exists and that you may write to it",
        ) from None


def _ropa_format(output: Path | None, given: RopaFormat | None) -> RopaFormat:
    if output is None:
        if given == "xlsx":
            raise PledgeError(
                "a spreadsheet cannot be written to the terminal",
                "add -o ropa.xlsx, or use --format csv",
            )
        return "csv"
    if given is not None:
        return given
    found = EXTENSIONS.get(output.suffix.lower())
    if found is None:
        raise PledgeError(
            f"cannot tell the format from '{output.name}'",
            "name the file .xlsx or .csv, or add --format xlsx|csv",
        )
    return found


@app.command()
def export(
    path: DeclarationPath,
    fmt: Annotated[
        Literal["dpv"],
        typer.Option("--format", help="dpv: W3C Data Privacy Vocabulary, as JSON-LD"),
    ] = "dpv",
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="file to write (default: the terminal)"),
    ] = None,
) -> None:
    """Export the declaration in a machine-readable vocabulary (W3C DPV JSON-LD)."""
    declaration = load_declaration(path).declaration
    document = dpv_json(declaration)
    if output is None:
        typer.echo(document, nl=False)
    else:
        with _writing(output):
            output.write_text(document, encoding="utf-8")
        typer.echo(
            f"{display_path(output)}: DPV JSON-LD, {len(declaration.activities)} activities."
        )
