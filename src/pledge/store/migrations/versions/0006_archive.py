"""The archive: rows past their active period, sealed, and who opened them; the sweep's
counts of rows archived and deleted from the archive; the staff role legal.

Revision ID: 0006
Revises: 0005
Created: 2027-01-11
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Written out rather than imported: a migration must not change when the models do.
_ROLES_BEFORE = "role IN ('admin', 'privacy_officer', 'viewer')"
_ROLES_AFTER = "role IN ('admin', 'privacy_officer', 'viewer', 'legal')"
_USER_COLUMNS = "id, username, password_hash, role, created_at, disabled_at"
_HELD_USERS = "_pledge_users_held"


def _moment(name: str) -> sa.Column[dt.datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "archived_rows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("table_name", sa.String(128), nullable=False),
        sa.Column("rule", sa.String(128), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("key_digest", sa.String(64), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        _moment("archived_at"),
        _moment("until"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archived_rows")),
    )
    op.create_index(
        "ix_archived_rows_source_table_until", "archived_rows", ["source", "table_name", "until"]
    )
    op.create_index(
        "ix_archived_rows_source_table_key",
        "archived_rows",
        ["source", "table_name", "key_digest"],
    )
    op.create_table(
        "archive_reads",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("archived_row_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("table_name", sa.String(128), nullable=False),
        sa.Column("read_by", sa.String(120), nullable=False),
        _moment("read_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_reads")),
    )
    op.create_index("ix_archive_reads_read_at", "archive_reads", ["read_at"])
    with op.batch_alter_table("sweep_results") as batch:
        for column in ("archived", "archive_deleted"):
            batch.add_column(sa.Column(column, sa.Integer(), server_default="0", nullable=False))
    _user_roles(_ROLES_AFTER)


def downgrade() -> None:
    # Accounts with the role legal could not stay: they are disabled as viewers, not lost.
    op.execute(
        "UPDATE users SET role = 'viewer', disabled_at = COALESCE(disabled_at, CURRENT_TIMESTAMP)"
        " WHERE role = 'legal'"
    )
    _user_roles(_ROLES_BEFORE)
    with op.batch_alter_table("sweep_results") as batch:
        batch.drop_column("archive_deleted")
        batch.drop_column("archived")
    op.drop_table("archive_reads")
    op.drop_table("archived_rows")


def _user_roles(check: str) -> None:
    """The users' role constraint replaced by `check`."""
    name = op.f("ck_users_role_known")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(name, "users", type_="check")
        op.create_check_constraint(name, "users", check)
        return
    # SQLite changes a constraint by copying the table, dropping it and renaming the copy;
    # with foreign keys on (sessions and tokens refer to users) the drop would fail, and
    # they cannot be turned off inside the migration's transaction. Deferred to the commit,
    # they hold again once the users are back: set aside, deleted (the sessions and tokens
    # then refer to no one), and put back into the new table (they do again).
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute(f"CREATE TABLE {_HELD_USERS} AS SELECT {_USER_COLUMNS} FROM users")
    op.execute("DELETE FROM users")
    with op.batch_alter_table("users", recreate="always") as batch:
        batch.drop_constraint(name, type_="check")
        batch.create_check_constraint(name, check)
    op.execute(f"INSERT INTO users ({_USER_COLUMNS}) SELECT {_USER_COLUMNS} FROM {_HELD_USERS}")
    op.execute(f"DROP TABLE {_HELD_USERS}")
