"""Recipients told of a restriction are told of its lifting (GDPR Art. 19): by the channel
they were told of it, through a real relay and a real webhook receiver, retried and followed
up like any notice, and once; on SQLite and PostgreSQL stores."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from pledge.cli import run as pledge
from pledge.jobs import JOBS, Runner
from pledge.jobs.queue import enqueue
from pledge.rights import create_request, get_request, timeline, transition
from pledge.rights.decisions import lift_restriction, record_decisions
from pledge.rights.recipients import (
    MAX_ATTEMPTS,
    NOTIFY_AGAIN_JOB,
    NoticeSettled,
    notices,
    plan_notices,
    record_told_by_hand,
    retry_notice,
)
from pledge.rights.recipients_lifting import tell_of_lifting
from pledge.rights.restriction_lift import LIFT_JOB
from pledge.services import Services
from pledge.store import Store, open_store
from pledge.store.tables import JobRow
from tests.jobs.clock import ManualClock
from tests.mail.smtp_server import Received, SmtpServer
from tests.rights.demo import DEMO, at
from tests.rights.pipeline import body
from tests.rights.recipients_demo import PERSON, declaration, services, unfinished_jobs
from tests.rights.webhook_server import KEYS, Call, WebhookServer, serve_webhooks

RECEIVED = at(2026, 3, 2)
RESTRICTED = at(2026, 3, 5)
LIFTED = at(2026, 4, 20)
# Stripe (fraud) receives the name, Brevo (newsletter) the email address; couriers (orders)
# the name too.
RESTRICTED_DATA = ("identity.name", "contact.email")
STRIPE = "/stripe?token=s3cret"
BREVO = "dpo@brevo.example"
LIFT_PLANNED = (
    "to tell of the lifting of the restriction (GDPR Art. 19): mailer (Brevo) by email,"
    " stripe (Stripe Payments Europe) by webhook"
)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


@pytest.fixture
def webhook_server() -> Iterator[WebhookServer]:
    with serve_webhooks() as server:
        yield server


@pytest.fixture
def given(smtp_server: SmtpServer, webhook_server: WebhookServer) -> Services:
    return services(smtp_port=smtp_server.port, environ=hooks(webhook_server))


def hooks(server: WebhookServer) -> dict[str, str]:
    return {"STRIPE_WEBHOOK": server.url(STRIPE), "COURIERS_WEBHOOK": server.url("/couriers")}


def restricted(
    store: Store,
    given: Services,
    *,
    activities: tuple[str, ...] = ("fraud", "newsletter"),
    language: str = "en",
) -> str:
    """A restriction carried out, and the job that tells its recipients run."""
    with store.session(write=True) as session:
        row = create_request(
            session,
            declaration(),
            type="restriction",
            email=PERSON,
            jurisdiction="eu",
            language=language,
            now=RECEIVED,
        )
        session.execute(delete(JobRow))  # only the recipients are under test
        for state in ("identity_pending", "verified", "running"):
            transition(session, row.id, state, actor="test", now=RECEIVED)
        record_decisions(session, declaration(), row, access=None, now=RESTRICTED)
        plan_notices(
            session,
            declaration(),
            row,
            categories=RESTRICTED_DATA,
            activities=activities,
            now=RESTRICTED,
        )
        transition(session, row.id, "completed", actor="test", now=RESTRICTED)
        ref = row.id
    run(store, given, RESTRICTED)
    return ref


def lift(store: Store, ref: str, now: dt.datetime = LIFTED) -> int:
    with store.session(write=True) as session:
        return lift_restriction(
            session, ref, actor="staff:omar", reason="the accuracy was checked", now=now
        )


def run(store: Store, given: Services, moment: dt.datetime) -> int:
    return Runner(store, JOBS, services=given, clock=ManualClock(moment)).run_pending().ran


def states(store: Store, ref: str) -> list[tuple[str, str, str, int]]:
    with store.session() as session:
        return [(n.recipient, n.kind, n.state, n.attempts) for n in notices(session, ref)]


def recipient_notes(store: Store, ref: str, since: dt.datetime = LIFTED) -> list[str]:
    with store.session() as session:
        return [
            e.note or "" for e in timeline(session, ref) if e.kind == "recipient" and e.at >= since
        ]


def mails_to(smtp_server: SmtpServer, address: str) -> list[Received]:
    return [mail for mail in smtp_server.received if address in mail.recipients]


def refusal(action: Callable[[], object]) -> str:
    with pytest.raises(NoticeSettled) as refused:
        action()
    return refused.value.message


def event(call: Call) -> str:
    return str(json.loads(call.body)["event"])


def test_each_recipient_told_of_the_restriction_is_told_of_its_lifting_by_its_channel(
    store: Store, given: Services, smtp_server: SmtpServer, webhook_server: WebhookServer
) -> None:
    ref = restricted(store, given)
    assert [event(call) for call in webhook_server.to(STRIPE)] == ["restriction"]
    assert len(mails_to(smtp_server, BREVO)) == 1

    assert lift(store, ref) == 1
    run(store, given, LIFTED)

    told, lifted = webhook_server.to(STRIPE)
    assert json.loads(lifted.body) == {
        "event": "restriction_lifted",
        "request": ref,
        "subject": {"email": PERSON},
        "categories": json.loads(told.body)["categories"],
        "at": LIFTED.isoformat(),
    }
    # Signed as every notice is: checked here with the key, apart from Pledge's code.
    expected = "sha256=" + hmac.new(KEYS.webhooks, lifted.body, hashlib.sha256).hexdigest()
    assert lifted.headers["x-pledge-signature"] == expected
    assert lifted.headers["x-pledge-timestamp"] == str(int(LIFTED.timestamp()))

    _, mail = mails_to(smtp_server, BREVO)
    message = mail.message
    assert message["Subject"] == f"Maple & Finch: restriction of a person's data lifted ({ref})"
    assert message["Content-Language"] == "en"
    text = " ".join(body(message).split())
    assert "That restriction has now been lifted." in text
    assert f"The person: {PERSON} Our reference: {ref} The data concerned: Email address" in text
    assert "You may use this person's data again" in text
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "<strong>lifted</strong>" in str(html.get_content())

    assert states(store, ref) == [
        ("mailer", "request", "sent", 1),
        ("mailer", "restriction_lifted", "sent", 1),
        ("stripe", "request", "sent", 1),
        ("stripe", "restriction_lifted", "sent", 1),
    ]
    assert recipient_notes(store, ref) == [
        LIFT_PLANNED,
        f"mailer told of the lifting of the restriction by email to {BREVO}"
        " (sent through 127.0.0.1)",
        "stripe told of the lifting of the restriction by webhook (STRIPE_WEBHOOK, HTTP 200)",
    ]
    assert unfinished_jobs(store) == []


def test_the_mail_of_a_lifting_comes_in_the_request_language(
    store: Store, given: Services, smtp_server: SmtpServer
) -> None:
    ref = restricted(store, given, language="fr")
    lift(store, ref)
    run(store, given, LIFTED)
    _, mail = mails_to(smtp_server, BREVO)
    message = mail.message
    assert message["Content-Language"] == "fr"
    assert " ".join(message["Subject"].split()) == (
        f"Maple & Finch : levée de la limitation du traitement de données ({ref})"
    )
    text = " ".join(body(message).split())
    assert "Cette limitation est maintenant levée." in text
    assert f"Notre référence : {ref}" in text
    assert "Vous pouvez de nouveau utiliser les données de cette personne" in text


def test_a_failing_webhook_is_retried_then_tried_again_by_hand(
    store: Store,
    given: Services,
    webhook_server: WebhookServer,
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ref = restricted(store, given)
    webhook_server.answer(STRIPE, *[500] * MAX_ATTEMPTS)
    lift(store, ref)
    clock = LIFTED
    run(store, given, clock)
    assert states(store, ref)[-1] == ("stripe", "restriction_lifted", "pending", 1)
    assert unfinished_jobs(store) == [(NOTIFY_AGAIN_JOB, ref, LIFTED + dt.timedelta(minutes=5))]
    assert recipient_notes(store, ref)[-1] == (
        f"stripe not told of the lifting of the restriction yet (attempt 1 of {MAX_ATTEMPTS}):"
        " the webhook in STRIPE_WEBHOOK answered HTTP 500; it will be tried again"
    )
    for _ in range(MAX_ATTEMPTS - 1):
        clock += dt.timedelta(hours=3)
        assert run(store, given, clock) == 1
    assert states(store, ref)[-1] == ("stripe", "restriction_lifted", "failed", MAX_ATTEMPTS)
    assert recipient_notes(store, ref)[-1] == (
        f"stripe could not be told of the lifting of the restriction after {MAX_ATTEMPTS}"
        " attempts: the webhook in STRIPE_WEBHOOK answered HTTP 500. An admin must tell this"
        " recipient by hand (or fix the cause and try again)"
    )
    assert unfinished_jobs(store) == []

    # Staff try it again, from the CLI, by the recipient's name alone: its failed notice is
    # the lifting's (the restriction's was sent).
    monkeypatch.delenv("PLEDGE_STORE_URL", raising=False)
    path = str(shutil.copy(DEMO, tmp_path / "pledge.yaml"))
    code = pledge(["request", "retry-notice", path, ref, "stripe", "--store", store_url])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out == f"{ref}: the notice to stripe will be tried again by the next worker run\n"
    assert recipient_notes(store, ref)[-1] == (
        "stripe: the notice of the lifting of the restriction will be tried again"
    )
    # The CLI queues the job at the real time, past this test's clock.
    run(store, given, max(clock, dt.datetime.now(dt.UTC)) + dt.timedelta(minutes=1))
    assert states(store, ref) == [
        ("mailer", "request", "sent", 1),
        ("mailer", "restriction_lifted", "sent", 1),
        ("stripe", "request", "sent", 1),
        ("stripe", "restriction_lifted", "sent", 1),
    ]
    calls = webhook_server.to(STRIPE)
    assert [event(call) for call in calls] == ["restriction"] + ["restriction_lifted"] * (
        MAX_ATTEMPTS + 1
    )


def test_a_lifting_not_delivered_can_be_recorded_as_told_by_hand(
    store: Store, given: Services, smtp_server: SmtpServer
) -> None:
    ref = restricted(store, given)
    # The webhook's variable is gone by the time the restriction is lifted: no retry helps.
    unset = services(smtp_port=smtp_server.port)
    lift(store, ref)
    run(store, unset, LIFTED)
    assert states(store, ref)[-1] == ("stripe", "restriction_lifted", "failed", 1)

    with store.session(write=True) as session:
        notice = record_told_by_hand(
            session, ref, "stripe", how="by phone to their DPO", actor="staff:olive", now=LIFTED
        )
        assert (notice.kind, notice.state) == ("restriction_lifted", "sent")
    assert recipient_notes(store, ref)[-1] == (
        "stripe told by hand of the lifting of the restriction: by phone to their DPO"
    )
    with store.session(write=True) as session:
        assert (
            refusal(
                lambda: record_told_by_hand(
                    session, ref, "stripe", how="again", actor="staff:olive"
                )
            )
            == "stripe was told of the lifting of the restriction already"
        )
        assert refusal(lambda: retry_notice(session, ref, "stripe", actor="staff:olive")) == (
            "the notice to stripe of the lifting of the restriction is sent, not failed:"
            " there is nothing to retry"
        )
        # Named, the notice of the request's own kind is the one followed up.
        assert (
            refusal(
                lambda: retry_notice(session, ref, "stripe", actor="staff:olive", kind="request")
            )
            == "the notice to stripe is sent, not failed: there is nothing to retry"
        )


def test_lifting_again_tells_nobody_twice(
    store: Store, given: Services, smtp_server: SmtpServer, webhook_server: WebhookServer
) -> None:
    ref = restricted(store, given)
    lift(store, ref)
    run(store, given, LIFTED)
    calls, mails = len(webhook_server.calls), len(smtp_server.received)
    notes = recipient_notes(store, ref)
    assert notes[0] == LIFT_PLANNED

    later = LIFTED + dt.timedelta(days=1)
    with store.session(write=True) as session:
        enqueue(session, LIFT_JOB, ref, now=later)
    assert run(store, given, later) == 1
    assert lift(store, ref, later) == 0
    # The planning itself, run again, plans nothing and writes nothing.
    with store.session(write=True) as session:
        told = tell_of_lifting(
            session, declaration(), get_request(session, ref), actor="job", now=later
        )
    assert told == ["mailer", "stripe"]
    assert run(store, given, later + dt.timedelta(days=1)) == 0

    assert (len(webhook_server.calls), len(smtp_server.received)) == (calls, mails)
    assert recipient_notes(store, ref) == notes
    assert [kind for _, kind, _, _ in states(store, ref)].count("restriction_lifted") == 2
    assert unfinished_jobs(store) == []


def test_a_restriction_not_yet_told_when_lifted_is_no_longer_told(
    store: Store, given: Services, webhook_server: WebhookServer
) -> None:
    webhook_server.answer("/couriers", 503)
    ref = restricted(store, given, activities=("orders", "newsletter"))
    assert states(store, ref) == [
        ("couriers", "request", "pending", 1),
        ("mailer", "request", "sent", 1),
        ("stripe", "request", "sent", 1),
    ]
    # Lifted before the couriers' notice is tried again (5 minutes after the first try).
    soon = RESTRICTED + dt.timedelta(minutes=1)
    lift(store, ref, soon)
    run(store, given, soon)
    assert states(store, ref) == [
        ("couriers", "request", "cancelled", 1),
        ("mailer", "request", "sent", 1),
        ("mailer", "restriction_lifted", "sent", 1),
        ("stripe", "request", "sent", 1),
        ("stripe", "restriction_lifted", "sent", 1),
    ]
    assert recipient_notes(store, ref, soon)[:2] == [
        "not told of the restriction before it was lifted, so no longer to be told of it:"
        " couriers (Royal Mail and DPD)",
        LIFT_PLANNED,
    ]
    # The retry queued for it finds nothing to send; staff have nothing to follow up.
    run(store, given, soon + dt.timedelta(days=1))
    assert len(webhook_server.to("/couriers")) == 1
    with store.session(write=True) as session:
        assert refusal(lambda: retry_notice(session, ref, "couriers", actor="staff:olive")) == (
            "the notice to couriers is cancelled, not failed: there is nothing to retry"
        )
        assert refusal(
            lambda: record_told_by_hand(
                session, ref, "couriers", how="by phone", actor="staff:olive"
            )
        ) == (
            "the restriction was lifted before couriers was told of it: there is nothing"
            " left to tell"
        )
    assert unfinished_jobs(store) == []
