"""The store's tables, as typed SQLAlchemy models: notice versions, rights requests, jobs.

Staff accounts live in tables_staff.py, retention in tables_retention.py and the rate
limits' recent tries in tables_limits.py; all are re-exported here, so every table is known
to the metadata once this module is imported.
"""

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from pledge.store.base import Base, UtcDateTime, one_of


class NoticeVersionRow(Base):
    """One published meaning of the declaration; `number` counts 1, 2, 3... with no gaps."""

    __tablename__ = "notice_versions"
    __table_args__ = (CheckConstraint("number >= 1", name="number_positive"),)

    # The primary key doubles as the unique constraint that stops two writers
    # recording the same number at once: the loser retries with the next one.
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    digest: Mapped[str] = mapped_column(String(64), index=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    effective_date: Mapped[dt.date] = mapped_column(Date)
    # Kept as the exact canonical text, so sha256(declaration) == digest can be re-checked.
    declaration: Mapped[str] = mapped_column(Text)
    changes: Mapped[list[str]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8))


# --- rights requests (pledge.rights) --------------------------------------------------------

REQUEST_STATES = (
    "received",
    "identity_pending",
    "verified",
    "awaiting_approval",
    "running",
    "completed",
    "partially_completed",
    "denied",
)


class RequestRow(Base):
    """One rights request: its state, its legal clock and the person it is about.

    Dates the law counts in days (`due_at`, `extended_due_at`, `acknowledge_by`) are calendar
    dates in the jurisdiction's own time zone; moments (`received_at`, ...) are UTC.
    """

    __tablename__ = "requests"
    __table_args__ = (CheckConstraint(one_of("state", REQUEST_STATES), name="state_known"),)

    # The public reference people quote ("PLG-7KQ2-M9XD"): random, so it reveals nothing.
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    jurisdiction: Mapped[str] = mapped_column(String(8))
    email: Mapped[str] = mapped_column(String(320), index=True)
    # Other data points the person gave to be found and verified (postcode, account id...).
    identity: Mapped[dict[str, str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(24), index=True)
    # The declaration's rights.approval when the request arrived: jobs read it from here.
    approval_required: Mapped[bool] = mapped_column(Boolean)
    # The declaration's rights.offered.<type>.deadline when the request arrived, if any: the
    # promise made then is the one kept, whatever the declaration says later.
    declared_deadline: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    verified_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # NULL while the clock is stopped (GDPR: waiting for the person to confirm identity).
    due_at: Mapped[dt.date | None] = mapped_column(Date)
    extended_due_at: Mapped[dt.date | None] = mapped_column(Date)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    # CCPA: when receipt must be acknowledged by (11 CCR §7021(a)); NULL where no law asks.
    acknowledge_by: Mapped[dt.date | None] = mapped_column(Date)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # Why it ended as it did: the reason for a denial, what a partial completion left out.
    outcome: Mapped[str | None] = mapped_column(Text)
    # The language the person wrote in: their mails and pages use it.
    language: Mapped[str] = mapped_column(String(8), server_default="en")
    # What the request asks beyond its type: corrections ({category: new value}) for a
    # rectification, the activities objected to or whose consent is withdrawn.
    details: Mapped[dict[str, object]] = mapped_column(JSON, server_default="{}")
    # Filed by an authorised agent on the person's behalf: answers go to the agent.
    agent_name: Mapped[str | None] = mapped_column(String(200))
    agent_email: Mapped[str | None] = mapped_column(String(320))


class RequestEventRow(Base):
    """One line of a request's timeline: a change of state, or something done or decided."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str | None] = mapped_column(String(24))
    # Who did it: "subject", "system", a job ("job:request.acknowledge"), an admin's login.
    actor: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)


# --- jobs (pledge.jobs) ---------------------------------------------------------------------

JOB_STATES = ("pending", "running", "done", "failed")
# The states in which a job still has work to do: at most one such job per (kind, ref).
JOB_UNFINISHED = ("pending", "running")


class JobRow(Base):
    """One piece of work that advances the row `ref` refers to; the row holds the state."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(one_of("state", JOB_STATES), name="state_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # Partial unique index (SQLite and PostgreSQL both have them): enqueueing the same
        # work twice while it is still to be done is a no-op, enforced by the database.
        Index(
            "uq_jobs_kind_ref_unfinished",
            "kind",
            "ref",
            unique=True,
            sqlite_where=text(one_of("state", JOB_UNFINISHED)),
            postgresql_where=text(one_of("state", JOB_UNFINISHED)),
        ),
        Index("ix_jobs_state_run_after", "state", "run_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    ref: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    # Counts claims, so it doubles as a fencing token: a runner whose lease was taken over
    # cannot mark the job finished (see pledge.jobs.runner).
    attempts: Mapped[int] = mapped_column(Integer)
    run_after: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


# --- identity codes (pledge.rights.verification) --------------------------------------------

CODE_STATES = ("live", "used", "replaced", "exhausted")
# What a code proves: who filed the request, or that the person downloading is them again.
CODE_PURPOSES = ("identity", "download")


class VerificationCodeRow(Base):
    """One emailed identity code; only its keyed hash is kept, never the code itself."""

    __tablename__ = "verification_codes"
    __table_args__ = (
        CheckConstraint(one_of("state", CODE_STATES), name="state_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # Issuing counts the codes of the last hour, checking reads the newest live one.
        Index("ix_verification_codes_request_id_issued_at", "request_id", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"))
    # HMAC-SHA256(key, reference + code), hex: useless without the key, even to a reader
    # of the database who could otherwise try all million codes.
    digest: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    purpose: Mapped[str] = mapped_column(String(16), server_default="identity")


# --- what answering a request produced (pledge.rights) --------------------------------------


class RequestResultRow(Base):
    """What a completed request produced: a summary for the proof, and the sealed package."""

    __tablename__ = "request_results"

    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # Counts per source.table, rows kept under a legal hold (why, until when), the check
    # after an erasure: no personal values, so it can be shown to an admin as proof.
    summary: Mapped[dict[str, object]] = mapped_column(JSON)
    # The access package, AES-GCM sealed (pledge.rights.package_crypto); NULL when none.
    package: Mapped[bytes | None] = mapped_column(LargeBinary)
    package_expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    downloaded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


JOURNAL_STATES = ("pending", "done")


class ErasureJournalRow(Base):
    """One source's part of an erasure: pending until its transaction committed.

    Written for every source before the first one is touched, so that a crash between two
    sources resumes with the identities found before anything was erased.
    """

    __tablename__ = "erasure_journal"
    __table_args__ = (
        CheckConstraint(one_of("state", JOURNAL_STATES), name="state_known"),
        UniqueConstraint("request_id", "source"),
        # The entries that still keep values: what a legal hold kept, until it is erased
        # (pledge.retention.hold_release reads only those).
        Index(
            "ix_erasure_journal_keeping",
            "request_id",
            sqlite_where=text("params IS NOT NULL"),
            postgresql_where=text("params IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"))
    source: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    # The values that pick the subject's rows in this source, sealed; cleared once done.
    params: Mapped[bytes | None] = mapped_column(LargeBinary)
    # What was done per table (counts, holds): no personal values.
    outcome: Mapped[dict[str, object] | None] = mapped_column(JSON)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


# "cancelled": a restriction lifted before the recipient was told of it leaves nothing to tell.
NOTICE_STATES = ("pending", "sent", "failed", "cancelled")
# "request": of what the request did (its erasure, rectification or restriction);
# "restriction_lifted": that the restriction it recorded was lifted.
NOTICE_KINDS = ("request", "restriction_lifted")


class RecipientNoticeRow(Base):
    """A recipient told of an erasure, rectification or restriction, or of a restriction's
    lifting (GDPR Art. 19): at most one notice of each kind per request and recipient."""

    __tablename__ = "recipient_notices"
    __table_args__ = (
        CheckConstraint(one_of("state", NOTICE_STATES), name="state_known"),
        CheckConstraint(one_of("kind", NOTICE_KINDS), name="kind_known"),
        UniqueConstraint("request_id", "recipient", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"))
    recipient: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24), server_default="request")
    channel: Mapped[str] = mapped_column(String(16))  # "email" or "webhook"
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


DECISION_KINDS = ("restriction", "objection", "withdrawal", "opt_out")


class SubjectDecisionRow(Base):
    """A person's standing choice: restrict, object, withdraw consent, opt out of sale/share.

    Later processing asks these rows whether it may use someone's data for an activity;
    `activity` NULL means every activity the kind covers. Lifting keeps the row as history.
    """

    __tablename__ = "subject_decisions"
    __table_args__ = (
        CheckConstraint(one_of("kind", DECISION_KINDS), name="kind_known"),
        Index("ix_subject_decisions_identity", "identity_kind", "identity_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    request_id: Mapped[str | None] = mapped_column(ForeignKey("requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    activity: Mapped[str | None] = mapped_column(String(64))
    # How the person is found again: "email" and the address in lower case, say.
    identity_kind: Mapped[str] = mapped_column(String(32))
    identity_value: Mapped[str] = mapped_column(String(320))
    decided_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    lifted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    lifted_by: Mapped[str | None] = mapped_column(String(120))


class RestrictedRowRow(Base):
    """A row of a company database under a restriction: marked, not changed."""

    __tablename__ = "restricted_rows"
    __table_args__ = (Index("ix_restricted_rows_source_table", "source", "table_name"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("subject_decisions.id"), index=True)
    source: Mapped[str] = mapped_column(String(64))
    table_name: Mapped[str] = mapped_column(String(128))
    # The row's primary key values, in key order, as JSON.
    row_key: Mapped[list[object]] = mapped_column(JSON)


class AgentProofRow(Base):
    """The document an authorised agent sent to show they may act for the person."""

    __tablename__ = "agent_proofs"

    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)  # sealed, like packages
    uploaded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    accepted: Mapped[bool | None] = mapped_column(Boolean)


# Re-exported: code imports every table from here, and the metadata must hold them all.
from pledge.store.tables_limits import RateTryRow  # noqa: E402
from pledge.store.tables_retention import (  # noqa: E402
    SUBJECT_EVENT_KINDS,
    SWEEP_STATES,
    GoneRowsRow,
    LegalHoldRow,
    SubjectEventRow,
    SweepResultRow,
    SweepRunRow,
)
from pledge.store.tables_staff import ROLES, ApiTokenRow, StaffSessionRow, UserRow  # noqa: E402

__all__ = [
    "ROLES",
    "SUBJECT_EVENT_KINDS",
    "SWEEP_STATES",
    "ApiTokenRow",
    "GoneRowsRow",
    "LegalHoldRow",
    "RateTryRow",
    "StaffSessionRow",
    "SubjectEventRow",
    "SweepResultRow",
    "SweepRunRow",
    "UserRow",
]
