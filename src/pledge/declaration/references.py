"""Checking that every id one section names is declared in another.

Pydantic checks shapes; this checks meaning that spans sections: an activity's category
must exist in the taxonomy or in `categories`, its retention rule in `retention`, a table's
link must point at a declared table, and so on. Each miss names the place and suggests the
closest declared id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pledge.declaration.jurisdictions import jurisdiction_codes
from pledge.declaration.model import TRIGGERS, Declaration
from pledge.declaration.pydantic_problems import dotted, suggest
from pledge.declaration.taxonomy import builtin_categories
from pledge.declaration.yaml_source import PathKey, YamlDocument
from pledge.errors import Problem

BUILTIN_ORIGINS = ("subject", "automatic")
TRANSFER_REGIONS = ("home", "eea", "uk", "adequate")
NO_LEGAL_BASIS_NEEDED = ("us-ca",)


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
        at = ("rights", "verification", "access_match")
        self._ids("category", d.rights.verification.access_match, self.categories, at)
        if d.children:
            self._ids("category", d.children.age_from, self.categories, ("children", "age_from"))
        if d.transfers:
            allowed = [a for a in d.transfers.allowed if not (len(a) == 2 and a.isupper())]
            self._ids("transfer region", allowed, TRANSFER_REGIONS, ("transfers", "allowed"))
        self._sources()
        return self.problems

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
                    where = (*at, "columns", column)
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
        self._keys("jurisdiction", {k: v for k, v in bases.items() if k != "*"}, declared, at)
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
        hint = suggest(name, choices)
        if not hint:
            shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
            hint = f"declare it first; known: {shown}" if choices else f"no {kind} is declared"
        self.problems.append(Problem(self.doc.where(at, key=key), f"unknown {kind} '{name}'", hint))
