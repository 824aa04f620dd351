"""Lint rules on what is processed and for how long: categories, retention, objection.

Every rule points at the entry that has to change, and names the ids involved, so a
warning can be acted on without reading the rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from pledge.declaration.durations import Duration
from pledge.declaration.lint.base import LintContext, rule
from pledge.declaration.lint.facts import (
    activity_categories,
    all_bases,
    columns,
    first_basis_path,
)
from pledge.declaration.model import TRIGGERS, text
from pledge.declaration.yaml_source import PathKey
from pledge.errors import Problem

# Bases where the Art. 21 right to object does not apply; on these, "ends on objection"
# promises something the law does not give (a job application is withdrawn, not objected to).
NO_OBJECTION_BASES = frozenset({"contract", "pre_contract", "legal_obligation", "vital_interests"})
LEGAL_OBLIGATION = frozenset({"legal_obligation"})


@rule("CATEGORY-WITHOUT-PURPOSE")
def category_without_purpose(ctx: LintContext) -> Iterator[Problem]:
    d = ctx.declaration
    used = activity_categories(d)
    hint_drop = "data without a purpose must not be collected (GDPR Art. 5(1)(b)-(c))"
    for name in d.categories:
        if name not in used:
            yield ctx.warn(
                "CATEGORY-WITHOUT-PURPOSE",
                ("categories", name),
                f"category '{name}' is declared but no activity uses it",
                "add it to the categories of the activity that needs it, or remove it: "
                + hint_drop,
            )
    for place in columns(d):
        if place.category not in used:
            yield ctx.warn(
                "CATEGORY-WITHOUT-PURPOSE",
                place.path,
                f"column '{place.label}' holds '{place.category}', which no activity uses",
                f"add '{place.category}' to the activity this data serves, or stop keeping "
                f"the column: {hint_drop}",
            )
    for name, recipient in d.recipients.items():
        for index, category in enumerate(recipient.categories):
            if category not in used:
                yield ctx.warn(
                    "CATEGORY-WITHOUT-PURPOSE",
                    ("recipients", name, "categories", index),
                    f"recipient '{name}' receives '{category}', which no activity uses",
                    f"add '{category}' to the activity that shares it with '{name}', "
                    "or remove it from the recipient",
                    key=False,
                )


@rule("PURPOSE-NO-BASIS")
def purpose_without_basis(ctx: LintContext) -> Iterator[Problem]:
    # `legal_basis: []` is how a declaration says "the notice states none" (a missing key
    # is an error): valid to load, but processing without a basis is unlawful (Art. 6(1)).
    for name, activity in ctx.declaration.activities.items():
        empty = [code for code, bases in activity.legal_basis.items() if not bases]
        if empty:
            scope = "" if empty == ["*"] else f" for {', '.join(empty)}"
            yield ctx.warn(
                "PURPOSE-NO-BASIS",
                ("activities", name, "legal_basis"),
                f"activity '{name}' states no legal basis{scope}",
                "name the basis it relies on (GDPR Art. 6(1)): consent, contract, "
                "legal_obligation, vital_interests, public_task or legitimate_interests",
            )


@rule("COLUMN-CATEGORY-UNDECLARED")
def column_category_undeclared(ctx: LintContext) -> Iterator[Problem]:
    # A column whose category only some other activity declares: the table's own activities
    # do not say they use it, so the notice misstates what each purpose processes.
    d = ctx.declaration
    used = activity_categories(d)
    for place in columns(d):
        if not place.table_activities or place.category not in used:
            continue
        declared = [a for a in place.table_activities if place.category in _categories_of(ctx, a)]
        if not declared:
            listed = ", ".join(f"'{a}'" for a in place.table_activities)
            yield ctx.warn(
                "COLUMN-CATEGORY-UNDECLARED",
                place.path,
                f"column '{place.label}' holds '{place.category}', but none of the table's "
                f"activities ({listed}) declares it",
                f"add '{place.category}' to the categories of one of them, or list the "
                "activity that uses it under the table's 'activities'",
            )


def _categories_of(ctx: LintContext, activity: str) -> list[str]:
    found = ctx.declaration.activities.get(activity)
    return found.categories if found else []


@rule("RET-UNDEFINED")
def retention_undefined(ctx: LintContext) -> Iterator[Problem]:
    d = ctx.declaration
    for name, activity in d.activities.items():
        if not activity.retention:
            yield ctx.warn(
                "RET-UNDEFINED",
                ("activities", name),
                f"activity '{name}' has no retention rule",
                "say how long its data is kept: add 'retention: [rule]' and declare the rule "
                "under 'retention' with a duration and a trigger",
            )
    for name, retention in d.retention.items():
        if retention.duration is None and retention.criteria is None:
            yield ctx.warn(
                "RET-UNDEFINED",
                ("retention", name),
                f"retention rule '{name}' says nothing about how long data is kept",
                "give a duration and a trigger, e.g. 'duration: 2 years' and "
                "'trigger: last_contact'",
            )


@rule("RET-VAGUE")
def retention_vague(ctx: LintContext) -> Iterator[Problem]:
    for name, retention in ctx.declaration.retention.items():
        if retention.duration is None and retention.criteria is not None:
            criteria = text(retention.criteria, "en")
            yield ctx.warn(
                "RET-VAGUE",
                ("retention", name),
                f"retention rule '{name}' has criteria ('{_shorten(criteria)}') but no duration",
                "add the longest period the data may be kept, e.g. 'duration: 2 years' "
                "('0 days' ends it at the trigger); keep the criteria as the explanation",
            )


@rule("RET-TRIGGER-MISSING")
def retention_trigger_missing(ctx: LintContext) -> Iterator[Problem]:
    for name, retention in ctx.declaration.retention.items():
        if retention.duration is not None and retention.trigger is None:
            yield ctx.warn(
                "RET-TRIGGER-MISSING",
                ("retention", name),
                f"retention rule '{name}' keeps data for {retention.duration} but does not "
                "say from when",
                "add the event the period counts from, e.g. 'trigger: collected'; "
                "one of: " + ", ".join(TRIGGERS),
            )


@rule("RET-CAP-CONFLICT")
def retention_cap_conflict(ctx: LintContext) -> Iterator[Problem]:
    d = ctx.declaration
    cap = d.notice.maximum_retention
    if cap is None:
        return
    for name, retention in d.retention.items():
        duration = retention.duration
        if duration is None or not longer(duration, cap):
            continue
        message = (
            f"retention rule '{name}' keeps data for {duration}, longer than the "
            f"{cap} the notice promises as a maximum (notice.maximum_retention)"
        )
        if retention.required_by is None:
            hint = (
                f"shorten the rule to {cap} at most or raise notice.maximum_retention; if a "
                "law requires the longer period, name it with 'required_by' and state the "
                "exception in the notice"
            )
        else:
            law = text(retention.required_by, "en")
            hint = (
                f"{law} requires the longer period, but the notice still promises {cap}: "
                "state in the notice that records the law requires are kept longer, or "
                f"raise notice.maximum_retention to {duration}"
            )
        yield ctx.warn("RET-CAP-CONFLICT", ("retention", name, "duration"), message, hint)


@rule("RET-ARCHIVE-CAP")
def retention_archive_cap(ctx: LintContext) -> Iterator[Problem]:
    # The archive is still keeping: the notice's maximum bounds it too, and the sweep
    # deletes archived rows once the maximum is reached (pledge.retention.rules).
    d = ctx.declaration
    cap = d.notice.maximum_retention
    if cap is None:
        return
    for name, retention in d.retention.items():
        active, archive = retention.duration, retention.archive
        if active is None or archive is None or longer(active, cap):
            continue  # no archive, or RET-CAP-CONFLICT says the active period is too long
        if not _exceeds(active, archive, cap):
            continue
        yield ctx.warn(
            "RET-ARCHIVE-CAP",
            ("retention", name, "archive"),
            f"retention rule '{name}' keeps data {active} then {archive} in the archive, "
            f"longer than the {cap} the notice promises as a maximum "
            "(notice.maximum_retention): the archive ends at the maximum",
            f"shorten the archive so that the whole stays within {cap}, or raise "
            "notice.maximum_retention",
        )


def _exceeds(active: Duration, archive: Duration, cap: Duration) -> bool:
    """Whether the active period then the archive clearly exceed `cap`, as `longer` judges."""
    months = {"month": 1, "year": 12}
    if {active.unit, archive.unit, cap.unit} <= set(months):
        whole = active.amount * months[active.unit] + archive.amount * months[archive.unit]
        return whole > cap.amount * months[cap.unit]
    return active.approx_days() + archive.approx_days() > cap.approx_days() * 1.01


@rule("RET-JUSTIFICATION-MISSING")
def retention_justification_missing(ctx: LintContext) -> Iterator[Problem]:
    # S000-19: a period must be justified against the amount, nature and sensitivity of the
    # data, its purposes and other means (GDPR Art. 5(1)(e), 5(2)). A legal hold is justified
    # by the law it cites; LEGAL-OBLIGATION-UNSPECIFIED checks that it cites one.
    for name, retention in ctx.declaration.retention.items():
        if retention.required_by is not None or _written(retention.justification):
            continue
        path: PathKey = ("retention", name)
        if retention.justification is not None:
            path = (*path, "justification")  # written but empty: point at the empty key
        yield ctx.warn(
            "RET-JUSTIFICATION-MISSING",
            path,
            f"retention justification missing: rule '{name}' does not record why its "
            "period is necessary",
            "add 'justification:' weighing the amount, nature and sensitivity of the data, "
            "the purposes it serves and whether they could be met another way (GDPR Art. "
            "5(1)(e), 5(2)); if a law sets the period, name the law in 'required_by' instead",
        )


@rule("LEGAL-OBLIGATION-UNSPECIFIED")
def legal_obligation_unspecified(ctx: LintContext) -> Iterator[Problem]:
    # L-001-04: "a legal obligation" or "the legally required period" that names no law
    # cannot be checked by the reader, nor its period by anyone (GDPR Art. 6(3), 13(1)(c)).
    d = ctx.declaration
    for name, activity in d.activities.items():
        if "legal_obligation" in all_bases(activity) and not _written(activity.legal_obligation):
            yield ctx.warn(
                "LEGAL-OBLIGATION-UNSPECIFIED",
                first_basis_path(name, activity, LEGAL_OBLIGATION),
                f"activity '{name}' relies on a legal obligation but does not say which",
                "name the law and what it requires in 'legal_obligation', e.g. "
                "'legal_obligation: The Companies Act 2006, s. 386, requires us to keep "
                "accounting records'",
            )
    for name, retention in d.retention.items():
        uncited = _uncited(retention.required_by)
        if uncited is None:
            continue
        given = f"'{_shorten(uncited)}' cites" if uncited.strip() else "is empty and cites"
        yield ctx.warn(
            "LEGAL-OBLIGATION-UNSPECIFIED",
            ("retention", name, "required_by"),
            f"legal retention without legal reference: rule '{name}' is kept because the law "
            f"requires it, but its required_by {given} no act with its section or article",
            "cite the provision that sets the period, e.g. 'required_by: Companies Act 2006, "
            "s. 388'; if no law sets it, remove 'required_by' and give a 'justification'",
        )


def _written(value: dict[str, str] | None) -> bool:
    """Whether a translatable text says something in at least one language."""
    return value is not None and any(part.strip() for part in value.values())


def _uncited(law: dict[str, str] | None) -> str | None:
    """The first wording of `law` that names no provision, or None when every one does.

    A citation that can be checked gives the act's year or the section or article number
    ("Companies Act 2006, s. 388", "Code de commerce, art. L123-22"); "law" or "tax rules"
    gives neither, so it is read as naming no provision.
    """
    if law is None:
        return None
    return next((words for words in law.values() if not any(c.isdigit() for c in words)), None)


def longer(duration: Duration, cap: Duration) -> bool:
    """Whether `duration` clearly exceeds `cap`.

    Months and years compare exactly (72 months is 6 years); other mixes compare by
    approximate days with a 1% margin, so '366 days' does not break a one-year promise.
    """
    months = {"month": 1, "year": 12}
    if duration.unit in months and cap.unit in months:
        return duration.amount * months[duration.unit] > cap.amount * months[cap.unit]
    return duration.approx_days() > cap.approx_days() * 1.01


@rule("OBJECTION-BASIS-MISMATCH")
def objection_basis_mismatch(ctx: LintContext) -> Iterator[Problem]:
    d = ctx.declaration
    for name, retention in d.retention.items():
        if not retention.ends_on_objection:
            continue
        for activity_name, activity in d.activities.items():
            if name not in activity.retention or activity.direct_marketing:
                continue
            bases = all_bases(activity)
            if not bases or not bases <= NO_OBJECTION_BASES:
                continue
            yield ctx.warn(
                "OBJECTION-BASIS-MISMATCH",
                ("retention", name, "ends_on_objection"),
                f"retention rule '{name}' ends on objection, but activity '{activity_name}' "
                f"relies only on {', '.join(sorted(bases))}, where there is no right to "
                "object (GDPR Art. 21 covers legitimate interests, public task and direct "
                "marketing)",
                "if people may take their data back (e.g. withdraw an application), say so "
                "in 'criteria' and remove 'ends_on_objection'; otherwise correct the "
                "activity's legal basis",
            )


def _shorten(value: str, limit: int = 50) -> str:
    # Cut at a word boundary so the quote stays readable.
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    return value[: limit - 1].rsplit(" ", 1)[0] + "…"
