"""Signed-in browsers: a random token in a cookie, of which the store keeps only the SHA-256.

A session ends after 30 minutes without use, 12 hours after sign-in whatever happens, at
logout, and when its account is disabled or its password changed. Each one has its own
random CSRF token, which every unsafe request made with the cookie must carry back.

Use is recorded at most once a minute (`touch_session`), so that reading pages does not
write to the store on every request; an idle session may so end up to a minute early.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pledge.auth.roles import Role
from pledge.store.tables import StaffSessionRow, UserRow

COOKIE = "pledge_session"
IDLE_TIMEOUT = dt.timedelta(minutes=30)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=12)
TOUCH_EVERY = dt.timedelta(minutes=1)


def token_digest(token: str) -> str:
    """What the store keeps of a session or API token: its SHA-256, in hex.

    The tokens are 256 random bits, so a plain hash is enough: there is nothing to guess.
    """
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewSession:
    token: str  # for the cookie; never stored
    csrf_token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class SessionUser:
    """A live session and the account it belongs to."""

    session_id: str
    user_id: int
    username: str
    role: Role
    csrf_token: str
    last_seen_at: dt.datetime

    def due_for_touch(self, now: dt.datetime) -> bool:
        return now - self.last_seen_at >= TOUCH_EVERY


def start_session(session: Session, user: UserRow, *, now: dt.datetime) -> NewSession:
    """A new session for `user`; sessions that ended meanwhile are cleared on the way."""
    session.execute(delete(StaffSessionRow).where(_ended(now)))
    token = secrets.token_urlsafe(32)
    row = StaffSessionRow(
        id=token_digest(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + ABSOLUTE_TIMEOUT,
        last_seen_at=now,
    )
    session.add(row)
    session.flush()
    return NewSession(token=token, csrf_token=row.csrf_token, expires_at=row.expires_at)


def find_session(session: Session, token: str, *, now: dt.datetime) -> SessionUser | None:
    """The live session of this cookie token, with an active account; else None."""
    found = session.execute(
        select(StaffSessionRow, UserRow)
        .join(UserRow, UserRow.id == StaffSessionRow.user_id)
        .where(
            StaffSessionRow.id == token_digest(token),
            StaffSessionRow.expires_at > now,
            StaffSessionRow.last_seen_at > now - IDLE_TIMEOUT,
            UserRow.disabled_at.is_(None),
        )
    ).first()
    if found is None:
        return None
    row, user = found
    return SessionUser(
        session_id=row.id,
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        csrf_token=row.csrf_token,
        last_seen_at=row.last_seen_at,
    )


def touch_session(session: Session, session_id: str, *, now: dt.datetime) -> None:
    """Record use of the session now (if not recorded within the last minute)."""
    session.execute(
        update(StaffSessionRow)
        .where(StaffSessionRow.id == session_id, StaffSessionRow.last_seen_at <= now - TOUCH_EVERY)
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )


def end_session(session: Session, token: str) -> None:
    """Log out: the session's row goes, so the cookie opens nothing even if kept."""
    session.execute(delete(StaffSessionRow).where(StaffSessionRow.id == token_digest(token)))


def _ended(now: dt.datetime) -> ColumnElement[bool]:
    return or_(
        StaffSessionRow.expires_at <= now, StaffSessionRow.last_seen_at <= now - IDLE_TIMEOUT
    )
