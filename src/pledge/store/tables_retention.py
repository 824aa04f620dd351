"""Retention: sweep runs and results, the journal of rows that must stay gone, legal holds,
events about people, what legal holds kept from a child's erasure, and the archive of rows
past their active period."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pledge.store.base import Base, UtcDateTime, one_of

# --- retention (pledge.retention) -----------------------------------------------------------

SWEEP_STATES = ("running", "done", "failed")


class SweepRunRow(Base):
    """One retention sweep, or its dry run: when, as of which moment, started by whom."""

    __tablename__ = "sweep_runs"
    __table_args__ = (
        CheckConstraint(one_of("state", SWEEP_STATES), name="state_known"),
        Index("ix_sweep_runs_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    dry_run: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(16))
    # The moment the rules were judged at: a sweep re-run after a crash judges the same.
    as_of: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # "schedule", "cli", "staff:ann", "child flag"...
    started_by: Mapped[str] = mapped_column(String(120))
    error: Mapped[str | None] = mapped_column(Text)


class SweepResultRow(Base):
    """What a sweep did (or would do) to one table: counts and times, no personal values."""

    __tablename__ = "sweep_results"
    __table_args__ = (UniqueConstraint("run_id", "source", "table_name"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sweep_runs.id"), index=True)
    source: Mapped[str] = mapped_column(String(64))
    table_name: Mapped[str] = mapped_column(String(128))
    rules: Mapped[list[str]] = mapped_column(JSON)
    action: Mapped[str] = mapped_column(String(16))  # "delete" or "anonymise"
    deleted: Mapped[int] = mapped_column(Integer)
    anonymised: Mapped[int] = mapped_column(Integer)
    # Expired by their rules, yet kept: by a legal hold (a rule or a person's), or because
    # rows still kept refer to them.
    held: Mapped[int] = mapped_column(Integer)
    referenced: Mapped[int] = mapped_column(Integer)
    batches: Mapped[int] = mapped_column(Integer)
    longest_batch_ms: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    # The batch done last: a sweep that stopped resumes after it.
    done: Mapped[bool] = mapped_column(Boolean)
    notes: Mapped[list[str]] = mapped_column(JSON)
    # Moved into the archive (ArchivedRowRow), and deleted from it once their archive ended.
    archived: Mapped[int] = mapped_column(Integer, server_default="0")
    archive_deleted: Mapped[int] = mapped_column(Integer, server_default="0")


class GoneRowsRow(Base):
    """Rows that must stay gone: deleted or anonymised by a sweep or an erasure, or
    anonymised in part where a legal hold kept some of their columns.

    Their keys are sealed (AES-GCM, pledge.rights.package_crypto) so the journal holds no
    readable personal data; `pledge replay-erasures` opens them to erase the rows again in a
    database restored from a backup.
    """

    __tablename__ = "gone_rows"
    __table_args__ = (Index("ix_gone_rows_source_table", "source", "table_name"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(64))
    table_name: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(16))  # "deleted", "anonymised", "part_anonymised"
    # What did it: "sweep:<run id>" or "request:<reference>".
    cause: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    count: Mapped[int] = mapped_column(Integer)
    keys: Mapped[bytes] = mapped_column(LargeBinary)  # sealed JSON list of key value lists
    # "part_anonymised" only: the columns erased; a replay erases those, never the columns
    # the hold kept. Names, no values.
    columns: Mapped[list[str] | None] = mapped_column(JSON)


class LegalHoldRow(Base):
    """A hold on one person's data (litigation, an open dispute or complaint) with its reason.

    While it is not released and `until` has not passed, the person's rows in the tables of
    `scope` (every table, when empty) are kept by sweeps and erasures.
    """

    __tablename__ = "legal_holds"
    __table_args__ = (Index("ix_legal_holds_identity", "identity_kind", "identity_value"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    identity_kind: Mapped[str] = mapped_column(String(32))
    identity_value: Mapped[str] = mapped_column(String(320))
    scope: Mapped[list[str]] = mapped_column(JSON)  # "source.table" names
    reason: Mapped[str] = mapped_column(Text)
    until: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    released_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    released_by: Mapped[str | None] = mapped_column(String(120))


SUBJECT_EVENT_KINDS = ("account_closed", "relationship_end", "contract_end", "child")


class SubjectEventRow(Base):
    """Something Pledge was told about a person that starts a retention clock (an account
    closed, a relationship ended) or ends their data at once (they are a child)."""

    __tablename__ = "subject_events"
    __table_args__ = (
        CheckConstraint(one_of("kind", SUBJECT_EVENT_KINDS), name="kind_known"),
        Index("ix_subject_events_identity", "identity_kind", "identity_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(24))
    identity_kind: Mapped[str] = mapped_column(String(32))
    identity_value: Mapped[str] = mapped_column(String(320))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)
    # For a child: when their data was erased (NULL: still to do).
    handled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class ChildErasureRow(Base):
    """One source of a child's erasure where a legal hold kept tables (pledge.retention.
    held_child): what finds the rows kept, until nothing holds them and they are erased.

    Written with the child's results, in their transaction. `params` holds, sealed like the
    erasure journal's (bound to "child:<run id>:<source>"), the values that find what is
    left of the child and the keys of the rows kept ("held:<table>"); NULL once nothing is
    kept. `outcome` is what the erasure did there (tables held, and by which holds), with
    no personal values.
    """

    __tablename__ = "child_erasures"
    __table_args__ = (UniqueConstraint("run_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    # The child (its identity names the person whose holds count).
    event_id: Mapped[int] = mapped_column(ForeignKey("subject_events.id"), index=True)
    # The child's audit run: its results per table, and the cause "sweep:<run id>" of the
    # journal of what must stay gone.
    run_id: Mapped[int] = mapped_column(ForeignKey("sweep_runs.id"))
    source: Mapped[str] = mapped_column(String(64))
    params: Mapped[bytes | None] = mapped_column(LargeBinary)
    outcome: Mapped[dict[str, object] | None] = mapped_column(JSON)


class ArchivedRowRow(Base):
    """A row that left a company table at the end of its active period, kept in the
    restricted archive until its rule's archive ends (pledge.retention.sweep_archive).

    Everything that could identify the person, the row's key included, is in `sealed`
    (AES-GCM under the package key, bound to the source and table); `key_digest` is a keyed
    hash of the key, so that a row archived once is found again without opening anything.
    Only staff with the role legal may open it, and each opening is an ArchiveReadRow.
    """

    __tablename__ = "archived_rows"
    __table_args__ = (
        Index("ix_archived_rows_source_table_until", "source", "table_name", "until"),
        Index("ix_archived_rows_source_table_key", "source", "table_name", "key_digest"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(64))
    table_name: Mapped[str] = mapped_column(String(128))
    # The rule whose archive keeps it longest, and the sweep that moved it here.
    rule: Mapped[str] = mapped_column(String(128))
    run_id: Mapped[int] = mapped_column(Integer)
    key_digest: Mapped[str] = mapped_column(String(64))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)  # the key and declared columns, as JSON
    archived_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # The moment its archive ends: the first sweep at or after it deletes it.
    until: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ArchiveReadRow(Base):
    """One opening of an archived row by a member of staff: who, when, which row (kept
    after the row itself is deleted, so its id is no foreign key)."""

    __tablename__ = "archive_reads"
    __table_args__ = (Index("ix_archive_reads_read_at", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    archived_row_id: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(64))
    table_name: Mapped[str] = mapped_column(String(128))
    read_by: Mapped[str] = mapped_column(String(120))  # "staff:<username>"
    read_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
