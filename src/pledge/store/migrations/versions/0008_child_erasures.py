"""What legal holds kept from a child's erasure, until nothing holds it; the erasure journal's
entries that still keep values, indexed for the scan of a hold that ends.

Revision ID: 0008
Revises: 0007
Created: 2027-01-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Written out rather than imported: a migration must not change when the models do.
_KEEPING = "params IS NOT NULL"


def upgrade() -> None:
    op.create_table(
        "child_erasures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("params", sa.LargeBinary(), nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["subject_events.id"],
            name=op.f("fk_child_erasures_event_id_subject_events"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["sweep_runs.id"], name=op.f("fk_child_erasures_run_id_sweep_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_erasures")),
        sa.UniqueConstraint("run_id", "source", name=op.f("uq_child_erasures_run_id_source")),
    )
    op.create_index(op.f("ix_child_erasures_event_id"), "child_erasures", ["event_id"])
    op.create_index(
        "ix_erasure_journal_keeping",
        "erasure_journal",
        ["request_id"],
        sqlite_where=sa.text(_KEEPING),
        postgresql_where=sa.text(_KEEPING),
    )


def downgrade() -> None:
    op.drop_index("ix_erasure_journal_keeping", table_name="erasure_journal")
    op.drop_index(op.f("ix_child_erasures_event_id"), table_name="child_erasures")
    op.drop_table("child_erasures")
