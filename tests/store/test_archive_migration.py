"""Migration 0006 (the archive, the role legal) on a store already in use: staff accounts,
their sessions and tokens survive the change of the users' role constraint, which then
takes legal and still refuses an unknown role, and foreign keys still hold."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from pledge.store import open_store
from pledge.store.database import alembic_config

_NOW = dt.datetime(2027, 1, 11, 9, tzinfo=dt.UTC)


def _users_and_sessions(url: str) -> None:
    """A store at 0005 with two accounts, a session and a token."""
    with open_store(url) as store, store.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0005")
        for number, role in ((1, "admin"), (2, "viewer")):
            connection.execute(
                text(
                    "INSERT INTO users (id, username, password_hash, role, created_at)"
                    " VALUES (:id, :name, 'x', :role, :now)"
                ),
                {"id": number, "name": f"user{number}", "role": role, "now": _NOW},
            )
        connection.execute(
            text(
                "INSERT INTO staff_sessions (id, user_id, csrf_token, created_at, expires_at,"
                " last_seen_at) VALUES ('s', 2, 'c', :now, :now, :now)"
            ),
            {"now": _NOW},
        )
        connection.execute(
            text(
                "INSERT INTO api_tokens (id, user_id, name, created_at) VALUES ('t', 1, 'n', :now)"
            ),
            {"now": _NOW},
        )


def test_accounts_in_use_survive_and_the_role_legal_is_taken(store_url: str) -> None:
    _users_and_sessions(store_url)
    with open_store(store_url) as store:  # migrates to the newest, 0006 included
        with store.engine.begin() as connection:
            users = connection.execute(text("SELECT id, role FROM users ORDER BY id")).all()
            assert [tuple(u) for u in users] == [(1, "admin"), (2, "viewer")]
            assert connection.execute(text("SELECT user_id FROM staff_sessions")).all() == [(2,)]
            assert connection.execute(text("SELECT user_id FROM api_tokens")).all() == [(1,)]
            connection.execute(text("UPDATE users SET role = 'legal' WHERE id = 2"))
            tables = inspect(connection).get_table_names()
            assert {"archived_rows", "archive_reads"} <= set(tables)
        with pytest.raises(IntegrityError), store.engine.begin() as connection:
            connection.execute(text("UPDATE users SET role = 'boss' WHERE id = 2"))
        with pytest.raises(IntegrityError), store.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO staff_sessions (id, user_id, csrf_token, created_at,"
                    " expires_at, last_seen_at) VALUES ('s2', 99, 'c', :now, :now, :now)"
                ),
                {"now": _NOW},
            )


def test_going_back_disables_the_legal_accounts(store_url: str) -> None:
    with open_store(store_url) as store:
        with store.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (id, username, password_hash, role, created_at)"
                    " VALUES (1, 'lea', 'x', 'legal', :now)"
                ),
                {"now": _NOW},
            )
        with store.engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0005")
            role, disabled = connection.execute(text("SELECT role, disabled_at FROM users")).one()
            assert (role, disabled is not None) == ("viewer", True)
            assert "archived_rows" not in inspect(connection).get_table_names()
        with store.engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
