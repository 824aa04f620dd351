"""Lint rules on children: data about minors needs an age rule, and an age rule needs data."""

from __future__ import annotations

from collections.abc import Iterator

from pledge.declaration.jurisdictions import jurisdiction
from pledge.declaration.lint.base import LintContext, rule
from pledge.declaration.lint.facts import columns, held_categories
from pledge.declaration.yaml_source import PathKey
from pledge.errors import Problem

AGE_CATEGORIES = ("identity.date_of_birth", "children.age")


def _about_children(category: str) -> bool:
    return category.startswith("children.") or category == "identity.date_of_birth"


@rule("CHILDREN-NO-AGE-RULE")
def children_no_age_rule(ctx: LintContext) -> Iterator[Problem]:
    d = ctx.declaration
    if d.children is not None and d.children.minimum_age is not None:
        return
    found: list[tuple[PathKey, str, bool]] = []  # (path, what, is_key)
    for name, subject in d.subjects.items():
        if subject.children:
            found.append((("subjects", name), f"subject '{name}' may include children", True))
    for name, activity in d.activities.items():
        for index, category in enumerate(activity.categories):
            if _about_children(category):
                path: PathKey = ("activities", name, "categories", index)
                found.append((path, f"activity '{name}' uses '{category}'", False))
    for place in columns(d):
        if _about_children(place.category):
            found.append((place.path, f"column '{place.label}' holds '{place.category}'", True))
    if not found:
        return
    # One warning, at the first place: a single `children` section answers all of them.
    path, what, is_key = min(found, key=lambda f: ctx.document.where(f[0], key=f[2]))
    others = len(found) - 1
    also = f" (and {others} other place{'s' if others != 1 else ''})" if others else ""
    age = max(jurisdiction(code).child_age for code in d.organisation.jurisdictions)
    yield ctx.warn(
        "CHILDREN-NO-AGE-RULE",
        path,
        f"{what}{also}, but the declaration sets no minimum age for children",
        f"add 'children: {{minimum_age: {age}, statement: ...}}' saying whether children may "
        "use the service and what happens to their data (the strictest age of digital "
        f"consent among your jurisdictions is {age})",
        key=is_key,
    )


@rule("AGE-GATE-NO-DATA")
def age_gate_no_data(ctx: LintContext) -> Iterator[Problem]:
    d = ctx.declaration
    children = d.children
    if children is None or children.minimum_age is None:
        return
    held = held_categories(d)
    if any(category in held for category in children.age_from):
        return
    age = children.minimum_age
    if children.age_from:
        listed = ", ".join(f"'{c}'" for c in children.age_from)
        yield ctx.warn(
            "AGE-GATE-NO-DATA",
            ("children", "age_from"),
            f"the minimum age is {age}, but no activity or table holds {listed} "
            "(children.age_from), so an age can only be known if people state it",
            "add the category to the activity that collects it, or map the column that "
            "holds it; otherwise say in children.statement how age is checked",
        )
        return
    yield ctx.warn(
        "AGE-GATE-NO-DATA",
        ("children", "minimum_age"),
        f"the minimum age is {age}, but no category that reveals an age is named "
        "(children.age_from), so an age can only be known if people state it",
        "list in children.age_from a category you collect, e.g. "
        + " or ".join(AGE_CATEGORIES)
        + "; otherwise say in children.statement how age is checked",
    )
