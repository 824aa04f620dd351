"""Notice versions: each published meaning of the declaration, numbered.

Revision ID: 0001
Revises:
Created: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_versions",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("declaration", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.CheckConstraint("number >= 1", name=op.f("ck_notice_versions_number_positive")),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_notice_versions")),
    )
    op.create_index(op.f("ix_notice_versions_digest"), "notice_versions", ["digest"])


def downgrade() -> None:
    op.drop_index(op.f("ix_notice_versions_digest"), table_name="notice_versions")
    op.drop_table("notice_versions")
