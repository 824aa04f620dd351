"""What the requests API answers and accepts: its JSON shapes, with their examples.

Summaries and details are built from the store here, so that every route describes a
request the same way.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.rights.deadlines import days_left, is_due_soon, is_overdue, local_day
from pledge.rights.events import timeline
from pledge.rights.lifecycle import CLOSED, State, next_states
from pledge.rights.mail_again import failed_mails
from pledge.rights.requests import due_date, get_request
from pledge.rights.types import needs_identity
from pledge.rights.workflow import MAX_PROOF_BYTES
from pledge.store.tables import RecipientNoticeRow, RequestResultRow, RequestRow

REFERENCE_EXAMPLE = "PLG-7KQ2-M9XD"
# The longest base64 text of a proof within the limit (4 characters per 3 bytes, padded).
_MAX_PROOF_BASE64 = -(-MAX_PROOF_BYTES // 3) * 4


class RequestSummary(BaseModel):
    reference: str = Field(examples=[REFERENCE_EXAMPLE])
    type: str = Field(description="the right used, in its law's word", examples=["access"])
    state: str = Field(examples=["identity_pending"])
    jurisdiction: str = Field(examples=["uk"])
    email: str = Field(examples=["jane@example.com"])
    language: str = Field(examples=["en"])
    received_at: dt.datetime
    due: dt.date | None = Field(
        description="the date in force (the extended one if extended); null while the clock "
        "waits for the person to confirm their identity"
    )
    days_left: int | None = Field(
        description="days from today (where the request's law applies) to `due`: 0 on the "
        "day, negative once overdue; null when closed or when the clock is stopped"
    )
    overdue: bool
    due_soon: bool = Field(description="due within 7 days, and not overdue")
    closed_at: dt.datetime | None

    @classmethod
    def fields_of(cls, row: RequestRow, now: dt.datetime) -> dict[str, Any]:
        due = due_date(row)
        today = local_day(now, row.jurisdiction)
        is_open = row.state not in CLOSED
        return {
            "reference": row.id,
            "type": row.type,
            "state": row.state,
            "jurisdiction": row.jurisdiction,
            "email": row.email,
            "language": row.language,
            "received_at": row.received_at,
            "due": due,
            "days_left": days_left(due, today) if is_open and due is not None else None,
            "overdue": is_open and is_overdue(due, today),
            "due_soon": is_open and is_due_soon(due, today),
            "closed_at": row.closed_at,
        }

    @classmethod
    def of(cls, row: RequestRow, now: dt.datetime) -> RequestSummary:
        return cls(**cls.fields_of(row, now))


class RequestList(BaseModel):
    requests: list[RequestSummary] = Field(
        description="overdue first, then open ones by due date, then closed ones"
    )


class RequestEvent(BaseModel):
    at: dt.datetime
    kind: str = Field(examples=["state"])
    from_state: str | None = Field(examples=["awaiting_approval"])
    to_state: str | None = Field(examples=["running"])
    actor: str = Field(examples=["staff:ann"])
    note: str | None = Field(examples=["approved"])


class RecipientNotice(BaseModel):
    recipient: str = Field(examples=["mailer"])
    kind: str = Field(
        examples=["request"],
        description="what it tells: 'request' (the erasure, rectification or restriction),"
        " or 'restriction_lifted'",
    )
    channel: str = Field(examples=["email"])
    state: str = Field(examples=["sent"])
    attempts: int
    last_error: str | None
    sent_at: dt.datetime | None


class RequestDetail(RequestSummary):
    """A request, its timeline, what running it produced and the recipients told."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reference": REFERENCE_EXAMPLE,
                    "type": "erasure",
                    "state": "awaiting_approval",
                    "jurisdiction": "uk",
                    "email": "jane@example.com",
                    "language": "en",
                    "received_at": "2026-03-02T09:14:00Z",
                    "due": "2026-04-02",
                    "days_left": 12,
                    "overdue": False,
                    "due_soon": False,
                    "closed_at": None,
                    "identity": {"postcode": "BS1 4QA"},
                    "details": {},
                    "agent_name": None,
                    "agent_email": None,
                    "verified_at": "2026-03-02T09:20:00Z",
                    "acknowledge_by": None,
                    "acknowledged_at": "2026-03-02T09:14:05Z",
                    "extended_due_at": None,
                    "extension_reason": None,
                    "approval_required": True,
                    "outcome": None,
                    "next_states": ["running", "denied"],
                    "timeline": [
                        {
                            "at": "2026-03-02T09:14:00Z",
                            "kind": "state",
                            "from_state": None,
                            "to_state": "received",
                            "actor": "subject",
                            "note": "the clock starts when the person confirms their identity",
                        }
                    ],
                    "result": None,
                    "recipient_notices": [],
                    "failed_mails": [],
                }
            ]
        }
    )

    identity: dict[str, str] = Field(description="data points given to find and verify them")
    details: dict[str, Any] = Field(description="corrections, activities objected to...")
    agent_name: str | None
    agent_email: str | None
    verified_at: dt.datetime | None
    acknowledge_by: dt.date | None
    acknowledged_at: dt.datetime | None
    extended_due_at: dt.date | None
    extension_reason: str | None
    approval_required: bool
    outcome: str | None = Field(description="why it ended as it did")
    next_states: list[str] = Field(description="where it may move next")
    timeline: list[RequestEvent] = Field(description="oldest first")
    result: dict[str, Any] | None = Field(
        description="what running it did: counts per table, legal holds, checks (no personal "
        "values); null until it ran"
    )
    recipient_notices: list[RecipientNotice]
    failed_mails: list[str] = Field(
        description="mails to the person whose job gave up (the relay was down for all its "
        "tries), e.g. `the acknowledgement`: POST .../resend-mail queues them again"
    )


