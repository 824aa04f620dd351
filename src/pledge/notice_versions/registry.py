"""Recording each new meaning of the declaration as a numbered notice version.

A version is recorded only when the meaning changed since the latest one; going back to
an older meaning is a change too, and gets a new number. Numbers come from reading the
latest and adding one: the primary key on `number` turns a race between two writers into
an integrity error, and the loser reads again and retries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pledge.declaration.model import Declaration
from pledge.errors import NotFound, PledgeError
from pledge.notice_versions.changes import describe_changes
from pledge.notice_versions.meaning import (
    canonical_json,
    declaration_from_canonical,
    digest_of,
    published,
)
from pledge.store import Store
from pledge.store.tables import NoticeVersionRow

_ATTEMPTS = 20


@dataclass(frozen=True)
class NoticeVersion:
    number: int
    digest: str
    recorded_at: dt.datetime
    effective_date: dt.date
    canonical: str
    changes: tuple[str, ...]
    language: str

    def declaration(self) -> Declaration:
        """The declaration as it stood in this version."""
        return declaration_from_canonical(self.canonical)


def record_version(
    store: Store, declaration: Declaration, *, now: dt.datetime | None = None
) -> NoticeVersion:
    """The latest version if it has this meaning already, else a new version recording it."""
    _utc(now)  # a moment without a time zone fails here, before any work
    canonical = canonical_json(declaration)
    digest = digest_of(canonical)
    for _ in range(_ATTEMPTS):
        try:
            with store.session(write=True) as session:
                latest = _latest(session)
                # Read the clock only now, so that a later number never has an earlier time.
                moment = _utc(now)
                if latest is not None and latest.digest == digest:
                    return _version(latest)
                row = _next_row(latest, declaration, canonical, digest, moment)
                session.add(row)
                session.flush()
            return _version(row)
        except IntegrityError:
            continue  # another writer took this number first: read the latest again
    raise PledgeError(
        f"could not record a notice version after {_ATTEMPTS} attempts",
        "other processes kept recording versions at the same time; try again",
    )


def list_versions(store: Store) -> list[NoticeVersion]:
    with store.session() as session:
        rows = session.scalars(select(NoticeVersionRow).order_by(NoticeVersionRow.number))
        return [_version(row) for row in rows]


def get_version(store: Store, number: int) -> NoticeVersion:
    with store.session() as session:
        row = session.get(NoticeVersionRow, number)
        if row is not None:
            return _version(row)
        latest = _latest(session)
    known = f"versions 1 to {latest.number} exist" if latest else "no version is recorded yet"
    raise NotFound(f"there is no notice version {number}", known)


def latest_version(store: Store) -> NoticeVersion | None:
    with store.session() as session:
        latest = _latest(session)
        return _version(latest) if latest is not None else None


def last_updated(store: Store, declaration: Declaration) -> dt.date | None:
    """When this meaning took effect: the effective date of its latest version, if any."""
    digest = digest_of(canonical_json(declaration))
    query = (
        select(NoticeVersionRow.effective_date)
        .where(NoticeVersionRow.digest == digest)
        .order_by(NoticeVersionRow.number.desc())
        .limit(1)
    )
    with store.session() as session:
        return session.scalars(query).first()


def _next_row(
    latest: NoticeVersionRow | None,
    declaration: Declaration,
    canonical: str,
    digest: str,
    moment: dt.datetime,
) -> NoticeVersionRow:
    language = declaration.organisation.languages[0]
    if latest is None:
        # The first version takes over the date the notice already showed, if it had one.
        number, changes = 1, []
        effective = declaration.notice.last_updated or moment.date()
    else:
        previous = declaration_from_canonical(latest.declaration)
        changes = describe_changes(previous, published(declaration), language)
        number = latest.number + 1
        effective = moment.date()
    return NoticeVersionRow(
        number=number,
        digest=digest,
        recorded_at=moment,
        effective_date=effective,
        declaration=canonical,
        changes=changes,
        language=language,
    )


def _latest(session: Session) -> NoticeVersionRow | None:
    query = select(NoticeVersionRow).order_by(NoticeVersionRow.number.desc()).limit(1)
    return session.scalars(query).first()


def _version(row: NoticeVersionRow) -> NoticeVersion:
    return NoticeVersion(
        number=row.number,
        digest=row.digest,
        recorded_at=row.recorded_at,
        effective_date=row.effective_date,
        canonical=row.declaration,
        changes=tuple(row.changes),
        language=row.language,
    )


def _utc(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        raise ValueError(f"`now` must carry a time zone, got {now!r}")
    return now.astimezone(dt.UTC)
