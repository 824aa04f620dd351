"""API tokens: `Authorization: Bearer <token>`, acting as their user, with the user's role.

A token is shown once, when made; the store keeps its SHA-256 only. Each has a name (what
it is for: "ticketing", "nightly export"), unique among its user's live tokens, by which it
is revoked. A token of a disabled account opens nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from pledge.auth.roles import Role
from pledge.auth.sessions import TOUCH_EVERY, token_digest
from pledge.auth.users import get_user
from pledge.errors import NotFound, PledgeError
from pledge.store.tables import ApiTokenRow, UserRow

# Marks the secret as Pledge's, so that secret scanners and people recognise a leaked one.
PREFIX = "plg_"
NAME_LENGTH = 120


@dataclass(frozen=True)
class NewToken:
    token: str  # shown once, never stored
    name: str
    username: str


@dataclass(frozen=True)
class TokenUser:
    """A live token and the account it acts as."""

    token_id: str
    user_id: int
    username: str
    role: Role
    last_used_at: dt.datetime | None

    def due_for_touch(self, now: dt.datetime) -> bool:
        return self.last_used_at is None or now - self.last_used_at >= TOUCH_EVERY


@dataclass(frozen=True)
class TokenInfo:
    username: str
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    user_disabled: bool


def create_token(
    session: Session, username: str, name: str, *, now: dt.datetime | None = None
) -> NewToken:
    """A new token for an active account; PledgeError if it has a live one of that name."""
    user = get_user(session, username)
    label = name.strip()
    if not label or len(label) > NAME_LENGTH:
        raise PledgeError(
            f"a token needs a name of 1 to {NAME_LENGTH} characters",
            "say what it is for, e.g. --name ticketing",
        )
    if user.disabled_at is not None:
        raise PledgeError(f"user '{user.username}' is disabled: a token of theirs would not work")
    taken = session.scalars(
        select(ApiTokenRow.id).where(
            ApiTokenRow.user_id == user.id,
            ApiTokenRow.name == label,
            ApiTokenRow.revoked_at.is_(None),
        )
    ).first()
    if taken is not None:
        raise PledgeError(
            f"user '{user.username}' has a live token named '{label}' already",
            "pick another name, or revoke that one first",
        )
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiTokenRow(
            id=token_digest(token),
            user_id=user.id,
            name=label,
            created_at=now or dt.datetime.now(dt.UTC),
        )
    )
    session.flush()
    return NewToken(token=token, name=label, username=user.username)


def find_token(session: Session, token: str) -> TokenUser | None:
    """The live token presented, with an active account; else None."""
    found = session.execute(
        select(ApiTokenRow, UserRow)
        .join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .where(
            ApiTokenRow.id == token_digest(token),
            ApiTokenRow.revoked_at.is_(None),
            UserRow.disabled_at.is_(None),
        )
    ).first()
    if found is None:
        return None
    row, user = found
    return TokenUser(
        token_id=row.id,
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        last_used_at=row.last_used_at,
    )


def touch_token(session: Session, token_id: str, *, now: dt.datetime) -> None:
    """Record use of the token now (if not recorded within the last minute)."""
    stale = or_(ApiTokenRow.last_used_at.is_(None), ApiTokenRow.last_used_at <= now - TOUCH_EVERY)
    session.execute(
        update(ApiTokenRow)
        .where(ApiTokenRow.id == token_id, stale)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


def revoke_token(
    session: Session, username: str, name: str, *, now: dt.datetime | None = None
) -> None:
    """Revoke the user's live token of this name; it stops working at once."""
    user = get_user(session, username)
    result = session.execute(
        update(ApiTokenRow)
        .where(
            ApiTokenRow.user_id == user.id,
            ApiTokenRow.name == name.strip(),
            ApiTokenRow.revoked_at.is_(None),
        )
        .values(revoked_at=now or dt.datetime.now(dt.UTC))
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) == 0:
        raise NotFound(
            f"user '{user.username}' has no live token named '{name.strip()}'",
            "list the tokens with `pledge token list`",
        )


def list_tokens(session: Session, username: str | None = None) -> list[TokenInfo]:
    """Tokens (live and revoked) by user then name; the token itself is never kept."""
    query = (
        select(ApiTokenRow, UserRow)
        .join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .order_by(UserRow.username, ApiTokenRow.name, ApiTokenRow.created_at)
    )
    if username is not None:
        query = query.where(UserRow.id == get_user(session, username).id)
    return [
        TokenInfo(
            username=user.username,
            name=row.name,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
            user_disabled=user.disabled_at is not None,
        )
        for row, user in session.execute(query)
    ]
