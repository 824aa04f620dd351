"""The journal of what must stay gone names the columns erased from rows a legal hold kept in
part ("part_anonymised"), so that a replay erases those and never the ones the hold kept.

Revision ID: 0009
Revises: 0008
Created: 2027-02-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gone_rows") as batch:
        batch.add_column(sa.Column("columns", sa.JSON(), nullable=True))


def downgrade() -> None:
    # The "part_anonymised" entries stay: the journal is never cut, and an older Pledge's
    # replay passes over actions it does not know (this one notes them as not replayed).
    with op.batch_alter_table("gone_rows") as batch:
        batch.drop_column("columns")
