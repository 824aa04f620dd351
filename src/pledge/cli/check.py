"""`pledge check` and `pledge schema`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from pledge.cli.app import app
from pledge.declaration.lint import lint
from pledge.declaration.load import load_declaration
from pledge.declaration.schema import declaration_schema
from pledge.errors import InvalidDeclaration, Problem
from pledge.sources.live_check import Note, check_live

DeclarationPath = Annotated[Path, typer.Argument(help="the declaration file, e.g. pledge.yaml")]


@app.command()
def check(
    path: DeclarationPath,
    strict: Annotated[bool, typer.Option(help="treat warnings as errors")] = False,
    live: Annotated[
        bool,
        typer.Option(
            help="also check the sources against their databases (URLs from the environment)"
        ),
    ] = False,
) -> None:
    """Validate a declaration: errors exit 1; meaning-level warnings are printed, exit 0."""
    loaded = load_declaration(path)
    warnings: list[Problem] = list(lint(loaded))
    if live:
        found = check_live(loaded)
        if any(problem.severity == "error" for problem in found):
            raise InvalidDeclaration([*warnings, *found])
        warnings = sorted([*warnings, *found], key=lambda problem: problem.where)
    for warning in warnings:
        typer.echo(str(warning))
    count = sum(not isinstance(warning, Note) for warning in warnings)
    summary = f"{path}: valid, {count} warning{'s' if count != 1 else ''}"
    if live:
        sources = len(loaded.declaration.sources)
        summary += f", checked against {sources} live source{'s' if sources != 1 else ''}"
    typer.echo(summary + ".")
    if strict and count:
        raise typer.Exit(1)


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="write to a file")] = None,
) -> None:
    """Print the declaration's JSON Schema, for editors to validate and autocomplete."""
    text = json.dumps(declaration_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
