"""What the package tells the person besides their data: why, from where, to whom, how long.

Each table is explained from the declaration: the activities that use it with their legal
basis, where those activities get data, the recipients that receive the table's categories,
and the retention rules that apply. The portability variant (Art. 20) keeps only tables an
activity resting on consent or contract uses, and only data the person provided, and says
what it left out. The words come from the declaration and `pledge.declaration.vocabulary`.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from pledge.declaration.model import Activity, Declaration, Table, text
from pledge.declaration.vocabulary import basis_with_article, capitalised, known, label
from pledge.records.ropa import category_name, country_name, is_gdpr
from pledge.records.wording import labelled, retention_words
from pledge.sources.access import SharedRow, TableAccess

# Art. 20(1)(a): consent (6(1)(a), 9(2)(a)) or a contract, steps before one included (6(1)(b)).
PORTABLE_BASES = frozenset(
    {"consent", "express_consent", "implied_consent", "contract", "pre_contract"}
)

PHRASES: dict[str, tuple[str, str]] = {
    "title": ("Your data held by", "Vos données détenues par"),
    "portable_title": ("Your data to take elsewhere, from", "Vos données à emporter, de"),
    "request": ("Request", "Demande"),
    "generated": ("Prepared on", "Préparé le"),
    "intro": (
        "This report lists, table by table, the data we hold about you, why we use it, "
        "where it comes from, who receives it and how long we keep it. The same data is in "
        "data.json, data.xlsx and one CSV file per table.",
        "Ce rapport présente, table par table, les données que nous détenons sur vous, "
        "pourquoi nous les utilisons, d'où elles viennent, qui les reçoit et combien de temps "
        "nous les gardons. Les mêmes données figurent dans data.json, data.xlsx et un "
        "fichier CSV par table.",
    ),
    "portable_intro": (
        "This copy is for moving your data to another service (right to data portability). "
        "It holds the data you gave us, or that your use of our service produced, that we "
        "use with your consent or to perform a contract with you.",
        "Cette copie sert à transférer vos données vers un autre service (droit à la "
        "portabilité). Elle contient les données que vous nous avez fournies, ou que votre "
        "usage de notre service a produites, et que nous utilisons avec votre consentement "
        "ou pour exécuter un contrat avec vous.",
    ),
    "holds": ("What it holds", "Ce qu'elle contient"),
    "why": ("Why we use it", "Pourquoi nous l'utilisons"),
    "from": ("Where it comes from", "D'où elle vient"),
    "shared_with": ("Who receives it", "Qui la reçoit"),
    "kept": ("How long we keep it", "Combien de temps nous la gardons"),
    "records": ("Your records", "Vos enregistrements"),
    "no_records": ("No record of yours in this table.", "Aucun enregistrement vous concernant."),
    "nobody": ("Nobody outside our company.", "Personne en dehors de notre entreprise."),
    "not_declared": ("Not stated.", "Non précisé."),
    "shared": (
        "a record you share with someone else, holding",
        "un enregistrement que vous partagez avec une autre personne, contenant",
    ),
    "shared_note": (
        "Records you share with someone else are described, not copied: their contents "
        "are also that person's data.",
        "Les enregistrements que vous partagez avec une autre personne sont décrits, sans "
        "leur contenu : celui-ci concerne aussi cette personne.",
    ),
    "key": ("internal record number", "numéro interne d'enregistrement"),
    "left_out": ("What this copy leaves out, and why", "Ce que cette copie omet, et pourquoi"),
    "left_table": (
        "used neither with your consent nor under a contract with you (it rests on: {bases})",
        "utilisée ni avec votre consentement, ni pour un contrat avec vous (fondement : {bases})",
    ),
    "left_column": (
        "column {column} ({category}): we derived it ourselves, you did not provide it",
        "colonne {column} ({category}) : nous l'avons déduite, vous ne l'avez pas fournie",
    ),
    "contact": ("Questions about this report", "Questions sur ce rapport"),
    "none": ("none", "aucun"),
}


def say(key: str, lang: str) -> str:
    english, french = PHRASES[key]
    return french if lang == "fr" else english


def plain(value: Any) -> Any:
    """A value as JSON holds it: numbers, text, true/false, null; dates in ISO 8601."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return "base64:" + base64.b64encode(bytes(value)).decode()
    return str(value)


def table_title(table: TableAccess) -> str:
    return f"{table.source}.{table.table}"


def declared_table(declaration: Declaration, table: TableAccess) -> Table:
    source = declaration.sources.get(table.source)
    return (source.tables.get(table.table) if source else None) or Table()


def is_derived(category: str) -> bool:
    """Data we inferred or computed, not data the person provided or their use produced."""
    parts = category.split(".")
    return parts[0] == "inference" or "derived" in parts


@dataclass(frozen=True)
class LeftOut:
    table: str  # source.table
    column: str | None  # None: the whole table
    category: str | None
    bases: tuple[str, ...]

    def words(self, declaration: Declaration, lang: str) -> str:
        if self.column is None:
            bases = ", ".join(label("basis", b, lang) for b in self.bases) or say("none", lang)
            said = say("left_table", lang).format(bases=bases)
        else:
            name = category_name(declaration, self.category or "", lang)
            said = say("left_column", lang).format(column=self.column, category=name)
        return labelled(self.table, said, lang)


