"""The retention rules of each declared table, compiled into what a sweep can judge.

A table lists its rules (`retention: [...]`) and maps triggers to its columns (`timestamps`).
Each rule becomes a `RuleRetention`: the column holding its trigger's date, or the note that
Pledge records that trigger itself (an objection, a withdrawal of consent, an account closed,
a relationship or a contract ended: `pledge.retention.people`), and whether it is a legal hold
(`required_by`) or ends at once on an objection. A rule the sweep cannot judge (no duration,
no trigger, a trigger with no column that Pledge does not record either) never expires, so
its table's rows are kept, and `problem` says why.

The notice's promised maximum (`notice.maximum_retention`, "no purpose longer than 2 years")
bounds every rule that is not a legal hold: a longer rule, or one with no duration, counts
that maximum from its trigger. A legal hold's period is the law's; `pledge check` warns
RET-CAP-CONFLICT when it breaks the promise.

A rule with an `archive` has two ends: its `duration` ends the active period, after which
the sweep moves the row to the archive in Pledge's store (pledge.retention.sweep_archive),
and `life` (the active period, then the archive) ends its whole life, after which the row
is deleted, from the archive or, when the sweep comes late, straight from the table. The
notice's maximum bounds the whole life: a rule whose active period reaches it has no archive.

The table's action is the gentler of its rules': anonymise when any rule says so, else delete.
A table that anonymises keeps its rows in place, so the archive of its other rules is unused.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from pledge.declaration.durations import Duration
from pledge.declaration.lint.rules_processing import longer
from pledge.declaration.model import Declaration, RetentionRule, Table, text
from pledge.retention.cutoffs import Period, Phases

Action = Literal["delete", "anonymise"]
Place = tuple[str, str]

# Triggers Pledge itself records per person, used when a table has no column for them.
RECORDED = ("objection", "consent_withdrawn", "account_closed", "relationship_end", "contract_end")
# No contact since collection: a row with no last-contact date counts from its collection.
FALLBACKS = {"last_contact": "collected"}


@dataclass(frozen=True)
class RuleRetention:
    """One rule as it applies to one table."""

    name: str
    duration: Period | None  # the active period, when the rule has an archive
    trigger: str | None
    column: str | None  # the table's column holding the trigger's date
    fallback: str | None  # the column counted from when `column` is NULL
    recorded: bool  # the date comes from what Pledge recorded about the row's person
    action: Action
    required_by: str | None  # set: a legal hold, the law that requires it (English)
    ends_on_objection: bool
    objection_column: str | None  # the table's own date of an objection, if it has one
    problem: str | None = None  # why the sweep cannot judge it: it never expires here
    # With an archive: the active period, then the archive. None: the rule has no archive.
    life: Phases | None = None

    @property
    def hold(self) -> bool:
        return self.required_by is not None

    def whole(self) -> RuleRetention:
        """The rule as it ends for good: its archive, if it has one, counted in."""
        if self.life is None:
            return self
        return dataclasses.replace(self, duration=self.life, life=None)


@dataclass(frozen=True)
class TableRetention:
    """A declared table with rules: what keeps its rows and what happens when none does."""

    source: str
    table: str
    rules: tuple[RuleRetention, ...]
    action: Action

    @property
    def place(self) -> Place:
        return (self.source, self.table)

    @property
    def name(self) -> str:
        return f"{self.source}.{self.table}"

    @property
    def rule_names(self) -> tuple[str, ...]:
        return tuple(rule.name for rule in self.rules)

    @property
    def archives(self) -> bool:
        """Whether rows leave the table for the archive before they are deleted."""
        return self.action == "delete" and any(rule.life is not None for rule in self.rules)

    def whole(self) -> TableRetention:
        """The table as its rows end for good, archives counted in."""
        return dataclasses.replace(self, rules=tuple(rule.whole() for rule in self.rules))

    @property
    def problems(self) -> tuple[str, ...]:
        found = [f"{self.name}: {rule.problem}" for rule in self.rules if rule.problem is not None]
        if self.action == "anonymise":
            found += [
                f"{self.name}: rule {rule.name} has an archive, but the table's rows are "
                "anonymised in place: none is archived"
                for rule in self.rules
                if rule.life is not None
            ]
        return tuple(found)


def compile_retention(declaration: Declaration) -> list[TableRetention]:
    """Every declared source table with at least one rule, in declaration order."""
    compiled = []
    for source_name, source in declaration.sources.items():
        for table_name, table in source.tables.items():
            rules = tuple(
                _rule(declaration, name, table) for name in dict.fromkeys(table.retention)
            )
            if not rules:
                continue
            action: Action = (
                "anonymise" if any(r.action == "anonymise" for r in rules) else "delete"
            )
            compiled.append(TableRetention(source_name, table_name, rules, action))
    return compiled


def _rule(declaration: Declaration, name: str, table: Table) -> RuleRetention:
    rule = declaration.retention.get(name)
    if rule is None:
        # A loaded declaration has no such reference; a hand-built one might.
        return RuleRetention(
            name=name,
            duration=None,
            trigger=None,
            column=None,
            fallback=None,
            recorded=False,
            action="delete",
            required_by=None,
            ends_on_objection=False,
            objection_column=None,
            problem=f"rule {name} is not declared under `retention`: its rows are kept",
        )
    trigger = rule.trigger
    column = table.timestamps.get(trigger) if trigger else None
    fallback_trigger = FALLBACKS.get(trigger or "")
    fallback = table.timestamps.get(fallback_trigger) if fallback_trigger else None
    recorded = column is None and trigger in RECORDED
    required_by = text(rule.required_by, "en") if rule.required_by else None
    duration: Duration | None = rule.duration
    cap = declaration.notice.maximum_retention
    life = _life(rule, cap)
    if cap is not None and required_by is None and (duration is None or longer(duration, cap)):
        duration = cap
    return RuleRetention(
        name=name,
        duration=duration,
        trigger=trigger,
        column=column,
        fallback=fallback if column is not None else None,
        recorded=recorded,
        action=rule.action,
        required_by=required_by,
        ends_on_objection=rule.ends_on_objection,
        objection_column=table.timestamps.get("objection"),
        problem=_problem(name, duration, trigger, column, recorded),
        life=life,
    )


def _life(rule: RetentionRule, cap: Duration | None) -> Phases | None:
    """The rule's active period then its archive, bounded by the notice's maximum; None
    without an archive, or when the active period alone reaches the maximum."""
    if rule.archive is None or rule.duration is None or rule.required_by is not None:
        return None
    if cap is not None and longer(rule.duration, cap):
        return None
    return Phases(rule.duration, rule.archive, cap)


def _problem(
    name: str, duration: Period | None, trigger: str | None, column: str | None, recorded: bool
) -> str | None:
    if duration is None:
        return f"rule {name} has no duration, so it never ends: its rows are kept"
    if trigger is None:
        return f"rule {name} has no trigger to count its {duration} from: its rows are kept"
    if column is None and not recorded:
        return (
            f"rule {name} counts from '{trigger}', which the table maps to no column under "
            "`timestamps` and Pledge does not record: its rows are kept"
        )
    return None
