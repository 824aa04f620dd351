"""Recipients told of a restriction are told of its lifting: a notice has a kind ("request":
of what the request did; "restriction_lifted"), one of each per request and recipient, and a
notice not sent when the restriction was lifted is "cancelled".

Revision ID: 0010
Revises: 0009
Created: 2027-02-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Written out rather than imported: a migration must not change when the models do.
_STATES_BEFORE = "state IN ('pending', 'sent', 'failed')"
_STATES_AFTER = "state IN ('pending', 'sent', 'failed', 'cancelled')"
_KINDS = "kind IN ('request', 'restriction_lifted')"
_CANCELLED_ERROR = "cancelled: the restriction was lifted before this recipient was told of it"


def upgrade() -> None:
    # Every notice so far told of what its request did: the default says so.
    with op.batch_alter_table("recipient_notices") as batch:
        batch.add_column(sa.Column("kind", sa.String(24), server_default="request", nullable=False))
    with op.batch_alter_table("recipient_notices") as batch:
        batch.drop_constraint(op.f("uq_recipient_notices_request_id_recipient"), type_="unique")
        batch.create_unique_constraint(
            op.f("uq_recipient_notices_request_id_recipient_kind"),
            ["request_id", "recipient", "kind"],
        )
        batch.drop_constraint(op.f("ck_recipient_notices_state_known"), type_="check")
        batch.create_check_constraint(op.f("ck_recipient_notices_state_known"), _STATES_AFTER)
        batch.create_check_constraint(op.f("ck_recipient_notices_kind_known"), _KINDS)


def downgrade() -> None:
    # An older Pledge knows one notice per request and recipient: the lifting's go (the
    # timeline keeps what became of them), and a cancelled notice, which it cannot hold,
    # becomes a failed one that says why.
    op.execute("DELETE FROM recipient_notices WHERE kind <> 'request'")
    op.execute(
        f"UPDATE recipient_notices SET state = 'failed', last_error = '{_CANCELLED_ERROR}'"
        " WHERE state = 'cancelled'"
    )
    with op.batch_alter_table("recipient_notices") as batch:
        batch.drop_constraint(op.f("ck_recipient_notices_kind_known"), type_="check")
        batch.drop_constraint(op.f("ck_recipient_notices_state_known"), type_="check")
        batch.create_check_constraint(op.f("ck_recipient_notices_state_known"), _STATES_BEFORE)
        batch.drop_constraint(
            op.f("uq_recipient_notices_request_id_recipient_kind"), type_="unique"
        )
        batch.create_unique_constraint(
            op.f("uq_recipient_notices_request_id_recipient"), ["request_id", "recipient"]
        )
        batch.drop_column("kind")