def portable(
    declaration: Declaration, tables: Iterable[TableAccess]
) -> tuple[tuple[TableAccess, ...], tuple[LeftOut, ...]]:
    """The tables and columns Art. 20 covers, and what was left out of them."""
    kept: list[TableAccess] = []
    left: list[LeftOut] = []
    for table in tables:
        bases = _bases(_activities(declaration, table))
        if not set(bases) & PORTABLE_BASES:
            left.append(LeftOut(table_title(table), None, None, bases))
            continue
        derived = {c: k for c, k in table.columns.items() if k is not None and is_derived(k)}
        left.extend(LeftOut(table_title(table), c, k, ()) for c, k in derived.items())
        columns = {c: k for c, k in table.columns.items() if c not in derived}
        rows = tuple({c: row[c] for c in columns} for row in table.rows)
        shared = tuple(
            SharedRow(tuple(k for k in s.categories if not is_derived(k))) for s in table.shared
        )
        kept.append(dataclasses.replace(table, columns=columns, rows=rows, shared=shared))
    return tuple(kept), tuple(left)


def _activities(declaration: Declaration, table: TableAccess) -> list[Activity]:
    names = declared_table(declaration, table).activities
    return [declaration.activities[n] for n in names if n in declaration.activities]


def _bases(activities: Iterable[Activity]) -> tuple[str, ...]:
    found = (b for a in activities for bases in a.legal_basis.values() for b in bases)
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Purpose:
    name: str
    description: str
    bases: str
    reason: str  # the interests pursued or the obligation, when the basis calls for one


@dataclass(frozen=True)
class TableStory:
    title: str
    description: str
    categories: tuple[str, ...]
    purposes: tuple[Purpose, ...]
    origins: tuple[str, ...]
    recipients: tuple[str, ...]
    retention: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    shared: tuple[str, ...]


def shared_words(declaration: Declaration, row: SharedRow, lang: str) -> str:
    names = ", ".join(category_name(declaration, c, lang) for c in row.categories)
    return f"{say('shared', lang)}: {names or say('none', lang)}"


def story(declaration: Declaration, table: TableAccess, lang: str) -> TableStory:
    declared = declared_table(declaration, table)
    activities = _activities(declaration, table)
    categories = tuple(dict.fromkeys(k for k in table.columns.values() if k is not None))
    gdpr = any(is_gdpr(code) for code in declaration.organisation.jurisdictions)
    purposes = tuple(
        Purpose(
            text(a.name, lang),
            text(a.description, lang),
            ", ".join(basis_with_article(b, lang, gdpr=gdpr) for b in _bases([a])),
            text(a.legitimate_interests, lang) or text(a.legal_obligation, lang),
        )
        for a in activities
    )
    origins = (
        capitalised(label("origin", o, lang))
        if known("origin", o)
        else text(declaration.origins[o].name, lang)
        for a in activities
        for o in a.collected_from
        if known("origin", o) or o in declaration.origins
    )
    rule_names = declared.retention or [r for a in activities for r in a.retention]
    rules = (
        declaration.retention[r] for r in dict.fromkeys(rule_names) if r in declaration.retention
    )
    cells = tuple(tuple(_cell(row[c]) for c in table.columns) for row in table.rows)
    return TableStory(
        title=table_title(table),
        description=text(declared.description, lang),
        categories=tuple(category_name(declaration, c, lang) for c in categories),
        purposes=purposes,
        origins=tuple(dict.fromkeys(origins)),
        recipients=_recipients(declaration, activities, set(categories), lang),
        retention=tuple(
            labelled(text(r.name, lang), retention_words(r, lang), lang) for r in rules
        ),
        columns=tuple(table.columns),
        rows=cells,
        shared=tuple(shared_words(declaration, s, lang) for s in table.shared),
    )


def _recipients(
    declaration: Declaration, activities: Iterable[Activity], categories: set[str], lang: str
) -> tuple[str, ...]:
    said: dict[str, None] = {}
    for name in (r for a in activities for r in a.recipients):
        recipient = declaration.recipients.get(name)
        # A recipient that lists its categories receives this table only if they meet.
        if recipient is None or (
            recipient.categories and not categories & set(recipient.categories)
        ):
            continue
        where = country_name(recipient.country, lang) if recipient.country else ""
        kind = ", ".join(p for p in (label("recipient_kind", recipient.kind, lang), where) if p)
        purpose = text(recipient.purpose, lang)
        line = f"{text(recipient.name, lang)} ({kind})"
        said[labelled(line, purpose, lang) if purpose else line] = None
    return tuple(said)


def _cell(value: Any) -> str:
    shown = plain(value)
    return "" if shown is None else str(shown)


_ENVIRONMENT = Environment(
    loader=PackageLoader("pledge.rights", "templates"),
    autoescape=True,  # every value is the person's data, or a company's words: all text
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render_report(
    declaration: Declaration,
    tables: Iterable[TableAccess],
    left_out: Iterable[LeftOut],
    *,
    lang: str,
    request_ref: str,
    generated_at: datetime,
    portability: bool,
) -> str:
    organisation = declaration.organisation
    words: Mapping[str, str] = {key: say(key, lang) for key in PHRASES}
    return _ENVIRONMENT.get_template("report.html.j2").render(
        lang=lang,
        t=words,
        colon=" :" if lang == "fr" else ":",
        sep=" ; " if lang == "fr" else "; ",
        organisation=organisation.legal_name or organisation.name,
        contact=organisation.email or "",
        request_ref=request_ref,
        generated_at=generated_at.isoformat(timespec="seconds"),
        portability=portability,
        stories=[story(declaration, table, lang) for table in tables],
        left_out=[item.words(declaration, lang) for item in left_out],
    )
