"""`pledge check --live`: the declared sources against the databases they describe.

Errors are names the database does not have (tables, columns, link and timestamp columns);
warnings are what the declaration may have missed: a personal-looking column left unmapped,
an identity column with duplicates. A link without a foreign key is only a note: Pledge
follows it on trust. Every finding carries the `file:line:col` of the key it is about.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from pledge.declaration.load import LoadedDeclaration
from pledge.declaration.model import Link, Source, Table
from pledge.declaration.pydantic_problems import suggest
from pledge.errors import PledgeError, Problem
from pledge.sources.columns import DEFAULT_SAMPLE, duplicated_values
from pledge.sources.connect import open_source
from pledge.sources.mapping import SourceDraft, draft_source
from pledge.sources.schema import SchemaInfo, TableInfo, reflect_schema

PERSONAL_COLUMN_UNMAPPED = "PERSONAL-COLUMN-UNMAPPED"
LINK_WITHOUT_CONSTRAINT = "LINK-WITHOUT-CONSTRAINT"
IDENTITY_NOT_UNIQUE = "IDENTITY-NOT-UNIQUE"


@dataclass(frozen=True)
class Note(Problem):
    """A finding that asks for no change, printed as `info:`; `--strict` ignores it."""

    def __str__(self) -> str:
        text = f"{self.where}: info: {self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text + (f" [{self.code}]" if self.code else "")


@dataclass
class _Live:
    engine: Engine
    schema: SchemaInfo
    draft: SourceDraft


def check_live(
    loaded: LoadedDeclaration,
    environ: Mapping[str, str] | None = None,
    sample: int = DEFAULT_SAMPLE,
    today: date | None = None,
) -> list[Problem]:
    """Every finding about the declared sources, in the order of the file."""
    checker = _Checker(loaded, sample, today or date.today())
    live: dict[str, _Live] = {}
    try:
        for name, source in loaded.declaration.sources.items():
            opened = checker.open(name, source, environ)
            if opened is not None:
                live[name] = opened
        for name, source in loaded.declaration.sources.items():
            if name in live:
                checker.source(name, source, live)
    finally:
        for opened in live.values():
            opened.engine.dispose()
    return sorted(checker.problems, key=lambda p: p.where)


class _Checker:
    def __init__(self, loaded: LoadedDeclaration, sample: int, today: date) -> None:
        self.doc = loaded.document
        self.sample = sample
        self.today = today
        self.problems: list[Problem] = []

    def open(self, name: str, source: Source, environ: Mapping[str, str] | None) -> _Live | None:
        at = ("sources", name, "url_env")
        try:
            engine = open_source(name, source, environ)
        except PledgeError as exc:
            self._error(at, exc.message, exc.hint, key=False)
            return None
        try:
            schema = reflect_schema(engine)
            draft = draft_source(engine, name, source.url_env, self.sample, self.today)
        except OperationalError as exc:
            engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "connection failed"
            hint = f"check the URL in {source.url_env} and that the server is running"
            self._error(at, f"source '{name}': cannot read the database: {reason}", hint, key=False)
            return None
        except PledgeError as exc:
            engine.dispose()
            self._error(at, f"source '{name}': {exc.message}", exc.hint, key=False)
            return None
        return _Live(engine, schema, draft)

    def source(self, name: str, source: Source, live: dict[str, _Live]) -> None:
        schema = live[name].schema
        for table_name, table in source.tables.items():
            at = ("sources", name, "tables", table_name)
            info = schema.tables.get(table_name)
            if info is None:
                message = f"source '{name}' has no table '{table_name}'"
                self._error(at, message, _did_you_mean(table_name, schema.tables, "tables"))
                continue
            self._columns(at, info, table)
            self._timestamps(at, info, table)
            for index, link in enumerate(table.links):
                self._link((*at, "links", index), name, info, link, live)
            self._unmapped(at, info, table, live[name].draft)
            self._identities(at, info, table, live[name].engine)
        self._undeclared(name, source, live[name].draft)

    def _columns(self, at: tuple[str, ...], info: TableInfo, table: Table) -> None:
        for column in table.columns:
            if column not in info.columns:
                message = f"table '{info.name}' has no column '{column}'"
                self._error((*at, "columns", column), message, _did_you_mean(column, info.columns))

    def _timestamps(self, at: tuple[str, ...], info: TableInfo, table: Table) -> None:
        for trigger, column in table.timestamps.items():
            if column not in info.columns:
                message = f"timestamps: table '{info.name}' has no column '{column}'"
                hint = _did_you_mean(column, info.columns)
                self._error((*at, "timestamps", trigger), message, hint, key=False)

    def _link(
        self,
        at: tuple[str | int, ...],
        source: str,
        info: TableInfo,
        link: Link,
        live: dict[str, _Live],
    ) -> None:
        other_source, _, other_name = link.table.rpartition(".")
        other_source = other_source or source
        target = live[other_source].schema.tables.get(other_name) if other_source in live else None
        missing = False
        for mine, theirs in link.on.items():
            if mine not in info.columns:
                message = f"link to '{link.table}': table '{info.name}' has no column '{mine}'"
                self._error((*at, "on", mine), message, _did_you_mean(mine, info.columns))
                missing = True
            if target is not None and theirs not in target.columns:
                message = f"link to '{link.table}': table '{other_name}' has no column '{theirs}'"
                hint = _did_you_mean(theirs, target.columns)
                self._error((*at, "on", mine), message, hint, key=False)
                missing = True
        if missing or target is None:
            return
        pairs = ", ".join(f"{mine} = {other_name}.{theirs}" for mine, theirs in link.on.items())
        if other_source != source:
            message = f"the link from '{info.name}' to '{link.table}' ({pairs}) crosses databases"
            self._note(at, message, "no foreign key can hold it: Pledge trusts it as declared")
        elif not _constrained(info, target, link):
            message = (
                f"no foreign key holds the link from '{info.name}' to '{other_name}' ({pairs})"
            )
            hint = "Pledge trusts it as declared; index both sides, as requests join on them"
            self._note(at, message, hint)

    def _unmapped(
        self, at: tuple[str, ...], info: TableInfo, table: Table, draft: SourceDraft
    ) -> None:
        accounted = set(table.columns) | set(table.timestamps.values())
        accounted |= {column for link in table.links for column in link.on}
        where = (*at, "columns") if table.columns else at
        drafted = draft.tables.get(info.name)
        for column, guess in drafted.columns.items() if drafted else ():
            if column in accounted:
                continue
            message = (
                f"column '{column}' of table '{info.name}' looks personal but is not mapped "
                f"({guess.category}: {'; '.join(guess.evidence)})"
            )
            hint = f"map it under columns, e.g. '{column}: {guess.category}'"
            self._warn(where, message, hint, PERSONAL_COLUMN_UNMAPPED)

    def _identities(
        self, at: tuple[str, ...], info: TableInfo, table: Table, engine: Engine
    ) -> None:
        for column, spec in table.columns.items():
            if spec.identity is None or column not in info.columns:
                continue
            with engine.connect() as connection:
                repeated = duplicated_values(connection, info, column)
            if repeated:
                values = "value is" if repeated == 1 else "values are"
                message = (
                    f"identity column '{column}' of table '{info.name}' is not unique: "
                    f"{repeated} {values} on several rows"
                )
                hint = "a request would match several people: make it unique, or choose another"
                self._warn((*at, "columns", column, "identity"), message, hint, IDENTITY_NOT_UNIQUE)

    def _undeclared(self, name: str, source: Source, draft: SourceDraft) -> None:
        for table in draft.tables.values():
            if table.name in source.tables or not table.included or not table.columns:
                continue
            found = ", ".join(f"{c} ({g.category})" for c, g in table.columns.items())
            message = (
                f"table '{table.name}' is not declared, but its columns look personal: {found}"
            )
            hint = "declare it under tables; `pledge map` drafts it"
            self._warn(("sources", name, "tables"), message, hint, PERSONAL_COLUMN_UNMAPPED)

    def _error(
        self, at: Sequence[str | int], message: str, hint: str = "", *, key: bool = True
    ) -> None:
        self.problems.append(Problem(self.doc.where(at, key=key), message, hint))

    def _warn(self, at: Sequence[str | int], message: str, hint: str, code: str) -> None:
        where = self.doc.where(at, key=True)
        self.problems.append(Problem(where, message, hint, severity="warning", code=code))

    def _note(self, at: Sequence[str | int], message: str, hint: str) -> None:
        where = self.doc.where(at, key=False)
        self.problems.append(Note(where, message, hint, "warning", LINK_WITHOUT_CONSTRAINT))


def _constrained(info: TableInfo, target: TableInfo, link: Link) -> bool:
    """A foreign key of either table joins exactly the link's column pairs."""
    wanted = set(link.on.items())
    for fk in info.foreign_keys:
        pairs = set(zip(fk.columns, fk.referred_columns, strict=True))
        if fk.referred_table == target.name and pairs == wanted:
            return True
    for fk in target.foreign_keys:
        pairs = set(zip(fk.referred_columns, fk.columns, strict=True))
        if fk.referred_table == info.name and pairs == wanted:
            return True
    return False


def _did_you_mean(name: str, choices: Mapping[str, object], noun: str = "columns") -> str:
    names = list(choices)
    return suggest(name, names) or f"its {noun}: {', '.join(names)}"
