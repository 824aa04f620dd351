"""The store's tables, as typed SQLAlchemy models.

Constraint names follow one convention so that migrations can name (and later drop or
alter) every constraint the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A moment, always in UTC: SQLite keeps no time zone, so one is put back on reading."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime cannot be stored: {value!r} (give it a time zone)")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


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


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class RequestRow(Base):
    """One rights request: its state, its legal clock and the person it is about.

    Dates the law counts in days (`due_at`, `extended_due_at`, `acknowledge_by`) are calendar
    dates in the jurisdiction's own time zone; moments (`received_at`, ...) are UTC.
    """

    __tablename__ = "requests"
    __table_args__ = (CheckConstraint(_one_of("state", REQUEST_STATES), name="state_known"),)

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
        CheckConstraint(_one_of("state", JOB_STATES), name="state_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # Partial unique index (SQLite and PostgreSQL both have them): enqueueing the same
        # work twice while it is still to be done is a no-op, enforced by the database.
        Index(
            "uq_jobs_kind_ref_unfinished",
            "kind",
            "ref",
            unique=True,
            sqlite_where=text(_one_of("state", JOB_UNFINISHED)),
            postgresql_where=text(_one_of("state", JOB_UNFINISHED)),
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
        CheckConstraint(_one_of("state", CODE_STATES), name="state_known"),
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
        CheckConstraint(_one_of("state", JOURNAL_STATES), name="state_known"),
        UniqueConstraint("request_id", "source"),
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


NOTICE_STATES = ("pending", "sent", "failed")


class RecipientNoticeRow(Base):
    """A recipient told of an erasure, rectification or restriction (GDPR Art. 19)."""

    __tablename__ = "recipient_notices"
    __table_args__ = (
        CheckConstraint(_one_of("state", NOTICE_STATES), name="state_known"),
        UniqueConstraint("request_id", "recipient"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"))
    recipient: Mapped[str] = mapped_column(String(64))
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
        CheckConstraint(_one_of("kind", DECISION_KINDS), name="kind_known"),
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


# --- staff and their sessions (pledge.auth) -------------------------------------------------

ROLES = ("admin", "privacy_officer", "viewer")


class UserRow(Base):
    """Someone of the company who signs in to the console or calls the API."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, with its parameters
    role: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class StaffSessionRow(Base):
    """A signed-in browser; only the SHA-256 of its cookie's token is kept."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256(token), hex
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ApiTokenRow(Base):
    """A bearer token for the JSON API, acting as its user; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256(token), hex
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


# --- retention (pledge.retention) -----------------------------------------------------------

SWEEP_STATES = ("running", "done", "failed")


class SweepRunRow(Base):
    """One retention sweep, or its dry run: when, as of which moment, started by whom."""

    __tablename__ = "sweep_runs"
    __table_args__ = (
        CheckConstraint(_one_of("state", SWEEP_STATES), name="state_known"),
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


class GoneRowsRow(Base):
    """Rows that must stay gone: deleted or anonymised by a sweep or an erasure.

    Their keys are sealed (AES-GCM, pledge.rights.package_crypto) so the journal holds no
    readable personal data; `pledge replay-erasures` opens them to erase the rows again in a
    database restored from a backup.
    """

    __tablename__ = "gone_rows"
    __table_args__ = (Index("ix_gone_rows_source_table", "source", "table_name"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(64))
    table_name: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(16))  # "deleted" or "anonymised"
    # What did it: "sweep:<run id>" or "request:<reference>".
    cause: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    count: Mapped[int] = mapped_column(Integer)
    keys: Mapped[bytes] = mapped_column(LargeBinary)  # sealed JSON list of key value lists


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
        CheckConstraint(_one_of("kind", SUBJECT_EVENT_KINDS), name="kind_known"),
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
