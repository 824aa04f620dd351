"""Staff sessions: only a digest kept, idle and absolute timeouts, logout."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from pledge.auth.roles import Role
from pledge.auth.sessions import (
    NewSession,
    end_session,
    find_session,
    start_session,
    touch_session,
)
from pledge.auth.users import create_user, disable_user, get_user
from pledge.store import Store, open_store
from pledge.store.tables import StaffSessionRow

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        with opened.session(write=True) as session:
            create_user(session, "ann", "correct horse battery staple", Role.PRIVACY_OFFICER)
        yield opened


def start(store: Store, minutes: float = 0) -> NewSession:
    with store.session(write=True) as session:
        return start_session(session, get_user(session, "ann"), now=at(minutes))


def use(store: Store, token: str, minutes: float) -> bool:
    """Whether the session is live at that minute; if so, it is used (and touched)."""
    with store.session() as session:
        found = find_session(session, token, now=at(minutes))
    if found is not None and found.due_for_touch(at(minutes)):
        with store.session(write=True) as session:
            touch_session(session, found.session_id, now=at(minutes))
    return found is not None


def test_only_the_digest_of_the_token_is_kept(store: Store) -> None:
    new = start(store)
    with store.session() as session:
        [row] = session.scalars(select(StaffSessionRow))
        found = find_session(session, new.token, now=at(1))
    assert row.id == hashlib.sha256(new.token.encode()).hexdigest()
    assert new.token not in (row.id, row.csrf_token)
    assert len(new.token) >= 43 and len(new.csrf_token) >= 43  # 256 random bits each
    assert found is not None
    assert (found.username, found.role, found.csrf_token) == (
        "ann",
        Role.PRIVACY_OFFICER,
        row.csrf_token,
    )
    assert new.expires_at == at(12 * 60)


def test_each_session_has_its_own_tokens(store: Store) -> None:
    one, two = start(store), start(store)
    assert one.token != two.token
    assert one.csrf_token != two.csrf_token


def test_a_session_ends_after_thirty_idle_minutes(store: Store) -> None:
    new = start(store)
    assert use(store, new.token, 29)
    assert use(store, new.token, 58), "use at minute 29 restarted the idle count"
    assert use(store, new.token, 87.5)
    assert not use(store, new.token, 118)
    assert not use(store, new.token, 118.5), "an ended session stays ended"


def test_use_is_recorded_at_most_once_a_minute(store: Store) -> None:
    new = start(store)
    assert use(store, new.token, 0.5)
    with store.session() as session:
        assert session.scalars(select(StaffSessionRow.last_seen_at)).one() == at(0)
    assert use(store, new.token, 1)
    with store.session() as session:
        assert session.scalars(select(StaffSessionRow.last_seen_at)).one() == at(1)


def test_a_session_ends_twelve_hours_after_sign_in_however_used(store: Store) -> None:
    new = start(store)
    for minutes in range(20, 12 * 60, 20):
        assert use(store, new.token, minutes), f"live at minute {minutes}"
    assert not use(store, new.token, 12 * 60)


def test_logout_deletes_the_session(store: Store) -> None:
    new, other = start(store), start(store)
    with store.session(write=True) as session:
        end_session(session, new.token)
    assert not use(store, new.token, 1)
    assert use(store, other.token, 1)


def test_a_disabled_account_has_no_session(store: Store) -> None:
    new = start(store)
    with store.session(write=True) as session:
        disable_user(session, "ann")
    assert not use(store, new.token, 1)


def test_an_unknown_token_finds_nothing(store: Store) -> None:
    start(store)
    assert not use(store, "not-a-token", 1)
    assert not use(store, "", 1)


def test_ended_sessions_are_cleared_at_the_next_sign_in(store: Store) -> None:
    start(store)
    start(store, 60)
    start(store, 13 * 60)
    with store.session() as session:
        created = sorted(session.scalars(select(StaffSessionRow.created_at)))
    assert created == [at(13 * 60)]
