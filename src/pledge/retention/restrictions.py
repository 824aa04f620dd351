"""Rows under a restriction of processing (GDPR Art. 18), which the sweep must leave alone.

Carrying out a restriction marks the person's own rows (pledge.rights.decisions:
`RestrictedRowRow`, each row's primary key values as JSON). While the restriction is in
force their data may only be stored: deleting or anonymising them on schedule would undo
what the person asked for (often to keep evidence, instead of an erasure). The sweep keeps
them as it keeps a person's legal hold, by one `key IN (...)` condition per table
(pledge.retention.predicates), and counts them as kept, saying why. Once the restriction is
lifted, the next sweep judges them by their rules again.

`restricted_rows` reads the marks in ONE query of the store; `typed_keys` turns a mark's
JSON back into values of the key's column types (a date key was kept as ISO text), so that
every engine compares them as it compares the column.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from pledge.retention.sweep_report import rows
from pledge.store.tables import RestrictedRowRow, SubjectDecisionRow

Key = tuple[Any, ...]
Place = tuple[str, str]  # (source, table)

# What keeps such rows, as the sweep's report names it (`TableSweep.holds`).
RESTRICTED = "a restriction of processing (GDPR Art. 18)"


def restricted_rows(session: Session, *, as_of: dt.datetime) -> dict[Place, frozenset[Key]]:
    """Per table, the marked keys (as JSON keeps them) of every restriction in force on
    `as_of`, or now."""
    decision, mark = SubjectDecisionRow, RestrictedRowRow
    # A run changes rows now, whatever moment it judges them on (a run resumed, a sweep as
    # of an earlier day): a restriction made since binds it too. One lifted since that
    # moment was still in force on it.
    in_force = or_(
        decision.lifted_at.is_(None),
        and_(decision.decided_at <= as_of, decision.lifted_at > as_of),
    )
    query = (
        select(mark.source, mark.table_name, mark.row_key)
        .join(decision, decision.id == mark.decision_id)
        .where(decision.kind == "restriction", in_force)
    )
    found: dict[Place, set[Key]] = {}
    for source, table, key in session.execute(query):
        found.setdefault((source, table), set()).add(tuple(key))
    return {place: frozenset(keys) for place, keys in found.items()}


def typed_keys(keys: Iterable[Key], types: Sequence[TypeEngine[Any]]) -> list[Key]:
    """Marked keys as values of the key's columns. A mark that no longer fits the key (its
    columns changed since) names no row of the table: it is left out."""
    found = []
    for key in keys:
        if len(key) != len(types):
            continue
        try:
            found.append(tuple(_value(v, kind) for v, kind in zip(key, types, strict=True)))
        except ValueError:
            continue  # a value the column cannot hold names no row of it either
    return found


def restriction_holds(counts: Mapping[str, int]) -> tuple[str, ...]:
    """What the report names among a table's holds for the rows a restriction alone kept."""
    return (RESTRICTED,) if counts.get(f"hold:{RESTRICTED}") else ()


def restriction_notes(counts: Mapping[str, int]) -> list[str]:
    """The run's note on the rows a restriction alone kept in a table (none: no note)."""
    kept = counts.get(f"hold:{RESTRICTED}", 0)
    if not kept:
        return []
    return [
        f"{rows(kept)} kept under a restriction of processing the person asked for"
        " (GDPR Art. 18): stored only, until it is lifted"
    ]


def _value(value: Any, kind: TypeEngine[Any]) -> Any:
    """The inverse of pledge.rights.decisions.key_value, for a column of type `kind`."""
    if not isinstance(value, str | int):
        return value
    if isinstance(kind, sa.DateTime) and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, sa.Date) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if isinstance(kind, sa.Time) and isinstance(value, str):
        return dt.time.fromisoformat(value)
    if isinstance(kind, sa.Uuid) and isinstance(value, str):
        return uuid.UUID(value) if kind.as_uuid else value
    if isinstance(kind, sa.LargeBinary) and isinstance(value, str):
        return bytes.fromhex(value)
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return decimal.Decimal(str(value)) if kind.asdecimal else value
    return value
