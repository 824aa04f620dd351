"""Reading the summary a finished request hands to its closing mail.

The caller (the request workflow) builds the summary from what running the request did; the
shapes are checked here so that a wrong one fails by name, not halfway through a template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Kept:
    """Data an erasure kept: where, under which retention rule, required by what, until when
    (already written as the person reads dates)."""

    table_label: str
    rule: str
    required_by: str | None
    until: str | None


def day_of(value: object, code: str) -> dt.date | None:
    """A day from a summary: a date, an ISO date ("2025-10-03") or an ISO moment, which is
    read in the jurisdiction's time zone."""
    # Not at the top: pledge.rights imports pledge.mail (see pledge.mail.messages).
    from pledge.rights.deadlines import local_day

    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return local_day(value, code)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            if len(value) <= len("YYYY-MM-DD"):
                return dt.date.fromisoformat(value)
            return local_day(dt.datetime.fromisoformat(value), code)
        except ValueError:
            pass
    raise ValueError(f"summary date {value!r} is not an ISO date like '2025-10-03'")


def kept_items(value: object, format_day: Callable[[dt.date], str], code: str) -> list[Kept]:
    """The summary's "kept" list: {"table_label", "rule", "required_by"?, "until"?} each."""
    kept: list[Kept] = []
    for item in _items(value, "kept"):
        if not isinstance(item, Mapping):
            raise ValueError(f"summary 'kept' entries are mappings, not {item!r}")
        try:
            label, rule = item["table_label"], item["rule"]
        except KeyError as missing:
            raise ValueError(f"summary 'kept' entry {dict(item)!r} has no {missing}") from None
        until = day_of(item.get("until"), code)
        kept.append(
            Kept(
                table_label=str(label),
                rule=str(rule),
                required_by=_text(item.get("required_by")),
                until=format_day(until) if until is not None else None,
            )
        )
    return kept


def names(value: object, key: str) -> list[str]:
    """A summary list of names ("recipients", "activities"); missing means empty."""
    return [str(name) for name in _items(value, key)]


def pairs(value: object) -> list[tuple[str, str]]:
    """The summary's "corrections" ({label: new value}), in the order given."""
    if value is None:
        return []
    if not isinstance(value, Mapping):
        raise ValueError(f"summary 'corrections' is a mapping of label to value, not {value!r}")
    return [(str(label), str(new)) for label, new in value.items()]


def _items(value: object, key: str) -> list[object]:
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        raise ValueError(f"summary '{key}' is a list, not {value!r}")
    return list(value)


def _text(value: object) -> str | None:
    if value is None:
        return None
    written = str(value).strip()
    return written or None
