"""Delivering one Art. 19 notice: what is told, and telling it by email or by a signed webhook.

A webhook call is a POST of JSON to the URL held in the environment variable the declaration
names (`recipients.<id>.notify.webhook_env`); the URL is never in the declaration, which is
often kept in version control. The body:

    {"event": "erasure" | "rectification" | "restriction" | "restriction_lifted",
     "request": "PLG-7KQ2-M9XD", "subject": {"email": "jane@example.com"},
     "categories": ["contact.email"],
     "corrections": {"contact.email": "jane@new.example"},      (rectification only)
     "at": "2026-03-02T09:00:00+00:00"}

"restriction_lifted" goes to the recipients told of the request's restriction once it is
lifted, with the categories each receives (as the restriction's notice had).

signed with HMAC-SHA256 under the installation's webhook key (derived from
PLEDGE_SECRET_KEY): `X-Pledge-Signature: sha256=<hex of the HMAC of the body's bytes>`.
`X-Pledge-Timestamp` carries the same moment as `at`, in Unix seconds; as `at` is inside the
signed body, a receiver can refuse old calls replayed. Any 2xx answer means delivered; a
redirect is not followed (the body would not go with it).

Failures are described without personal data: a status code, or an error's class and first
line with the URL taken out (it may hold a token).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

from pledge.declaration.model import Declaration, Recipient
from pledge.errors import PledgeError
from pledge.mail.recipient_messages import NoticeEvent, recipient_notice_message
from pledge.sources.rectification import corrected_categories
from pledge.store.tables import RequestRow

if TYPE_CHECKING:  # pledge.services imports pledge.mail, which imports pledge.rights
    from pledge.services import Services

WEBHOOK_TIMEOUT_SECONDS = 10.0
SIGNATURE_HEADER = "X-Pledge-Signature"
TIMESTAMP_HEADER = "X-Pledge-Timestamp"
log = logging.getLogger("pledge.rights")

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_MAX_ERROR_CHARS = 300


class DeliveryFailed(Exception):
    """A notice not delivered. `final`: trying again cannot help until someone fixes it."""

    def __init__(self, message: str, *, final: bool = False) -> None:
        super().__init__(message)
        self.message = message[:_MAX_ERROR_CHARS]
        self.final = final


@dataclass(frozen=True)
class Told:
    """What one recipient is told about one request."""

    event: NoticeEvent
    request: RequestRow
    categories: list[str]
    at: dt.datetime
    corrections: dict[str, str] = field(default_factory=dict)

    def payload(self) -> dict[str, object]:
        body: dict[str, object] = {
            "event": self.event,
            "request": self.request.id,
            "subject": {"email": self.request.email},
            "categories": self.categories,
            "at": self.at.isoformat(),
        }
        if self.event == "rectification":
            body["corrections"] = self.corrections
        return body


def what_to_tell(
    declaration: Declaration,
    recipient: str,
    request: RequestRow,
    event: NoticeEvent,
    at: dt.datetime,
) -> Told:
    """The notice for `recipient`: the categories it receives (for a rectification, those of
    them that were corrected) and, for a rectification, the corrections."""
    received = received_categories(declaration, recipient)
    corrections: dict[str, str] = {}
    if event == "rectification":
        asked = request.details.get("corrections")
        if isinstance(asked, Mapping):
            corrections = {str(what): str(value) for what, value in asked.items()}
        try:
            received &= corrected_categories(declaration, corrections)
        except PledgeError:
            # The declaration changed since the request was checked: say all it receives.
            log.warning("request %s: corrections no longer match the sources", request.id)
    return Told(event, request, sorted(received), at, corrections)


def told_of(event: NoticeEvent) -> str:
    """The event in words, for the timeline: "the erasure", "the lifting of the restriction"."""
    return "the lifting of the restriction" if event == "restriction_lifted" else f"the {event}"


def received_categories(declaration: Declaration, recipient: str) -> set[str]:
    """The categories a recipient gets: those it declares, else all its activities process."""
    declared = declaration.recipients.get(recipient)
    if declared is not None and declared.categories:
        return set(declared.categories)
    return {
        category
        for activity in declaration.activities.values()
        if recipient in activity.recipients
        for category in activity.categories
    }


def deliver(
    services: Services,
    client: httpx.Client,
    recipient_id: str,
    recipient: Recipient,
    channel: str,
    told: Told,
) -> str:
    """Tell the recipient through `channel`; how it went, for the timeline. DeliveryFailed
    when it did not go."""
    notify = recipient.notify
    if channel == "webhook" and notify is not None and notify.webhook_env:
        return _call_webhook(services, client, notify.webhook_env, told)
    if channel == "email" and notify is not None and notify.email:
        return _send_email(services, recipient_id, notify.email, told)
    raise DeliveryFailed(
        f"the declaration no longer gives recipients.{recipient_id}.notify a {channel} channel",
        final=True,
    )


def signature(body: bytes, key: bytes) -> str:
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def _send_email(services: Services, recipient_id: str, address: str, told: Told) -> str:
    message = recipient_notice_message(
        services.declaration,
        told.request,
        recipient_id,
        event=told.event,
        categories=told.categories,
        corrections=told.corrections,
        to=address,
        sender=services.sender,
    )
    try:
        where = services.send(message)
    except PledgeError as exc:
        # The relay's own words name the relay and the recipient's address, never the person.
        raise DeliveryFailed(_first_line(exc.message)) from exc
    return f"by email to {address} ({where})"


def _call_webhook(services: Services, client: httpx.Client, env: str, told: Told) -> str:
    url = services.environ.get(env, "").strip()
    if not url:
        raise DeliveryFailed(
            f"the environment variable {env} (the webhook URL) is not set", final=True
        )
    problem = _url_problem(url)
    if problem is not None:
        raise DeliveryFailed(f"the webhook URL in {env} {problem}", final=True)
    body = json.dumps(told.payload(), ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(body, services.keys.webhooks),
        TIMESTAMP_HEADER: str(int(told.at.timestamp())),
    }
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        text = _first_line(str(exc)).replace(url, f"${env}")
        raise DeliveryFailed(
            f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        ) from exc
    if not response.is_success:
        raise DeliveryFailed(f"the webhook in {env} answered HTTP {response.status_code}")
    return f"by webhook ({env}, HTTP {response.status_code})"


def _url_problem(url: str) -> str | None:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return "is not a URL"
    if parsed.scheme == "https" and parsed.host:
        return None
    if parsed.scheme == "http" and parsed.host in _LOOPBACK:
        return None
    # The body carries personal data: in clear only to this machine.
    return "must start with https:// (plain http only to this machine)"


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""