class AgentProofUpload(BaseModel):
    """The document showing an authorised agent may act for the person, as base64 text."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "filename": "permission.pdf",
                    "content_type": "application/pdf",
                    "content_base64": "JVBERi0xLjQKJSBzaWduZWQKJSVFT0YK",
                }
            ]
        },
    )

    filename: str = Field(max_length=200, description="the file's name, kept with it")
    content_type: str = Field(
        max_length=100, description="application/pdf, image/png or image/jpeg"
    )
    content_base64: str = Field(
        description="the file in base64 (RFC 4648; line breaks allowed): at most 5 MB once "
        "decoded. It is kept sealed, and staff download it from the request's console page"
    )

    @field_validator("content_base64")
    @classmethod
    def _base64(cls, value: str) -> str:
        packed = "".join(value.split())
        if len(packed) > _MAX_PROOF_BASE64:
            raise ValueError("the proof must be a file of at most 5 MB")
        try:
            base64.b64decode(packed, validate=True)
        except binascii.Error:
            raise ValueError(
                "this is not base64 (the letters, digits, + and / of RFC 4648, with = padding)"
            ) from None
        return packed

    def content(self) -> bytes:
        return base64.b64decode(self.content_base64, validate=True)


class NewRequest(BaseModel):
    """A request filed by staff for a person (who wrote, phoned or asked in a shop)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "type": "access",
                    "email": "jane@example.com",
                    "jurisdiction": "uk",
                    "identity": {"postcode": "BS1 4QA"},
                    "language": "en",
                }
            ]
        },
    )

    type: str = Field(max_length=32, description="the right used, e.g. access, erasure, know")
    email: str = Field(max_length=320, description="the person's email address")
    jurisdiction: str = Field(max_length=8, description="a jurisdiction the declaration lists")
    identity: dict[str, str] = Field(
        default_factory=dict, description="data points to find and verify the person"
    )
    details: dict[str, Any] = Field(
        default_factory=dict,
        description="for a rectification {corrections: {...}}; for an objection or a "
        "withdrawal of consent {activities: [...]}",
    )
    language: str = Field(default="en", max_length=8)
    agent_name: str | None = Field(default=None, max_length=200)
    agent_email: str | None = Field(default=None, max_length=320)
    agent_proof: AgentProofUpload | None = Field(
        default=None,
        description="with agent_name and agent_email: the agent's signed permission, kept "
        "sealed for staff to review (the request waits for that review)",
    )


class Approval(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"note": "ok"}]})

    note: str | None = Field(default=None, max_length=2000)


class Reason(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "the request is manifestly unfounded"}]},
    )

    reason: str = Field(min_length=1, max_length=2000, description="told to the person")


class ToldByHand(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"how": "by phone to their DPO"}]}
    )

    how: str = Field(
        min_length=1, max_length=2000, description="how the recipient was told, for the timeline"
    )


class ProofReview(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"accepted": False, "reason": "the permission is not signed"}]
        },
    )

    accepted: bool
    reason: str | None = Field(
        default=None, max_length=2000, description="needed to refuse: told to the agent"
    )


class Move(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"to": "verified", "note": "identity confirmed by phone"}]},
    )

    to: State
    note: str | None = Field(default=None, max_length=2000)
    expected: State | None = Field(
        default=None,
        description="the state you saw: the move is refused (409) if the request has moved on",
    )


def request_detail(session: Session, ref: str, now: dt.datetime) -> RequestDetail:
    """The request `ref` as the API shows it; NotFound if there is none."""
    row = get_request(session, ref)
    result = session.get(RequestResultRow, row.id)
    notices = session.scalars(
        select(RecipientNoticeRow)
        .where(RecipientNoticeRow.request_id == row.id)
        .order_by(RecipientNoticeRow.recipient)
    )
    return RequestDetail(
        **RequestSummary.fields_of(row, now),
        identity=row.identity,
        details=row.details,
        agent_name=row.agent_name,
        agent_email=row.agent_email,
        verified_at=row.verified_at,
        acknowledge_by=row.acknowledge_by,
        acknowledged_at=row.acknowledged_at,
        extended_due_at=row.extended_due_at,
        extension_reason=row.extension_reason,
        approval_required=row.approval_required,
        outcome=row.outcome,
        next_states=list(
            next_states(
                row.state,
                needs_identity=needs_identity(row.type),
                approval_required=row.approval_required,
            )
        ),
        timeline=[
            RequestEvent(
                at=event.at,
                kind=event.kind,
                from_state=event.from_state,
                to_state=event.to_state,
                actor=event.actor,
                note=event.note,
            )
            for event in timeline(session, row.id)
        ],
        result=result.summary if result is not None else None,
        recipient_notices=[
            RecipientNotice(
                recipient=notice.recipient,
                kind=notice.kind,
                channel=notice.channel,
                state=notice.state,
                attempts=notice.attempts,
                last_error=notice.last_error,
                sent_at=notice.sent_at,
            )
            for notice in notices
        ],
        failed_mails=failed_mails(session, row.id),
    )
