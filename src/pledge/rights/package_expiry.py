"""Deleting the person's copy once it is no longer offered: a copy of all their data must not
outlive the promise that it is kept only as long as needed.

A package (pledge.rights.delivery) is offered through a link for DOWNLOAD_DAYS days. Its
sealed bytes are deleted from the store:

- once the link has expired, by the scheduled retention sweep (`delete_expired`, from
  pledge.retention.schedule), for every expired package at once;
- when an erasure of the same person (the same email, whatever its case) completes, at
  once, in the transaction that closes it (`delete_erased`, from
  pledge.rights.erasure_run), for the packages made before it. The sweep does the same for
  every person (an erasure closed by hand, or before this was done).

Each is one UPDATE over the results, never a loop over rows. The request keeps its result's
summary (the proof); the package's end moment stays in `package_expires_at` (brought forward
to the deletion when an erasure ended the offer early), so that a result with no package
but an end moment reads "expired and deleted" (`delivery.package_deleted_at`). Each request
whose copy was deleted gets a note on its timeline, which staff see in the console.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, case, exists, func, insert, literal, update
from sqlalchemy.orm import Session, aliased

from pledge.rights.types import HANDLING
from pledge.store.base import UtcDateTime
from pledge.store.tables import RequestEventRow, RequestResultRow, RequestRow

EXPIRED_NOTE = (
    "the copy of the data offered for download expired: it was deleted from the store "
    "(the summary stays as proof)"
)
ERASED_NOTE = (
    "the copy of the data offered for download was deleted from the store: an erasure of "
    "the person's data completed after it was made (the summary stays as proof)"
)
_ERASURE_TYPES = tuple(kind for kind, handling in HANDLING.items() if handling == "erasure")
_ERASED = ("completed", "partially_completed")


def delete_expired(session: Session, *, now: dt.datetime, actor: str) -> list[str]:
    """Delete every package whose download link expired by `now`; the requests whose copy
    was deleted, each with a note on its timeline."""
    ended = and_(RequestResultRow.package.is_not(None), RequestResultRow.package_expires_at <= now)
    return _delete(session, ended, now=now, actor=actor, note=EXPIRED_NOTE)


def delete_erased(
    session: Session, *, now: dt.datetime, actor: str, email: str | None = None
) -> list[str]:
    """Delete the packages made before an erasure of the same person completed (of the
    person with this email, or of everyone); the requests whose copy was deleted."""
    owner = aliased(RequestRow)
    erasure = aliased(RequestRow)
    erased_since = exists().where(
        owner.id == RequestResultRow.request_id,
        func.lower(erasure.email) == func.lower(owner.email),
        erasure.type.in_(_ERASURE_TYPES),
        erasure.state.in_(_ERASED),
        erasure.closed_at >= RequestResultRow.created_at,
    )
    if email is not None:
        # Lower-cased by the database on both sides: SQLite's lower() leaves non-ASCII be.
        erased_since = erased_since.where(func.lower(owner.email) == func.lower(literal(email)))
    ended = and_(RequestResultRow.package.is_not(None), erased_since)
    return _delete(session, ended, now=now, actor=actor, note=ERASED_NOTE)


def _delete(
    session: Session, ended: ColumnElement[bool], *, now: dt.datetime, actor: str, note: str
) -> list[str]:
    # RETURNING names the rows this statement changed: two sweeps at once (PostgreSQL
    # re-checks the condition on a row the other one changed) note each deletion once.
    statement = (
        update(RequestResultRow)
        .where(ended)
        .values(
            package=None,
            package_expires_at=case(
                (RequestResultRow.package_expires_at > now, literal(now, UtcDateTime())),
                else_=RequestResultRow.package_expires_at,
            ),
        )
        .returning(RequestResultRow.request_id)
        # Results already loaded in the session lose the bytes too.
        .execution_options(synchronize_session="fetch")
    )
    deleted: Sequence[str] = session.scalars(statement).all()
    if deleted:
        session.execute(
            insert(RequestEventRow),
            [
                {"request_id": ref, "at": now, "kind": "note", "actor": actor, "note": note}
                for ref in deleted
            ],
        )
    return sorted(deleted)
