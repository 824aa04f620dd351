"""Staff accounts in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import func, select

from pledge.auth.passwords import HASHER, needs_rehash
from pledge.auth.roles import Role
from pledge.auth.sessions import start_session
from pledge.auth.users import (
    authenticate,
    create_user,
    disable_user,
    get_user,
    list_users,
    set_password,
)
from pledge.errors import NotFound, PledgeError
from pledge.store import Store, open_store
from pledge.store.tables import StaffSessionRow

PASSWORD = "correct horse battery staple"
WEAK = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def add(store: Store, username: str, role: Role = Role.VIEWER, **kwargs: object) -> None:
    with store.session(write=True) as session:
        create_user(session, username, PASSWORD, role, now=NOW, **kwargs)  # type: ignore[arg-type]


def test_a_user_is_kept_in_lower_case_with_a_hash(store: Store) -> None:
    add(store, "  Ann.Lee@Example.com ", Role.ADMIN)
    with store.session() as session:
        user = get_user(session, "ann.lee@example.COM")
        assert user.username == "ann.lee@example.com"
        assert user.role == "admin"
        assert user.password_hash.startswith("$argon2id$")
        assert user.created_at == NOW
        assert user.disabled_at is None


def test_a_username_is_taken_once_whatever_its_case(store: Store) -> None:
    add(store, "ann")
    with pytest.raises(PledgeError, match="there is a user 'ann' already"):
        add(store, "ANN")
    with store.session() as session:
        assert [user.username for user in list_users(session)] == ["ann"]


@pytest.mark.parametrize("name", ["", "-ann", "ann lee", "a" * 121, "ann/../x"])
def test_a_username_is_letters_digits_and_a_few_signs(store: Store, name: str) -> None:
    with pytest.raises(PledgeError, match="cannot be a username"):
        add(store, name)


def test_the_password_rule_applies_when_adding(store: Store) -> None:
    with store.session(write=True) as session, pytest.raises(PledgeError, match="at least 12"):
        create_user(session, "ann", "short", Role.VIEWER)


def test_authenticate(store: Store) -> None:
    add(store, "ann", Role.PRIVACY_OFFICER)
    with store.session(write=True) as session:
        user = authenticate(session, "ANN", PASSWORD)
        assert user is not None
        assert (user.username, user.role) == ("ann", "privacy_officer")
        assert authenticate(session, "ann", PASSWORD + "x") is None
        assert authenticate(session, "nobody", PASSWORD) is None
        assert authenticate(session, "", PASSWORD) is None


def test_login_replaces_a_hash_made_with_older_parameters(store: Store) -> None:
    add(store, "ann", hasher=WEAK)
    with store.session() as session:
        old = get_user(session, "ann").password_hash
    assert needs_rehash(old)
    with store.session(write=True) as session:
        assert authenticate(session, "ann", PASSWORD) is not None
    with store.session() as session:
        new = get_user(session, "ann").password_hash
    assert new != old
    assert extract_parameters(new) == extract_parameters(HASHER.hash(PASSWORD))
    with store.session(write=True) as session:
        assert authenticate(session, "ann", PASSWORD) is not None
    with store.session() as session:
        assert get_user(session, "ann").password_hash == new, "a current hash is left alone"


def test_a_wrong_password_does_not_rehash(store: Store) -> None:
    add(store, "ann", hasher=WEAK)
    with store.session() as session:
        old = get_user(session, "ann").password_hash
    with store.session(write=True) as session:
        assert authenticate(session, "ann", "not the password") is None
    with store.session() as session:
        assert get_user(session, "ann").password_hash == old


def sessions_of(store: Store, username: str) -> int:
    with store.session() as session:
        user = get_user(session, username)
        count = session.scalar(
            select(func.count())
            .select_from(StaffSessionRow)
            .where(StaffSessionRow.user_id == user.id)
        )
    return int(count or 0)


def test_disabling_stops_sign_in_and_ends_sessions(store: Store) -> None:
    add(store, "ann")
    add(store, "bob")
    with store.session(write=True) as session:
        start_session(session, get_user(session, "ann"), now=NOW)
        start_session(session, get_user(session, "bob"), now=NOW)
    later = NOW + dt.timedelta(hours=1)
    with store.session(write=True) as session:
        disabled = disable_user(session, "Ann", now=later)
        assert disabled.disabled_at == later
    assert sessions_of(store, "ann") == 0
    assert sessions_of(store, "bob") == 1
    with store.session(write=True) as session:
        assert authenticate(session, "ann", PASSWORD) is None
        # Disabling again keeps the first date.
        assert disable_user(session, "ann").disabled_at == later


def test_a_new_password_ends_the_sessions(store: Store) -> None:
    add(store, "ann")
    with store.session(write=True) as session:
        start_session(session, get_user(session, "ann"), now=NOW)
        set_password(session, "ann", "a brand new passphrase")
    assert sessions_of(store, "ann") == 0
    with store.session(write=True) as session:
        assert authenticate(session, "ann", PASSWORD) is None
        assert authenticate(session, "ann", "a brand new passphrase") is not None


def test_an_unknown_user(store: Store) -> None:
    with store.session(write=True) as session, pytest.raises(NotFound, match="no user 'zed'"):
        disable_user(session, "zed")
