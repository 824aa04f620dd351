"""Checking that every id one section names is declared in another.

Pydantic checks shapes; this checks meaning that spans sections: an activity's category
must exist in the taxonomy or in `categories`, its retention rule in `retention`, a table's
link must point at a declared table, and so on. Each miss names the place and suggests the
closest declared id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from babel import Locale

from pledge.declaration.jurisdictions import jurisdiction_codes
from pledge.declaration.model import TRIGGERS, Declaration
from pledge.declaration.pydantic_problems import dotted, suggest
from pledge.declaration.taxonomy import builtin_categories
from pledge.declaration.yaml_source import PathKey, YamlDocument
from pledge.errors import Problem

BUILTIN_ORIGINS = ("subject", "automatic")

# Where each kind of id is declared, for the hint when a reference matches nothing.
DECLARED_IN = {
    "subject": "subjects",
    "origin": "origins",
    "recipient": "recipients",
    "retention rule": "retention",
    "channel": "channels",
    "activity": "activities",
    "table": "sources.<source>.tables",
}
# Kinds whose ids are fixed by Pledge, not declared: the hint says what they are.
FIXED_VOCABULARIES = {
    "jurisdiction": "use one of the built-in jurisdictions: {choices}",
    "transfer region": "use a region ({choices}) or a country's ISO code, e.g. US",
    "retention trigger": "timestamps map a retention trigger to the column holding its date; "
    "use one of: {choices}",
}
TRANSFER_REGIONS = ("home", "eea", "uk", "adequate")
# ISO 3166-1 alpha-2 codes as CLDR knows them (it adds EU for the European Union).
COUNTRY_CODES = frozenset(
    code for code in Locale("en").territories if isinstance(code, str) and code.isalpha()
)
# The CCPA and the Swiss FADP do not make processing depend on one of a list of bases.
NO_LEGAL_BASIS_NEEDED = ("us-ca", "ch")


class ReferenceChecker:
    def __init__(self, declaration: Declaration, doc: YamlDocument) -> None:
        self.d = declaration
        self.doc = doc
        self.problems: list[Problem] = []
        self.categories = sorted({*builtin_categories(), *declaration.categories})

    def check(self) -> list[Problem]:
        d = self.d
        codes = jurisdiction_codes()
        at: PathKey = ("organisation", "jurisdictions")
        self._ids("jurisdiction", d.organisation.jurisdictions, codes, at)
        for section in ("authorities", "representatives"):
            used = getattr(d.organisation, section)
            self._keys("jurisdiction", used, codes, ("organisation", section))
        for name, activity in d.activities.items():
            at = ("activities", name)
            self._ids("subject", activity.subjects, d.subjects, (*at, "subjects"))
            self._ids("category", activity.categories, self.categories, (*at, "categories"))
            origins = (*BUILTIN_ORIGINS, *d.origins)
            self._ids("origin", activity.collected_from, origins, (*at, "collected_from"))
            self._ids("recipient", activity.recipients, d.recipients, (*at, "recipients"))
            self._ids("retention rule", activity.retention, d.retention, (*at, "retention"))
            self._ids("channel", activity.withdraw, d.channels, (*at, "withdraw"))
            self._ids("channel", activity.opt_out, d.channels, (*at, "opt_out"))
            self._legal_bases(activity.legal_basis, (*at, "legal_basis"))
        for name, recipient in d.recipients.items():
            at = ("recipients", name, "categories")
            self._ids("category", recipient.categories, self.categories, at)
        for name, rule in d.retention.items():
            at = ("retention", name, "categories")
            self._ids("category", rule.categories, self.categories, at)
        self._ids("channel", d.rights.channels, d.channels, ("rights", "channels"))
        for right, offered in d.rights.offered.items():
            at = ("rights", "offered", right, "channels")
            self._ids("channel", offered.channels, d.channels, at)
        if d.rights.verification is not None:
            at = ("rights", "verification", "access_match")
            self._ids("category", d.rights.verification.access_match, self.categories, at)
        if d.children:
            self._ids("category", d.children.age_from, self.categories, ("children", "age_from"))
        if d.transfers:
            allowed = [a for a in d.transfers.allowed if not (len(a) == 2 and a.isupper())]
            self._ids("transfer region", allowed, TRANSFER_REGIONS, ("transfers", "allowed"))
        self._countries()
        self._sources()
        # A value shared through a YAML anchor is checked once per use but written once.
        return list(dict.fromkeys(self.problems))

    def _countries(self) -> None:
        d = self.d
        self._country(d.organisation.country, ("organisation", "country"))
        for name, recipient in d.recipients.items():
            self._country(recipient.country, ("recipients", name, "country"))
        if d.transfers:
            for section in ("storage", "allowed"):
                for index, code in enumerate(getattr(d.transfers, section)):
                    if len(code) == 2 and code.isupper():
                        self._country(code, ("transfers", section, index))

    def _country(self, code: str | None, at: PathKey) -> None:
        if code is None or code in COUNTRY_CODES:
            return
        # "UK" is the usual slip: ISO 3166 writes the United Kingdom as GB.
        hint = "use an ISO 3166-1 alpha-2 code, e.g. GB, FR, US"
        if code == "UK":
            hint = "did you mean 'GB'?"
        self.problems.append(Problem(self.doc.where(at), f"unknown country code '{code}'", hint))

    def _sources(self) -> None:
        d = self.d
        all_tables = {f"{s}.{t}" for s, source in d.sources.items() for t in source.tables}
        for source_name, source in d.sources.items():
            for table_name, table in source.tables.items():
                at: PathKey = ("sources", source_name, "tables", table_name)
                if table.subject is not None:
                    self._ids("subject", [table.subject], d.subjects, (*at, "subject"), single=True)
                self._ids("activity", table.activities, d.activities, (*at, "activities"))
                self._ids("retention rule", table.retention, d.retention, (*at, "retention"))
                self._keys("retention trigger", table.timestamps, TRIGGERS, (*at, "timestamps"))
                for column, spec in table.columns.items():
                    # `{category: x, ...}` points at x; the shorthand `col: x` at the column.
                    where = (*at, "columns", column, "category")
                    if spec.category not in self.categories:
                        self._unknown("category", spec.category, self.categories, where)
                local = sorted(source.tables)
                for index, link in enumerate(table.links):
                    target = link.table if "." in link.table else f"{source_name}.{link.table}"
                    if target not in all_tables:
                        choices = [*local, *sorted(all_tables)]
                        self._unknown("table", link.table, choices, (*at, "links", index, "table"))

    def _legal_bases(self, bases: Mapping[str, object], at: PathKey) -> None:
        declared = self.d.organisation.jurisdictions
        known = jurisdiction_codes()
        for code in bases:
            if code == "*" or code in declared:
                continue
            if code not in known:
                self._unknown("jurisdiction", code, sorted(known), (*at, code), key=True)
                continue
            self.problems.append(
                Problem(
                    self.doc.where((*at, code), key=True),
                    f"legal basis for jurisdiction '{code}', which organisation.jurisdictions "
                    "does not list",
                    f"add '{code}' to organisation.jurisdictions, or remove this basis",
                )
            )
        if "*" in bases:
            return
        for code in declared:
            if code not in bases and code not in NO_LEGAL_BASIS_NEEDED:
                self.problems.append(
                    Problem(
                        self.doc.where(at, key=True),
                        f"missing legal basis for jurisdiction '{code}' in {dotted(at[:-1])}",
                        f"add '{code}: <basis>' under legal_basis, or give one basis for all",
                    )
                )

    def _ids(
        self,
        kind: str,
        used: Iterable[str],
        declared: Iterable[str],
        at: PathKey,
        *,
        single: bool = False,
    ) -> None:
        choices = sorted(declared)
        for index, name in enumerate(used):
            if name not in choices:
                self._unknown(kind, name, choices, at if single else (*at, index))

    def _keys(
        self, kind: str, used: Mapping[str, object], declared: Iterable[str], at: PathKey
    ) -> None:
        choices = sorted(declared)
        for name in used:
            if name not in choices:
                self._unknown(kind, name, choices, (*at, name), key=True)

    def _unknown(
        self, kind: str, name: str, choices: list[str], at: PathKey, *, key: bool = False
    ) -> None:
        hint = suggest(name, choices) or self._fallback_hint(kind, name, choices)
        self.problems.append(Problem(self.doc.where(at, key=key), f"unknown {kind} '{name}'", hint))

    def _fallback_hint(self, kind: str, name: str, choices: list[str]) -> str:
        """What to do when no declared id is close to `name`."""
        if kind in FIXED_VOCABULARIES:
            return FIXED_VOCABULARIES[kind].format(choices=", ".join(choices))
        section = DECLARED_IN.get(kind, kind)
        if kind == "category":
            group = name.partition(".")[0]
            same_group = [c for c in builtin_categories() if c.partition(".")[0] == group]
            if same_group:
                return (
                    f"declare it under 'categories', or use a built-in '{group}' category: "
                    + ", ".join(same_group)
                )
            return (
                "declare it under 'categories' with a name, or use a built-in id such as "
                "'contact.email'"
            )
        if not choices:
            return f"no {kind} is declared: add it under '{section}'"
        shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
        return f"declare it under '{section}' first; declared: {shown}"
