"""The journal of what must stay gone: the keys of rows deleted or anonymised, sealed.

Every batch a sweep deletes or anonymises, and every table a request erasure changes, adds
one GoneRowsRow: where (source, table), what was done ("deleted" or "anonymised"), why
("sweep:<run id>" or "request:<reference>"), when, how many rows, and their primary keys.
Rows a legal hold kept for some categories only, whose other columns an erasure erased, are
"part_anonymised", and their entry names the columns erased (`columns`): replayed, only
those are erased again, never the ones the hold kept.
The keys are sealed with AES-GCM under the package key (pledge.rights.package_crypto),
bound to "gone:<source>.<table>", so the journal holds no readable personal data, even
where a key is an email address. `pledge replay-erasures` opens them to erase the rows again
in a database restored from a backup (pledge.retention.replay).

The entry is added to the caller's store session: written in the same transaction as the
rest of what the caller records, it exists exactly when that record does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pledge.errors import PledgeError
from pledge.rights.package_crypto import seal, unseal
from pledge.sources.values_codec import EncodedKeys, Key, decode_keys, encode_keys
from pledge.store.tables import GoneRowsRow

Action = Literal["deleted", "anonymised", "part_anonymised"]
ACTIONS: tuple[Action, ...] = ("deleted", "anonymised", "part_anonymised")
CAUSES = ("sweep:", "request:")
_CAUSE_LENGTH = 64  # GoneRowsRow.cause


@dataclass(frozen=True)
class Place:
    """A table of a source that has entries in the journal, and what was done there."""

    source: str
    table: str
    action: Action


def journal_batch(
    session: Session,
    *,
    source: str,
    table: str,
    action: Action,
    cause: str,
    keys: Sequence[Sequence[Any]] | EncodedKeys,
    key: bytes,
    now: dt.datetime,
    columns: Sequence[str] = (),
) -> GoneRowsRow:
    """Record, in `session`'s transaction, that the rows with these primary keys must stay
    deleted or anonymised (for "part_anonymised": their `columns` erased); `key` is
    Services.keys.package. The keys may come encoded already (a sweep's batch on PostgreSQL
    has the database write them)."""
    if action not in ACTIONS:
        raise ValueError(f"a journal entry is one of {', '.join(ACTIONS)}, not {action!r}")
    if not cause.startswith(CAUSES) or len(cause) > _CAUSE_LENGTH:
        raise ValueError(f"a journal cause is 'sweep:<id>' or 'request:<ref>', not {cause!r}")
    if (action == "part_anonymised") != bool(columns):
        raise ValueError("the columns erased are named for a 'part_anonymised' entry, and only")
    entry = GoneRowsRow(
        source=source,
        table_name=table,
        action=action,
        cause=cause,
        columns=list(columns) if columns else None,
        recorded_at=now,
        count=keys.count if isinstance(keys, EncodedKeys) else len(keys),
        keys=seal(_encoded(keys), key, ref=_ref(source, table)),
    )
    session.add(entry)
    return entry


def journal_entries(
    session: Session,
    *,
    source: str | None = None,
    table: str | None = None,
    action: Action | None = None,
    since: dt.datetime | None = None,
) -> Iterator[GoneRowsRow]:
    """The entries, oldest first, read a few at a time (a journal can be long)."""
    query = select(GoneRowsRow).order_by(GoneRowsRow.id)
    if source is not None:
        query = query.where(GoneRowsRow.source == source)
    if table is not None:
        query = query.where(GoneRowsRow.table_name == table)
    if action is not None:
        query = query.where(GoneRowsRow.action == action)
    if since is not None:
        query = query.where(GoneRowsRow.recorded_at >= since)
    yield from session.scalars(query.execution_options(yield_per=100))


def count_entries(session: Session, *, since: dt.datetime | None = None) -> int:
    query = select(func.count()).select_from(GoneRowsRow)
    if since is not None:
        query = query.where(GoneRowsRow.recorded_at >= since)
    return session.execute(query).scalar_one()


def journaled_places(session: Session, *, since: dt.datetime | None = None) -> list[Place]:
    """Each (source, table, action) with entries, in the order of its first entry."""
    first = (
        select(GoneRowsRow.source, GoneRowsRow.table_name, GoneRowsRow.action)
        .group_by(GoneRowsRow.source, GoneRowsRow.table_name, GoneRowsRow.action)
        .order_by(func.min(GoneRowsRow.id))
    )
    if since is not None:
        first = first.where(GoneRowsRow.recorded_at >= since)
    return [
        Place(source, table, action)
        for source, table, action in session.execute(first)
        if action in ACTIONS
    ]


def open_keys(row: GoneRowsRow, key: bytes) -> list[Key]:
    """The primary keys an entry holds, with their types (PledgeError under another key)."""
    try:
        blob = unseal(row.keys, key, ref=_ref(row.source, row.table_name))
    except PledgeError:
        raise PledgeError(
            f"journal entry {row.id} ({row.source}.{row.table_name}) cannot be opened",
            "it was sealed under another secret: run with the PLEDGE_SECRET_KEY (or the "
            "pledge-secret.key file) the entry was written with",
        ) from None
    return decode_keys(blob)


def _encoded(keys: Sequence[Sequence[Any]] | EncodedKeys) -> bytes:
    return keys.blob if isinstance(keys, EncodedKeys) else encode_keys(keys)


def _ref(source: str, table: str) -> str:
    return f"gone:{source}.{table}"
