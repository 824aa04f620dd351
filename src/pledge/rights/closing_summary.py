"""The result of a request told in the person's words, for the mail that closes it.

The stored summary names tables, rules, recipients and activities by their identifiers;
the mail names them as the declaration does, in the request's language.
"""

from __future__ import annotations

from typing import Any

from pledge.declaration.model import Declaration, text
from pledge.records.ropa import category_name
from pledge.store.tables import RequestResultRow, RequestRow


def mail_summary(
    declaration: Declaration, row: RequestRow, result: RequestResultRow | None
) -> dict[str, object]:
    lang = row.language
    stored: dict[str, Any] = dict(result.summary) if result is not None else {}
    # No result: staff closed it by hand, having answered outside Pledge.
    summary: dict[str, object] = {"found": stored.get("found", True), "by_hand": result is None}
    kept = []
    for item in stored.get("kept", []):
        rules = [r for r in item.get("rules", []) if r in declaration.retention]
        rule = declaration.retention[rules[0]] if rules else None
        kept.append(
            {
                "table_label": _table_label(declaration, item["source"], item["table"], lang),
                "rule": text(rule.name, lang) if rule else ", ".join(item.get("rules", [])),
                "required_by": text(rule.required_by, lang) if rule and rule.required_by else None,
                "until": item.get("until"),
            }
        )
    summary["kept"] = kept
    summary["recipients"] = [
        text(declaration.recipients[r].name, lang) if r in declaration.recipients else r
        for r in stored.get("recipients", [])
    ]
    corrections = row.details.get("corrections")
    if isinstance(corrections, dict):
        summary["corrections"] = {
            _category_label(declaration, str(k), lang): str(v) for k, v in corrections.items()
        }
    summary["activities"] = [
        text(declaration.activities[a].name, lang) if a in declaration.activities else a
        for a in stored.get("activities", [])
    ]
    return summary


def _table_label(declaration: Declaration, source: str, table: str, lang: str) -> str:
    declared = declaration.sources.get(source)
    spec = declared.tables.get(table) if declared else None
    if spec is not None and spec.description:
        return text(spec.description, lang)
    return table.replace("_", " ")


def _category_label(declaration: Declaration, key: str, lang: str) -> str:
    """A correction's key is a category or "table.column": named by the category either way."""
    table, _, column = key.partition(".")
    for source in declaration.sources.values():
        spec = source.tables.get(table)
        if spec is not None and column in spec.columns:
            return category_name(declaration, spec.columns[column].category, lang)
    return category_name(declaration, key, lang)
