"""A request's stored result summary, laid out as the proof of what Pledge did.

The summary (pledge.rights.answers, pledge.rights.erasure_run) is JSON with no personal
values: counts per table, what was kept under a legal hold and until when, the re-check
after an erasure, the rows corrected, the recipients told. Its shape differs by request
type, so each part is read defensively; a key this module does not know is still shown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pledge.rights.delivery import package_deleted_at
from pledge.store.tables import RequestResultRow

# Counts an erasure records per table, in the order and words the page uses.
_ERASURE_COUNTS = {
    "deleted": "deleted",
    "anonymised": "anonymised",
    "held": "kept under a legal hold",
    "shared": "shared with others, left as they are",
}
_KNOWN = frozenset(
    {"found", "tables", "kept", "check", "changed", "recipients", "activities", "notes"}
)


@dataclass(frozen=True)
class Counts:
    """A table of figures: one row per source.table, one column per label."""

    labels: list[str]
    rows: list[tuple[str, list[int | str]]]


@dataclass(frozen=True)
class Kept:
    table: str
    rules: str
    until: str
    required_by: str


@dataclass(frozen=True)
class ResultView:
    created: str
    found: str  # "yes", "no", or "" when the summary does not say
    counts: Counts | None
    changed: Counts | None
    kept: list[Kept]
    check: list[str]
    recipients: list[str]
    activities: list[str]
    notes: list[str]
    package: str
    other: list[tuple[str, str]]


def result_view(result: RequestResultRow) -> ResultView:
    summary: Mapping[str, Any] = result.summary or {}
    found = summary.get("found")
    return ResultView(
        created=result.created_at.strftime("%Y-%m-%d %H:%M UTC"),
        found="yes" if found is True else "no" if found is False else "",
        counts=_counts(summary.get("tables")),
        changed=_changed(summary.get("changed")),
        kept=[_kept(item) for item in _list(summary.get("kept")) if isinstance(item, Mapping)],
        check=[str(line) for line in _list(summary.get("check"))],
        recipients=[str(name) for name in _list(summary.get("recipients"))],
        activities=[str(name) for name in _list(summary.get("activities"))],
        notes=[str(note) for note in _list(summary.get("notes"))],
        package=_package(result),
        other=[
            (key, json.dumps(value, ensure_ascii=False, default=str))
            for key, value in sorted(summary.items())
            if key not in _KNOWN
        ],
    )


def _counts(tables: object) -> Counts | None:
    if not isinstance(tables, Mapping) or not tables:
        return None
    labels: list[str] = []
    rows: list[tuple[str, list[int | str]]] = []
    erasure = any(isinstance(v, Mapping) for v in tables.values())
    if erasure:
        labels = list(_ERASURE_COUNTS.values())
        for name, figures in sorted(tables.items()):
            given = figures if isinstance(figures, Mapping) else {}
            rows.append((str(name), [_figure(given.get(key)) for key in _ERASURE_COUNTS]))
        return Counts(labels, rows)
    # An access or a restriction: [the person's own rows, rows shared with others].
    labels = ["own rows", "shared rows"]
    for name, figures in sorted(tables.items()):
        pair = list(figures) if isinstance(figures, list | tuple) else [figures]
        rows.append((str(name), [_figure(v) for v in [*pair, "", ""][:2]]))
    return Counts(labels, rows)


def _changed(changed: object) -> Counts | None:
    if not isinstance(changed, Mapping) or not changed:
        return None
    rows: list[tuple[str, list[int | str]]] = [
        (str(name), [_figure(count)]) for name, count in sorted(changed.items())
    ]
    return Counts(["rows corrected"], rows)


def _kept(item: Mapping[str, Any]) -> Kept:
    table = f"{item.get('source', '?')}.{item.get('table', '?')}"
    rules = ", ".join(str(r) for r in _list(item.get("rules")))
    required = "; ".join(str(r) for r in _list(item.get("required_by")))
    until = item.get("until")
    return Kept(table, rules, str(until) if until else "no end date known", required)


def _package(result: RequestResultRow) -> str:
    downloaded = result.downloaded_at
    taken = f"; downloaded {downloaded:%Y-%m-%d %H:%M UTC}" if downloaded else ""
    ended = package_deleted_at(result)
    if ended is not None:
        # The bytes are gone (pledge.rights.package_expiry); the day the offer ended stays.
        return f"deleted {ended:%Y-%m-%d} (offer ended){taken or '; never downloaded'}"
    if result.package is None:
        return ""
    expiry = result.package_expires_at
    offered = f"offered until {expiry:%Y-%m-%d %H:%M UTC}" if expiry else "offered"
    return f"a sealed package, {offered}{taken or '; not downloaded yet'}"


def _figure(value: object) -> int | str:
    return value if isinstance(value, int) and not isinstance(value, bool) else str(value or "")


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []
