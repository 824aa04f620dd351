"""`pledge map`: draft the `sources` section of pledge.yaml from a live database."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Annotated

import typer
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from pledge.cli.app import app
from pledge.errors import PledgeError, display_path
from pledge.sources.columns import DEFAULT_SAMPLE
from pledge.sources.connect import create_source_engine
from pledge.sources.mapping import DraftLink, SourceDraft, TableDraft, draft_source

SOURCE_ID = re.compile(r"[a-z][a-z0-9_]*")
ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
TABLE_INDENT = 8  # sources > source > tables > table > key


@app.command("map")
def map_database(
    url: Annotated[str, typer.Argument(help="the database URL, e.g. postgresql://user@host/shop")],
    source: Annotated[
        str | None,
        typer.Option(
            "--source", help="the source's id in pledge.yaml (default: the database name)"
        ),
    ] = None,
    url_env: Annotated[
        str | None,
        typer.Option("--url-env", help="the variable that will hold the URL (PLEDGE_<SOURCE>_URL)"),
    ] = None,
    sample: Annotated[
        int,
        typer.Option("--sample", min=0, help="rows sampled per table; 0 reads no values"),
    ] = DEFAULT_SAMPLE,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="write to a file")] = None,
) -> None:
    """Draft the `sources` section from a live database, for you to check and paste."""
    engine = create_source_engine(url)
    try:
        name = source or _default_source_id(engine)
        if not SOURCE_ID.fullmatch(name):
            raise PledgeError(
                f"'{name}' cannot be a source id", "use lowercase letters, digits and '_'"
            )
        env = url_env or f"PLEDGE_{name.upper()}_URL"
        if not ENV_NAME.fullmatch(env):
            raise PledgeError(
                f"'{env}' is not an environment variable name", "use capitals, digits and '_'"
            )
        _refuse_missing_sqlite_file(engine)
        try:
            draft = draft_source(engine, name, env, sample)
        except OperationalError as exc:
            raise PledgeError(
                f"cannot read the database: {_reason(exc)}",
                "check the URL, the server and the database user's rights",
            ) from None
    finally:
        engine.dispose()
    text = draft_yaml(draft)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PledgeError(
            f"cannot write {display_path(output)}: {exc.strerror or exc}",
            "check that the folder exists and that you may write to it",
        ) from None
    count = sum(table.included for table in draft.tables.values())
    typer.echo(f"{display_path(output)}: {count} table{'s' if count != 1 else ''} drafted.")


def _default_source_id(engine: Engine) -> str:
    database = engine.url.database or ""
    if engine.url.get_backend_name() == "sqlite":
        database = Path(database).stem
    name = re.sub(r"[^a-z0-9]+", "_", database.lower()).strip("_")
    return name if SOURCE_ID.fullmatch(name) else "main"


def _refuse_missing_sqlite_file(engine: Engine) -> None:
    # SQLite would create an empty database at a mistyped path.
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return
    if not Path(database).is_file():
        raise PledgeError(f"no SQLite database at {database}", "check the path in the URL")


def _reason(exc: OperationalError) -> str:
    # The driver's own first line (host, port, refusal); never the statement or its values.
    return str(exc.orig).strip().splitlines()[0] if exc.orig else "connection failed"


# --- The draft as YAML, with the evidence as comments ----------------------------------


def draft_yaml(draft: SourceDraft) -> str:
    """The draft as a `sources:` section; comments carry the evidence, never a value."""
    tables = CommentedMap()
    for table in draft.tables.values():
        if table.included:
            tables[table.name] = _table_yaml(table)
    source = CommentedMap()
    source["url_env"] = draft.url_env
    source["tables"] = tables
    left_out = [t.name for t in draft.tables.values() if not t.included]
    if left_out:
        note = "left out, no personal-looking values and no link to a person: "
        source.yaml_set_comment_before_after_key(
            "tables", before=note + ", ".join(left_out), indent=4
        )
    sources = CommentedMap()
    sources[draft.name] = source
    document = CommentedMap()
    document["sources"] = sources
    document.yaml_set_start_comment(_header(draft))
    yaml = YAML(typ="rt")
    yaml.width = 4096  # one line per entry, however long its comment
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    yaml.dump(document, stream)
    return stream.getvalue()


def _header(draft: SourceDraft) -> str:
    sampled = (
        f"a sample of up to {draft.sample} rows per table"
        if draft.sample
        else "column names only (no values read)"
    )
    return (
        f"Drafted by `pledge map` from {sampled}.\n"
        "Each category is a suggestion from the column's name and the shape of its values:\n"
        "check every one, add each table's subject, activities and retention, then paste\n"
        "this into pledge.yaml."
    )


def _table_yaml(table: TableDraft) -> CommentedMap:
    body = CommentedMap()
    if table.links:
        links = CommentedSeq(_link_yaml(link) for link in table.links)
        links.fa.set_flow_style()
        body["links"] = links
        why = "; ".join(_link_why(link) for link in table.links)
        body.yaml_add_eol_comment(why, "links", column=0)
    columns = CommentedMap()
    for guess in table.columns.values():
        evidence = list(guess.evidence)
        if guess.column == table.identity:
            value = CommentedMap(category=guess.category, identity="email")
            value.fa.set_flow_style()
            columns[guess.column] = value
            evidence.append(f"{table.identity_why}: proposed identity")
        else:
            columns[guess.column] = guess.category
        # Column 0: one space before each '#', whatever the line's length.
        columns.yaml_add_eol_comment("; ".join(evidence), guess.column, column=0)
    if columns:
        body["columns"] = columns
    notes = _notes(table)
    if notes and body:
        body.yaml_set_comment_before_after_key(
            next(iter(body)), before="\n".join(notes), indent=TABLE_INDENT
        )
    return body


def _link_yaml(link: DraftLink) -> CommentedMap:
    on = CommentedMap(link.on)
    on.fa.set_flow_style()
    entry = CommentedMap(table=link.table, on=on)
    if link.shared:
        entry["shared"] = True
    entry.fa.set_flow_style()
    return entry


def _link_why(link: DraftLink) -> str:
    if link.foreign_key is not None:
        return f"foreign key to {link.table}, ON DELETE {link.foreign_key.on_delete}"
    shared = ", shared: a row may belong to several people" if link.shared else ""
    return f"back through the link table {link.table}{shared}"


def _notes(table: TableDraft) -> list[str]:
    notes = []
    if table.root and table.identity:
        notes.append("rows are people: add 'subject: <id>' from your subjects section")
    elif table.root:
        notes.append(f"about people, but {table.identity_why}")
    elif not table.links:
        notes.append("no identity and no foreign key to a person: add a link, or leave it out")
    for found in table.value_links:
        counts = f"{found.found}/{found.distinct} sampled distinct values"
        target = f"{found.table}.{found.referred_column}"
        if found.same_people:
            notes.append(
                f"{found.column}: {counts} are also in {target}: the same people, "
                "found by the same identity (no foreign key)"
            )
        else:
            link = f"{{table: {found.table}, on: {{{found.column}: {found.referred_column}}}}}"
            notes.append(
                f"{found.column} has no foreign key, but {counts} are in {target}: "
                f"if it is a link, add {link} to links"
            )
    if table.other_keys:
        keys = ", ".join(
            f"{'+'.join(fk.columns)} -> {fk.referred_table}.{'+'.join(fk.referred_columns)}"
            for fk in table.other_keys
        )
        notes.append(f"other foreign keys, not how these rows reach a person: {keys}")
    if table.not_personal:
        notes.append(f"not personal-looking: {', '.join(table.not_personal)}")
    return notes
