"""A plan, readably: the routes to each table and the SQL that reads it.

Statements are compiled for the source's dialect with `:name` placeholders: no value is
ever printed, except the identity the user gave, which they typed themselves. Values found
in other sources are described by where they come from.
"""

from __future__ import annotations

import re

from pledge.sources.plan import Plan, SourcePlan, Step
from pledge.sources.plan_sql import compile_sql


def explain(plan: Plan) -> str:
    """The plan, readably, with each statement in its source's SQL dialect."""
    who = ", ".join(f"{k}={v}" for k, values in plan.identity.items() for v in values)
    lines = [
        f"Plan for {who} (at most {plan.max_depth} hops from the identity).",
        "Shared rows are reported with their categories only: their values are not "
        "exported, and they are never erased.",
    ]
    for source in plan.sources:
        count = len(source.steps)
        lines += [
            "",
            f"{source.name} ({source.dialect}): {count} table{_s(count)}, one statement each",
        ]
        texts = []
        for number, step in enumerate(source.steps, 1):
            step_lines, sql = _explain_step(number, step, source.dialect)
            lines += step_lines
            texts.append(sql)
        found = _explain_found(source, texts)
        lines += [
            "  parameters:",
            *(f"    {line}" for line in _explain_seeds(plan, source) + found),
        ]
        lines += [f"  note: {note}" for note in source.notes]
    return "\n".join(lines) + "\n"


def _explain_step(number: int, step: Step, dialect: str) -> tuple[list[str], str]:
    title = f"  {number}. {step.table}"
    if step.may_share:
        title += " — may be shared: " + "; ".join(step.shared_reasons)
    lines = [title, "     reached by:"]
    lines += [f"       {route.describe()}" for route in step.routes]
    lines.append("     columns: " + ", ".join(_describe_column(step, c) for c in step.columns))
    lines.append("     SQL:")
    sql = compile_sql(step.in_order, dialect)
    lines += [f"       {line}" for line in sql.splitlines()]
    return lines, sql


def _explain_found(source: SourcePlan, texts: list[str]) -> list[str]:
    """The parameters that carry the keys a step found into the statements after it."""
    lines = []
    for number, step in enumerate(source.steps, 1):
        param = source.found.get(step.table)
        if param and any(re.search(rf":{param}\b", text) for text in texts[number:]):
            key = ", ".join(step.key)
            found = f"{key} of the subject's own rows of {step.table} (step {number})"
            lines.append(f":{param} = {found}")
    return lines


def _describe_column(step: Step, column: str) -> str:
    notes = []
    if column in step.key:
        notes.append("key")
    if column in step.categories:
        notes.append(step.categories[column])
    if column in step.identities:
        notes.append(f"identity: {step.identities[column]}")
    return f"{column} ({', '.join(notes) or 'to follow a link'})"


def _explain_seeds(plan: Plan, source: SourcePlan) -> list[str]:
    lines = []
    for param in dict.fromkeys(seed.param for seed in source.seeds):
        seed = next(s for s in source.seeds if s.param == param)
        if seed.linked_from is not None:
            other, table, columns = seed.linked_from
            found = f"{', '.join(columns)} of the subject's rows in {other}.{table}"
            lines.append(f":{param} = {found} (found when the plan runs)")
            continue
        kind = seed.kind or ""
        given = ", ".join(plan.identity.get(kind, ()))
        others = [
            s.name
            for s in plan.sources
            if s.name != source.name and any(kind in step.identities.values() for step in s.steps)
        ]
        parts = [f"{given} (given)"] if given else []
        if others:
            parts.append(f"{kind} values found in the subject's rows in {', '.join(others)}")
        lines.append(f":{param} = {' and '.join(parts)}")
    return lines or ["none: no table of this source can be reached from the identity given"]


def _s(count: int) -> str:
    return "" if count == 1 else "s"
