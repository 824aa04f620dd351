"""`request.notify_recipients`: real webhook calls and real mail, retries, and the records."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from pledge.jobs import JOBS, Runner
from pledge.rights import get_request, timeline
from pledge.rights.recipients import (
    MAX_ATTEMPTS,
    NOTIFY_AGAIN_JOB,
    NOTIFY_JOB,
    notices,
    plan_notices,
    record_told_by_hand,
    retry_notice,
)
from pledge.services import Services
from pledge.store import Store, open_store
from tests.jobs.clock import ManualClock
from tests.mail.smtp_server import SmtpServer, free_port
from tests.rights.recipients_demo import (
    ERASED,
    FILED,
    FOUND_IN,
    PERSON,
    declaration,
    file,
    services,
    unfinished_jobs,
)
from tests.rights.webhook_server import WebhookServer, serve_webhooks

SENT = FILED + dt.timedelta(hours=1)
Outcome = tuple[str, str, int, str | None]


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


@pytest.fixture
def webhook_server() -> Iterator[WebhookServer]:
    with serve_webhooks() as server:
        yield server


def hooks(server: WebhookServer) -> dict[str, str]:
    return {
        "STRIPE_WEBHOOK": server.url("/stripe?token=s3cret"),
        "COURIERS_WEBHOOK": server.url("/couriers"),
    }


def planned(
    store: Store,
    type: str = "erasure",
    *,
    categories: tuple[str, ...] = ERASED,
    activities: tuple[str, ...] = FOUND_IN,
    details: dict[str, object] | None = None,
) -> str:
    ref = file(store, type, details=details).id
    with store.session(write=True) as session:
        plan_notices(
            session,
            declaration(),
            get_request(session, ref),
            categories=categories,
            activities=activities,
            now=FILED,
        )
    return ref


def run(store: Store, given: Services, clock: ManualClock) -> int:
    return Runner(store, JOBS, services=given, clock=clock).run_pending().ran


def outcomes(store: Store, ref: str) -> list[Outcome]:
    with store.session() as session:
        return [(n.recipient, n.state, n.attempts, n.last_error) for n in notices(session, ref)]


def recipient_notes(store: Store, ref: str) -> list[str]:
    with store.session() as session:
        return [e.note or "" for e in timeline(session, ref) if e.kind == "recipient"][1:]


def test_webhooks_are_signed_and_mail_is_sent_and_all_is_recorded(
    store: Store, smtp_server: SmtpServer, webhook_server: WebhookServer
) -> None:
    ref = planned(store)
    clock = ManualClock(SENT)
    given = services(smtp_port=smtp_server.port, environ=hooks(webhook_server))
    assert run(store, given, clock) == 1

    (stripe,) = webhook_server.to("/stripe?token=s3cret")
    assert json.loads(stripe.body) == {
        "event": "erasure",
        "request": ref,
        "subject": {"email": PERSON},
        "categories": [
            "financial.payment_card",
            "financial.transaction",
            "identity.name",
            "online.ip_address",
        ],
        "at": "2026-03-02T13:00:00+00:00",
    }
    assert stripe.headers["x-pledge-timestamp"] == str(int(SENT.timestamp()))
    assert stripe.headers["content-type"] == "application/json"
    (couriers,) = webhook_server.to("/couriers")
    assert json.loads(couriers.body)["categories"] == [
        "contact.phone",
        "contact.postal_address",
        "identity.name",
    ]
    (mail,) = smtp_server.received
    assert mail.recipients == ["dpo@brevo.example"]
    assert mail.message["Subject"] == (f"Maple & Finch: erasure of a person's data ({ref})")

    assert outcomes(store, ref) == [
        ("couriers", "sent", 1, None),
        ("mailer", "sent", 1, None),
        ("stripe", "sent", 1, None),
    ]
    with store.session() as session:
        assert {n.sent_at for n in notices(session, ref)} == {SENT}
    assert recipient_notes(store, ref) == [
        "couriers told of the erasure by webhook (COURIERS_WEBHOOK, HTTP 200)",
        "mailer told of the erasure by email to dpo@brevo.example (sent through 127.0.0.1)",
        "stripe told of the erasure by webhook (STRIPE_WEBHOOK, HTTP 200)",
    ]
    assert unfinished_jobs(store) == []


def test_a_failed_webhook_is_tried_again_without_undoing_the_others(
    store: Store, smtp_server: SmtpServer, webhook_server: WebhookServer
) -> None:
    ref = planned(store)
    clock = ManualClock(SENT)
    given = services(smtp_port=smtp_server.port, environ=hooks(webhook_server))
    webhook_server.answer("/stripe?token=s3cret", 500)
    run(store, given, clock)

    assert outcomes(store, ref) == [
        ("couriers", "sent", 1, None),
        ("mailer", "sent", 1, None),
        ("stripe", "pending", 1, "the webhook in STRIPE_WEBHOOK answered HTTP 500"),
    ]
    assert unfinished_jobs(store) == [(NOTIFY_AGAIN_JOB, ref, SENT + dt.timedelta(minutes=5))]
    assert recipient_notes(store, ref)[-1] == (
        f"stripe not told of the erasure yet (attempt 1 of {MAX_ATTEMPTS}):"
        " the webhook in STRIPE_WEBHOOK answered HTTP 500; it will be tried again"
    )
    assert run(store, given, clock) == 0  # not before its time

    clock.advance(dt.timedelta(minutes=5))
    assert run(store, given, clock) == 1
    assert outcomes(store, ref)[-1] == (
        "stripe",
        "sent",
        2,
        "the webhook in STRIPE_WEBHOOK answered HTTP 500",
    )
    assert len(webhook_server.to("/stripe?token=s3cret")) == 2
    assert len(webhook_server.to("/couriers")) == 1
    assert len(smtp_server.received) == 1
    assert recipient_notes(store, ref)[-1] == (
        "stripe told of the erasure by webhook (STRIPE_WEBHOOK, HTTP 200)"
    )
    assert unfinished_jobs(store) == []


def test_after_five_failures_an_admin_must_tell_the_recipient(
    store: Store, webhook_server: WebhookServer
) -> None:
    ref = planned(store, categories=("contact.phone",), activities=("orders",))
    clock = ManualClock(SENT)
    given = services(environ=hooks(webhook_server))
    webhook_server.answer("/couriers", *[503] * MAX_ATTEMPTS)
    kinds = []
    for _ in range(MAX_ATTEMPTS):
        kinds.append(unfinished_jobs(store)[0][0])
        assert run(store, given, clock) == 1
        clock.advance(dt.timedelta(hours=3))
    assert kinds == [NOTIFY_JOB, NOTIFY_AGAIN_JOB] * 2 + [NOTIFY_JOB]
    assert outcomes(store, ref) == [
        ("couriers", "failed", 5, "the webhook in COURIERS_WEBHOOK answered HTTP 503")
    ]
    assert recipient_notes(store, ref)[-1] == (
        "couriers could not be told of the erasure after 5 attempts: the webhook in"
        " COURIERS_WEBHOOK answered HTTP 503. An admin must tell this recipient by hand"
        " (or fix the cause and try again)"
    )
    assert unfinished_jobs(store) == []
    assert len(webhook_server.calls) == MAX_ATTEMPTS


def test_a_missing_webhook_variable_fails_at_once_and_names_it(
    store: Store, smtp_server: SmtpServer, webhook_server: WebhookServer
) -> None:
    ref = planned(store)
    clock = ManualClock(SENT)
    environ = {"STRIPE_WEBHOOK": webhook_server.url("/stripe")}  # COURIERS_WEBHOOK unset
    run(store, services(smtp_port=smtp_server.port, environ=environ), clock)
    assert outcomes(store, ref) == [
        (
            "couriers",
            "failed",
            1,
            "the environment variable COURIERS_WEBHOOK (the webhook URL) is not set",
        ),
        ("mailer", "sent", 1, None),
        ("stripe", "sent", 1, None),
    ]
    assert any(
        note.startswith("couriers could not be told of the erasure: the environment variable")
        for note in recipient_notes(store, ref)
    )
    assert unfinished_jobs(store) == []  # retrying cannot set the variable

    # The operator sets it; an admin tries the notice again.
    fixed = services(smtp_port=smtp_server.port, environ=hooks(webhook_server))
    with store.session(write=True) as session:
        retry_notice(session, ref, "couriers", actor="admin", now=clock())
    run(store, fixed, clock)
    assert outcomes(store, ref)[0] == (
        "couriers",
        "sent",
        1,
        "the environment variable COURIERS_WEBHOOK (the webhook URL) is not set",
    )


def test_errors_recorded_hold_no_personal_data_nor_the_url(store: Store) -> None:
    ref = planned(store, categories=("contact.phone",), activities=("orders",))
    closed = f"http://127.0.0.1:{free_port()}/hook?token=s3cret"
    run(store, services(environ={"COURIERS_WEBHOOK": closed}), ManualClock(SENT))
    ((_, state, attempts, error),) = outcomes(store, ref)
    assert (state, attempts) == ("pending", 1)
    assert error is not None and error.startswith("ConnectError")
    assert "s3cret" not in error and PERSON not in error


def test_a_webhook_in_clear_to_another_machine_is_refused(store: Store) -> None:
    ref = planned(store, categories=("contact.phone",), activities=("orders",))
    environ = {"COURIERS_WEBHOOK": "http://couriers.example/erasures"}
    run(store, services(environ=environ), ManualClock(SENT))
    assert outcomes(store, ref) == [
        (
            "couriers",
            "failed",
            1,
            "the webhook URL in COURIERS_WEBHOOK must start with https://"
            " (plain http only to this machine)",
        )
    ]


def test_a_rectification_sends_the_corrections(
    store: Store, smtp_server: SmtpServer, webhook_server: WebhookServer
) -> None:
    corrections = {"identity.name": "Jane Smith", "contact.email": "jane@new.example"}
    planned(
        store,
        "rectification",
        categories=("identity.name", "contact.email"),
        activities=("fraud", "newsletter"),
        details={"corrections": corrections},
    )
    run(
        store,
        services(smtp_port=smtp_server.port, environ=hooks(webhook_server)),
        ManualClock(SENT),
    )
    (stripe,) = webhook_server.to("/stripe?token=s3cret")
    body = json.loads(stripe.body)
    assert (body["event"], body["categories"], body["corrections"]) == (
        "rectification",
        ["identity.name"],  # of what Stripe receives, only the name was corrected
        corrections,
    )
    (mail,) = smtp_server.received
    text = mail.message.get_body(("plain",))
    assert text is not None
    assert "  - Email address: jane@new.example\n" in text.get_content().replace("\r\n", "\n")


def test_a_restriction_is_told_as_one(store: Store, webhook_server: WebhookServer) -> None:
    ref = planned(store, "restriction", categories=("identity.name",), activities=("fraud",))
    run(store, services(environ=hooks(webhook_server)), ManualClock(SENT))
    (stripe,) = webhook_server.calls
    assert json.loads(stripe.body)["event"] == "restriction"
    assert "corrections" not in json.loads(stripe.body)
    assert outcomes(store, ref) == [("stripe", "sent", 1, None)]


def test_an_admin_can_record_a_recipient_told_by_hand(store: Store) -> None:
    ref = planned(store, categories=("contact.phone",), activities=("orders",))
    run(store, services(), ManualClock(SENT))  # no COURIERS_WEBHOOK: failed
    with store.session(write=True) as session:
        record_told_by_hand(
            session, ref, "couriers", how="by phone to their DPO", actor="admin", now=SENT
        )
    assert outcomes(store, ref)[0][:2] == ("couriers", "sent")
    assert recipient_notes(store, ref)[-1] == "couriers told by hand: by phone to their DPO"
