"""API tokens: shown once, kept as a digest, revoked by name, dead with their account."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from pledge.auth.roles import Role
from pledge.auth.tokens import create_token, find_token, list_tokens, revoke_token, touch_token
from pledge.auth.users import create_user, disable_user
from pledge.errors import NotFound, PledgeError
from pledge.store import Store, open_store
from pledge.store.tables import ApiTokenRow

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        with opened.session(write=True) as session:
            create_user(session, "ann", "correct horse battery staple", Role.VIEWER)
            create_user(session, "bob", "correct horse battery staple", Role.ADMIN)
        yield opened


def make(store: Store, username: str = "ann", name: str = "ticketing") -> str:
    with store.session(write=True) as session:
        return create_token(session, username, name, now=T0).token


def find(store: Store, token: str) -> str | None:
    with store.session() as session:
        found = find_token(session, token)
    return f"{found.username}:{found.role.value}" if found else None


def test_a_token_acts_as_its_user_and_only_its_digest_is_kept(store: Store) -> None:
    token = make(store)
    assert token.startswith("plg_") and len(token) >= 4 + 43
    with store.session() as session:
        [row] = session.scalars(select(ApiTokenRow))
    assert row.id == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.id, row.name)
    assert find(store, token) == "ann:viewer"
    assert find(store, token + "x") is None
    assert find(store, make(store, "bob", "export")) == "bob:admin"


def test_a_revoked_token_opens_nothing(store: Store) -> None:
    token, other = make(store), make(store, name="export")
    with store.session(write=True) as session:
        revoke_token(session, "ANN", " ticketing ", now=T0)
    assert find(store, token) is None
    assert find(store, other) == "ann:viewer"
    with store.session(write=True) as session, pytest.raises(NotFound, match="no live token"):
        revoke_token(session, "ann", "ticketing")
    # The name is free again once revoked.
    assert find(store, make(store)) == "ann:viewer"


def test_a_live_name_is_taken_once_per_user(store: Store) -> None:
    make(store)
    with pytest.raises(PledgeError, match="has a live token named 'ticketing' already"):
        make(store)
    make(store, "bob")  # another user's token may share the name
    with pytest.raises(PledgeError, match="needs a name"):
        make(store, name="  ")


def test_a_disabled_users_tokens_open_nothing(store: Store) -> None:
    token = make(store)
    with store.session(write=True) as session:
        disable_user(session, "ann")
    assert find(store, token) is None
    with pytest.raises(PledgeError, match="is disabled"):
        make(store, name="another")
    with store.session() as session:
        [info] = list_tokens(session)
    assert (info.username, info.user_disabled, info.revoked_at) == ("ann", True, None)


def test_use_is_recorded_at_most_once_a_minute(store: Store) -> None:
    token = make(store)
    with store.session() as session:
        found = find_token(session, token)
    assert found is not None and found.due_for_touch(T0)
    for seconds in (0, 30, 61):
        with store.session(write=True) as session:
            touch_token(session, found.token_id, now=T0 + dt.timedelta(seconds=seconds))
    with store.session() as session:
        [info] = list_tokens(session, "ann")
    assert info.last_used_at == T0 + dt.timedelta(seconds=61)


def test_list_tokens(store: Store) -> None:
    make(store, "bob", "export")
    make(store, "ann", "ticketing")
    with store.session(write=True) as session:
        revoke_token(session, "bob", "export", now=T0)
    with store.session() as session:
        everyone = [(t.username, t.name, t.revoked_at) for t in list_tokens(session)]
        only_ann = [t.username for t in list_tokens(session, "ann")]
    assert everyone == [("ann", "ticketing", None), ("bob", "export", T0)]
    assert only_ann == ["ann"]
