"""The archive: rows past their active period, kept sealed in Pledge's store until their
rule's archive ends, readable by staff with the role legal only.

CNIL practice calls it "archivage intermédiaire": once a purpose no longer needs the data
(the active base), some of it may still be kept for a while, for the law or a dispute, apart
from the data in use and open to a few people only. A rule's `archive` says how long; the
sweep moves the rows there (pledge.retention.sweep_archive) and deletes them from it once
that ends (`purge_archive`).

Each archived row is an ArchivedRowRow: where it came from, the rule that keeps it longest,
when it was archived and until when. Its key and declared columns are sealed as one JSON
blob with AES-GCM under the package key (pledge.rights.package_crypto), bound to its source
and table; nothing readable about the person is outside it. A keyed hash of the key
(`key_digest`) tells a row archived once from a new one without opening anything.

Opening a row (`open_archived`) needs the role legal, and records who opened which row and
when (ArchiveReadRow) in the same transaction: no opening goes unrecorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from pledge.auth.roles import Role
from pledge.errors import NotFound, PledgeError
from pledge.rights.package_crypto import seal, unseal
from pledge.sources.values_codec import Key, encode_keys, tagged, untagged
from pledge.store.tables_retention import ArchivedRowRow, ArchiveReadRow

# What the digest key is derived for: the package key itself only ever seals.
_DIGEST_PURPOSE = b"pledge archived row key digest"


class ArchiveForbidden(PledgeError):
    """Someone without the role legal tried to open an archived row."""

    status_code = 403


@dataclass(frozen=True)
class Archived:
    """One row to archive, as read from its table, before it is sealed."""

    key: Mapping[str, Any]  # the primary key's columns
    columns: Mapping[str, Any]  # the table's declared columns
    rule: str
    until: dt.datetime


@dataclass(frozen=True)
class ArchiveLine:
    """An archived row as a list shows it: where from, why, when; never a value."""

    id: int
    source: str
    table: str
    rule: str
    archived_at: dt.datetime
    until: dt.datetime

    @property
    def name(self) -> str:
        return f"{self.source}.{self.table}"


@dataclass(frozen=True)
class OpenedRow:
    """An archived row opened: its line, its key and its declared columns."""

    line: ArchiveLine
    key: dict[str, Any]
    columns: dict[str, Any]


def key_digest(package_key: bytes, source: str, table: str, key: Key) -> str:
    """A keyed hash of a row's primary key in its table: the same row gives the same digest,
    and no one without the package key can tell which key it is."""
    derived = hmac.new(package_key, _DIGEST_PURPOSE, hashlib.sha256).digest()
    message = f"{source}.{table}\n".encode() + encode_keys([key])
    return hmac.new(derived, message, hashlib.sha256).hexdigest()


def add_archived(
    session: Session,
    *,
    source: str,
    table: str,
    rows: Sequence[Archived],
    run_id: int,
    package_key: bytes,
    now: dt.datetime,
) -> None:
    """Seal the rows into the archive, in `session`'s transaction, with one INSERT."""
    if not rows:
        return
    ref = _ref(source, table)
    values = [
        {
            "source": source,
            "table_name": table,
            "rule": row.rule,
            "run_id": run_id,
            "key_digest": key_digest(package_key, source, table, tuple(row.key.values())),
            "sealed": seal(_encoded(row), package_key, ref=ref),
            "archived_at": now,
            "until": row.until,
        }
        for row in rows
    ]
    session.execute(insert(ArchivedRowRow), values)


def archived_digests(
    session: Session, *, source: str, table: str, digests: Collection[str]
) -> set[str]:
    """Of these digests, those of rows of the table already in the archive."""
    if not digests:
        return set()
    query = select(ArchivedRowRow.key_digest).where(
        ArchivedRowRow.source == source,
        ArchivedRowRow.table_name == table,
        ArchivedRowRow.key_digest.in_(sorted(digests)),
    )
    return set(session.scalars(query))


def purge_archive(
    session: Session, *, source: str, table: str, as_of: dt.datetime, dry_run: bool
) -> int:
    """Delete the table's archived rows whose archive ended by `as_of` (a dry run only
    counts them); how many."""
    ended = (
        ArchivedRowRow.source == source,
        ArchivedRowRow.table_name == table,
        ArchivedRowRow.until <= as_of,
    )
    if dry_run:
        return session.execute(
            select(func.count()).select_from(ArchivedRowRow).where(*ended)
        ).scalar_one()
    result = session.execute(delete(ArchivedRowRow).where(*ended))
    return int(getattr(result, "rowcount", 0))


def archive_count(session: Session) -> int:
    """How many rows the archive holds: what any member of staff may know of it."""
    return session.execute(select(func.count()).select_from(ArchivedRowRow)).scalar_one()


def archive_lines(session: Session, *, limit: int, offset: int = 0) -> list[ArchiveLine]:
    """The archived rows, latest archived first, without opening any."""
    query = (
        select(ArchivedRowRow)
        .order_by(ArchivedRowRow.archived_at.desc(), ArchivedRowRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_line(row) for row in session.scalars(query)]


def open_archived(
    session: Session,
    row_id: int,
    *,
    role: Role,
    reader: str,
    package_key: bytes,
    now: dt.datetime,
) -> OpenedRow:
    """Archived row `row_id` opened for `reader` (who must have the role legal), the
    opening recorded in `session`'s transaction."""
    if not role.allows(Role.LEGAL):
        raise ArchiveForbidden(
            f"only the role 'legal' may open the archive; {reader} is '{role.value}'",
            "ask an admin for the role legal, if your work needs it",
        )
    row = session.get(ArchivedRowRow, row_id)
    if row is None:
        raise NotFound(f"there is no archived row {row_id}", "it may have been deleted")
    try:
        blob = unseal(row.sealed, package_key, ref=_ref(row.source, row.table_name))
    except PledgeError:
        raise PledgeError(
            f"archived row {row.id} ({row.source}.{row.table_name}) cannot be opened",
            "it was sealed under another secret: run with the PLEDGE_SECRET_KEY (or the "
            "pledge-secret.key file) it was written with",
        ) from None
    session.add(
        ArchiveReadRow(
            archived_row_id=row.id,
            source=row.source,
            table_name=row.table_name,
            read_by=reader[:120],
            read_at=now,
        )
    )
    loaded: dict[str, dict[str, list[Any]]] = json.loads(blob)
    return OpenedRow(
        line=_line(row),
        key={name: untagged(value) for name, value in loaded["key"].items()},
        columns={name: untagged(value) for name, value in loaded["columns"].items()},
    )


def archive_reads(session: Session, row_id: int) -> list[ArchiveReadRow]:
    """Who opened archived row `row_id`, and when, oldest first."""
    query = (
        select(ArchiveReadRow)
        .where(ArchiveReadRow.archived_row_id == row_id)
        .order_by(ArchiveReadRow.id)
    )
    return list(session.scalars(query))


def _encoded(row: Archived) -> bytes:
    return json.dumps(
        {
            "key": {name: tagged(value) for name, value in row.key.items()},
            "columns": {name: tagged(value) for name, value in row.columns.items()},
        }
    ).encode()


def _line(row: ArchivedRowRow) -> ArchiveLine:
    return ArchiveLine(
        id=row.id,
        source=row.source,
        table=row.table_name,
        rule=row.rule,
        archived_at=row.archived_at,
        until=row.until,
    )


def _ref(source: str, table: str) -> str:
    return f"archive:{source}.{table}"
