"""`pledge plan`: the statements an access request would run for one person, and their counts."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from pledge.cli.app import app
from pledge.declaration.load import load_declaration
from pledge.declaration.model import Source
from pledge.errors import PledgeError
from pledge.sources.access import AccessResult, execute_access
from pledge.sources.connect import create_source_engine
from pledge.sources.plan import DEFAULT_DEPTH, build_plan
from pledge.sources.plan_explain import explain
from pledge.sources.schema import SchemaInfo, reflect_schema

DeclarationPath = Annotated[Path, typer.Argument(help="the declaration file, e.g. pledge.yaml")]


@app.command()
def plan(
    path: DeclarationPath,
    subject: Annotated[
        list[str],
        typer.Option(
            "--subject",
            metavar="KIND=VALUE",
            help="the person, as kind=value (email=jane@example.com); repeat for several",
        ),
    ],
    run: Annotated[
        bool,
        typer.Option(help="also run it, read-only, and print how many rows each table holds"),
    ] = False,
    max_depth: Annotated[
        int, typer.Option(min=1, max=20, help="the most hops from the identity to a table")
    ] = DEFAULT_DEPTH,
) -> None:
    """Print how Pledge reaches a person's rows in every source, with the SQL it runs."""
    identity = parse_subjects(subject)
    declaration = load_declaration(path).declaration
    if not declaration.sources:
        raise PledgeError(
            f"{path} declares no sources", "declare the company's databases under `sources`"
        )
    with opened(declaration.sources, os.environ) as engines:
        schemas = {name: _reflect(name, engine) for name, engine in engines.items()}
        built = build_plan(declaration, schemas, identity, max_depth=max_depth)
        typer.echo(explain(built), nl=False)
        if run:
            try:
                result = execute_access(built, engines)
            except SQLAlchemyError as exc:
                raise PledgeError(f"a statement failed: {_reason(exc)}") from None
            typer.echo("\n" + counts_report(result), nl=False)


def parse_subjects(subjects: list[str]) -> dict[str, list[str]]:
    identity: dict[str, list[str]] = {}
    for item in subjects:
        kind, sep, value = item.partition("=")
        if not sep or not kind.strip() or not value.strip():
            raise PledgeError(
                f"--subject '{item}' is not kind=value", "e.g. --subject email=jane@example.com"
            )
        identity.setdefault(kind.strip(), []).append(value.strip())
    return identity


def counts_report(result: AccessResult) -> str:
    """How many rows each table holds for the person: counts only, never a value."""
    lines = ["Read-only run (counts only, no values):"]
    for name, (own, shared) in result.counts().items():
        text = f"{own} row{'' if own == 1 else 's'}"
        lines.append(f"  {name}: {text}" + (f", {shared} shared" if shared else ""))
    rounds: dict[int, list[str]] = {}
    for number, source in result.runs:
        rounds.setdefault(number, []).append(source)
    lines += [f"  round {n}: {', '.join(names)}" for n, names in rounds.items()]
    lines += [f"  note: {note}" for note in result.notes]
    return "\n".join(lines) + "\n"


@contextmanager
def opened(
    sources: Mapping[str, Source], environ: Mapping[str, str]
) -> Iterator[dict[str, Engine]]:
    """An engine per source; every missing environment variable is named at once."""
    missing = [s.url_env for s in sources.values() if not environ.get(s.url_env, "").strip()]
    if missing:
        names = ", ".join(dict.fromkeys(missing))
        raise PledgeError(
            f"the sources' database URLs are not set: {names}",
            f"export {missing[0]}=<database URL>, e.g. postgresql://user@host/db",
        )
    engines: dict[str, Engine] = {}
    try:
        for name, source in sources.items():
            engines[name] = create_source_engine(environ[source.url_env].strip())
            _refuse_missing_sqlite_file(name, engines[name])
        yield engines
    finally:
        for engine in engines.values():
            engine.dispose()


def _refuse_missing_sqlite_file(name: str, engine: Engine) -> None:
    # SQLite would create an empty database at a mistyped path: not for a read-only command.
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return
    if not Path(database).is_file():
        raise PledgeError(
            f"source '{name}': no SQLite database at {database}", "check the path in its URL"
        )


def _reflect(name: str, engine: Engine) -> SchemaInfo:
    try:
        return reflect_schema(engine)
    except SQLAlchemyError as exc:
        raise PledgeError(
            f"cannot read the schema of source '{name}': {_reason(exc)}",
            "check that the database is up and that its URL is right",
        ) from None


def _reason(exc: SQLAlchemyError) -> str:
    # The driver's own message, without SQLAlchemy's echo of the statement and parameters.
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0]
