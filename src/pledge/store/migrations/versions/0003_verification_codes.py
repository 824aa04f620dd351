"""Identity codes emailed to people who filed a request (kept as keyed hashes only).

Revision ID: 0003
Revises: 0002
Created: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Written out rather than imported: a migration must not change when the models do.
_CODE_STATES = "state IN ('live', 'used', 'replaced', 'exhausted')"


def upgrade() -> None:
    op.create_table(
        "verification_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(_CODE_STATES, name=op.f("ck_verification_codes_state_known")),
        sa.CheckConstraint(
            "attempts >= 0", name=op.f("ck_verification_codes_attempts_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_verification_codes_request_id_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_codes")),
    )
    op.create_index(
        "ix_verification_codes_request_id_issued_at",
        "verification_codes",
        ["request_id", "issued_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_verification_codes_request_id_issued_at", table_name="verification_codes")
    op.drop_table("verification_codes")
