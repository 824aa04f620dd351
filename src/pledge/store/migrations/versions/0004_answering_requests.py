"""What answering requests needs: results and packages, the erasure journal, recipients told,
people's standing decisions, agents' proofs, and staff with their sessions and API tokens.

Revision ID: 0004
Revises: 0003
Created: 2026-12-04
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Written out rather than imported: a migration must not change when the models do.
_JOURNAL_STATES = "state IN ('pending', 'done')"
_NOTICE_STATES = "state IN ('pending', 'sent', 'failed')"
_DECISION_KINDS = "kind IN ('restriction', 'objection', 'withdrawal', 'opt_out')"
_ROLES = "role IN ('admin', 'privacy_officer', 'viewer')"


def _moment(name: str, *, nullable: bool = False) -> sa.Column[dt.datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column(
        "requests", sa.Column("language", sa.String(8), server_default="en", nullable=False)
    )
    op.add_column("requests", sa.Column("details", sa.JSON(), server_default="{}", nullable=False))
    op.add_column("requests", sa.Column("agent_name", sa.String(200), nullable=True))
    op.add_column("requests", sa.Column("agent_email", sa.String(320), nullable=True))
    op.add_column(
        "verification_codes",
        sa.Column("purpose", sa.String(16), server_default="identity", nullable=False),
    )

    op.create_table(
        "request_results",
        sa.Column("request_id", sa.String(16), nullable=False),
        _moment("created_at"),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("package", sa.LargeBinary(), nullable=True),
        _moment("package_expires_at", nullable=True),
        _moment("downloaded_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_request_results_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_request_results")),
    )

    op.create_table(
        "erasure_journal",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(16), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("params", sa.LargeBinary(), nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=True),
        _moment("started_at"),
        _moment("finished_at", nullable=True),
        sa.CheckConstraint(_JOURNAL_STATES, name=op.f("ck_erasure_journal_state_known")),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_erasure_journal_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_journal")),
        sa.UniqueConstraint(
            "request_id", "source", name=op.f("uq_erasure_journal_request_id_source")
        ),
    )

    op.create_table(
        "recipient_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _moment("sent_at", nullable=True),
        sa.CheckConstraint(_NOTICE_STATES, name=op.f("ck_recipient_notices_state_known")),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_recipient_notices_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_notices")),
        sa.UniqueConstraint(
            "request_id", "recipient", name=op.f("uq_recipient_notices_request_id_recipient")
        ),
    )

    op.create_table(
        "subject_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(16), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("activity", sa.String(64), nullable=True),
        sa.Column("identity_kind", sa.String(32), nullable=False),
        sa.Column("identity_value", sa.String(320), nullable=False),
        _moment("decided_at"),
        sa.Column("note", sa.Text(), nullable=True),
        _moment("lifted_at", nullable=True),
        sa.Column("lifted_by", sa.String(120), nullable=True),
        sa.CheckConstraint(_DECISION_KINDS, name=op.f("ck_subject_decisions_kind_known")),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_subject_decisions_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_decisions")),
    )
    op.create_index(
        "ix_subject_decisions_identity", "subject_decisions", ["identity_kind", "identity_value"]
    )
    op.create_index(op.f("ix_subject_decisions_request_id"), "subject_decisions", ["request_id"])

    op.create_table(
        "restricted_rows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("table_name", sa.String(128), nullable=False),
        sa.Column("row_key", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["subject_decisions.id"],
            name=op.f("fk_restricted_rows_decision_id_subject_decisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restricted_rows")),
    )
    op.create_index(op.f("ix_restricted_rows_decision_id"), "restricted_rows", ["decision_id"])
    op.create_index("ix_restricted_rows_source_table", "restricted_rows", ["source", "table_name"])

    op.create_table(
        "agent_proofs",
        sa.Column("request_id", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        _moment("uploaded_at"),
        sa.Column("reviewed_by", sa.String(120), nullable=True),
        _moment("reviewed_at", nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_agent_proofs_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_agent_proofs")),
    )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(120), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        _moment("created_at"),
        _moment("disabled_at", nullable=True),
        sa.CheckConstraint(_ROLES, name=op.f("ck_users_role_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )

    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _moment("created_at"),
        _moment("expires_at"),
        _moment("last_seen_at"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_staff_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
    )
    op.create_index(op.f("ix_staff_sessions_user_id"), "staff_sessions", ["user_id"])

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        _moment("created_at"),
        _moment("last_used_at", nullable=True),
        _moment("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])


def downgrade() -> None:
    for table in (
        "api_tokens",
        "staff_sessions",
        "users",
        "agent_proofs",
        "restricted_rows",
        "subject_decisions",
        "recipient_notices",
        "erasure_journal",
        "request_results",
    ):
        op.drop_table(table)
    with op.batch_alter_table("verification_codes") as batch:
        batch.drop_column("purpose")
    with op.batch_alter_table("requests") as batch:
        for column in ("agent_email", "agent_name", "details", "language"):
            batch.drop_column(column)
