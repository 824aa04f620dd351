"""Staff accounts in the store: adding, listing, disabling, and checking a login.

Usernames are kept in lower case, so "Ann" and "ann" are one account. A disabled account
stays (events name it as their actor) but cannot sign in, and its sessions end at once.
"""

from __future__ import annotations

import datetime as dt
import re

from argon2 import PasswordHasher
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pledge.auth.passwords import HASHER, hash_password, needs_rehash, verify_password
from pledge.auth.roles import Role
from pledge.errors import NotFound, PledgeError
from pledge.store.tables import StaffSessionRow, UserRow

USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,119}")


def normalise_username(username: str) -> str:
    return username.strip().lower()


def create_user(
    session: Session,
    username: str,
    password: str,
    role: Role,
    *,
    now: dt.datetime | None = None,
    hasher: PasswordHasher = HASHER,
) -> UserRow:
    """Add an account; PledgeError if the name is taken or the password too weak."""
    name = normalise_username(username)
    if not USERNAME.fullmatch(name):
        raise PledgeError(
            f"'{username}' cannot be a username",
            "use up to 120 letters, digits and . _ @ -, starting with a letter or digit",
        )
    row = UserRow(
        username=name,
        password_hash=hash_password(password, hasher),
        role=role.value,
        created_at=now or dt.datetime.now(dt.UTC),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise PledgeError(
            f"there is a user '{name}' already", "pick another name, or disable that one first"
        ) from None
    return row


def get_user(session: Session, username: str) -> UserRow:
    name = normalise_username(username)
    row = session.scalars(select(UserRow).where(UserRow.username == name)).first()
    if row is None:
        raise NotFound(f"there is no user '{name}'", "list the users with `pledge user list`")
    return row


def list_users(session: Session) -> list[UserRow]:
    return list(session.scalars(select(UserRow).order_by(UserRow.username)))


def disable_user(session: Session, username: str, *, now: dt.datetime | None = None) -> UserRow:
    """Stop an account signing in or using its tokens, and end its sessions now."""
    row = get_user(session, username)
    if row.disabled_at is None:
        row.disabled_at = now or dt.datetime.now(dt.UTC)
    session.execute(delete(StaffSessionRow).where(StaffSessionRow.user_id == row.id))
    session.flush()
    return row


def set_password(
    session: Session, username: str, password: str, *, hasher: PasswordHasher = HASHER
) -> UserRow:
    """Give an account a new password; its sessions end, so every browser signs in again."""
    row = get_user(session, username)
    row.password_hash = hash_password(password, hasher)
    session.execute(delete(StaffSessionRow).where(StaffSessionRow.user_id == row.id))
    session.flush()
    return row


def authenticate(
    session: Session, username: str, password: str, *, hasher: PasswordHasher = HASHER
) -> UserRow | None:
    """The active account whose password this is, or None, taking as long either way.

    A hash made with older parameters is replaced by one made with `hasher`'s, in the
    caller's transaction (open it with `write=True`).
    """
    name = normalise_username(username)
    row = session.scalars(select(UserRow).where(UserRow.username == name)).first()
    active = row if row is not None and row.disabled_at is None else None
    stored = active.password_hash if active is not None else None
    if not verify_password(stored, password, hasher) or active is None:
        return None
    if needs_rehash(active.password_hash, hasher):
        fresh = hasher.hash(password)
        # Only if no one changed the password meanwhile: theirs wins.
        session.execute(
            update(UserRow)
            .where(UserRow.id == active.id, UserRow.password_hash == active.password_hash)
            .values(password_hash=fresh)
            .execution_options(synchronize_session=False)
        )
        session.expire(active, ["password_hash"])
    return active
