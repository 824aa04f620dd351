"""Recent tries of the rate limits and the login throttle, shared by every server process
(the key of each try kept as a keyed hash only).

Revision ID: 0007
Revises: 0006
Created: 2027-01-18
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_tries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("key_digest", sa.String(64), nullable=False),
        sa.Column("moment", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_tries")),
    )
    op.create_index(
        "ix_rate_tries_scope_key_digest_moment", "rate_tries", ["scope", "key_digest", "moment"]
    )
    op.create_index("ix_rate_tries_moment", "rate_tries", ["moment"])


def downgrade() -> None:
    op.drop_index("ix_rate_tries_moment", table_name="rate_tries")
    op.drop_index("ix_rate_tries_scope_key_digest_moment", table_name="rate_tries")
    op.drop_table("rate_tries")
