"""Facts several lint rules need, read off a declaration: bases, categories held, places.

Each helper answers one question about the model and, where a rule must point somewhere,
returns the YAML path of the entry that carries the fact.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pledge.declaration.lint.base import LintContext
from pledge.declaration.model import Activity, Declaration
from pledge.declaration.yaml_source import PathKey
from pledge.errors import Position, Problem

# Bases a person can take back; withdrawing must be as easy as giving (GDPR Art. 7(3),
# PIPEDA principle 4.3.8 for Canada's express and implied consent).
CONSENT_BASES = frozenset({"consent", "express_consent", "implied_consent"})

# Jurisdictions with ePrivacy-style rules on cookies and electronic marketing: PECR in the
# UK, the ePrivacy Directive in the EU, and its French transposition (CPCE L.34-5).
EPRIVACY = ("uk", "eu", "fr")

ANY_JURISDICTION = "*"


def bases_by_jurisdiction(d: Declaration, activity: Activity) -> dict[str, list[str]]:
    """The activity's bases per declared jurisdiction; one basis for all is spread out."""
    given = activity.legal_basis
    if ANY_JURISDICTION in given:
        return {code: list(given[ANY_JURISDICTION]) for code in d.organisation.jurisdictions}
    return {code: list(bases) for code, bases in given.items()}


def all_bases(activity: Activity) -> set[str]:
    return {basis for bases in activity.legal_basis.values() for basis in bases}


def basis_path(activity_name: str, activity: Activity, jurisdiction: str) -> PathKey:
    """Where the basis for `jurisdiction` is written: its own key, or `legal_basis` itself."""
    at: PathKey = ("activities", activity_name, "legal_basis")
    if ANY_JURISDICTION in activity.legal_basis:
        return at
    return (*at, jurisdiction)


def first_basis_path(activity_name: str, activity: Activity, wanted: frozenset[str]) -> PathKey:
    """The first place in `legal_basis` that names one of the `wanted` bases."""
    for code, bases in activity.legal_basis.items():
        if wanted.intersection(bases):
            return basis_path(activity_name, activity, code)
    return ("activities", activity_name, "legal_basis")


def activity_categories(d: Declaration) -> set[str]:
    """Every category some activity declares: the categories that have a purpose."""
    return {category for activity in d.activities.values() for category in activity.categories}


@dataclass(frozen=True)
class ColumnPlace:
    """A mapped column: where it is written, its table, and the category it holds."""

    path: PathKey
    source: str
    table: str
    column: str
    category: str
    table_activities: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.table}.{self.column}"


def columns(d: Declaration) -> Iterator[ColumnPlace]:
    for source_name, source in d.sources.items():
        for table_name, table in source.tables.items():
            for column_name, column in table.columns.items():
                path = ("sources", source_name, "tables", table_name, "columns", column_name)
                yield ColumnPlace(
                    path,
                    source_name,
                    table_name,
                    column_name,
                    column.category,
                    tuple(table.activities),
                )


def held_categories(d: Declaration) -> set[str]:
    """Categories the company holds: declared by an activity or mapped to a column."""
    return activity_categories(d) | {place.category for place in columns(d)}


def sells_or_shares(d: Declaration) -> bool:
    """Whether any activity or recipient is declared as a sale or share (CCPA/CPRA)."""
    activities = any(a.sale or a.share for a in d.activities.values())
    return activities or any(r.sale or r.share for r in d.recipients.values())


def warn_in_section(ctx: LintContext, code: str, path: PathKey, message: str, hint: str) -> Problem:
    """A warning at `path`, or about the whole file when its section is not written at all.

    A missing section has no line of its own; pointing at line 1 (`pledge: 1`) would
    suggest the wrong place, so the warning names only the file.
    """
    if (path[0],) in ctx.document.key_positions:
        return ctx.warn(code, path, message, hint)
    where = Position(ctx.document.file)
    return Problem(where, message, hint, severity="warning", code=code)
