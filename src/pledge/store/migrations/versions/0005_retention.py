"""Retention: sweep runs and their results per table, the journal of rows that must stay
gone, legal holds on people, and events about people that start or end retention.

Revision ID: 0005
Revises: 0004
Created: 2026-12-05
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Written out rather than imported: a migration must not change when the models do.
_SWEEP_STATES = "state IN ('running', 'done', 'failed')"
_EVENT_KINDS = "kind IN ('account_closed', 'relationship_end', 'contract_end', 'child')"


def _moment(name: str, *, nullable: bool = False) -> sa.Column[dt.datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "sweep_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        _moment("as_of"),
        _moment("started_at"),
        _moment("finished_at", nullable=True),
        sa.Column("started_by", sa.String(120), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(_SWEEP_STATES, name=op.f("ck_sweep_runs_state_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sweep_runs")),
    )
    op.create_index("ix_sweep_runs_started_at", "sweep_runs", ["started_at"])

    op.create_table(
        "sweep_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("table_name", sa.String(128), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("deleted", sa.Integer(), nullable=False),
        sa.Column("anonymised", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("referenced", sa.Integer(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("longest_batch_ms", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["sweep_runs.id"], name=op.f("fk_sweep_results_run_id_sweep_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sweep_results")),
        sa.UniqueConstraint(
            "run_id", "source", "table_name", name=op.f("uq_sweep_results_run_id_source_table_name")
        ),
    )
    op.create_index(op.f("ix_sweep_results_run_id"), "sweep_results", ["run_id"])

    op.create_table(
        "gone_rows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("table_name", sa.String(128), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("cause", sa.String(64), nullable=False),
        _moment("recorded_at"),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("keys", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gone_rows")),
    )
    op.create_index("ix_gone_rows_source_table", "gone_rows", ["source", "table_name"])

    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("identity_kind", sa.String(32), nullable=False),
        sa.Column("identity_value", sa.String(320), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        _moment("created_at"),
        sa.Column("created_by", sa.String(120), nullable=False),
        _moment("released_at", nullable=True),
        sa.Column("released_by", sa.String(120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    op.create_index("ix_legal_holds_identity", "legal_holds", ["identity_kind", "identity_value"])

    op.create_table(
        "subject_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("identity_kind", sa.String(32), nullable=False),
        sa.Column("identity_value", sa.String(320), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        _moment("recorded_at"),
        sa.Column("recorded_by", sa.String(120), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _moment("handled_at", nullable=True),
        sa.CheckConstraint(_EVENT_KINDS, name=op.f("ck_subject_events_kind_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_events")),
    )
    op.create_index(
        "ix_subject_events_identity", "subject_events", ["identity_kind", "identity_value"]
    )


def downgrade() -> None:
    for table in ("subject_events", "legal_holds", "gone_rows", "sweep_results", "sweep_runs"):
        op.drop_table(table)
