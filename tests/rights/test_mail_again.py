"""A mail job that gave up while the relay was down, queued again once it is back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from pledge.jobs import JOBS, Runner
from pledge.mail.sender import MailSettings
from pledge.rights import create_request, get_request, timeline
from pledge.rights.mail_again import NothingToResend, failed_mails, resend_mails
from pledge.rights.requests import ACKNOWLEDGE_JOB
from pledge.rights.workflow import CLOSING_MAIL_JOB, deny
from pledge.services import Keys, Services
from pledge.store import Store, open_store
from pledge.store.tables import JobRow
from tests.jobs.clock import ManualClock
from tests.mail.smtp_server import SmtpServer, free_port
from tests.rights.demo import at, demo
from tests.rights.pipeline import services

__all__ = ["services"]

FILED = at(2026, 3, 2)
PERSON = "jane@example.com"


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


@pytest.fixture
def relay_down() -> Iterator[Services]:
    """Services whose mail relay does not answer: nothing listens on its port."""
    made = Services(
        declaration=demo,
        keys=Keys.derive(b"a test secret, long enough to derive keys"),
        public_url="http://pledge.test",
        mail=MailSettings(host="127.0.0.1", port=free_port(), sender="privacy@example.com"),
    )
    try:
        yield made
    finally:
        made.close()


def file(store: Store) -> str:
    with store.session(write=True) as session:
        return create_request(
            session, demo(), type="know", email=PERSON, jurisdiction="us-ca", now=FILED
        ).id


def run_until_idle(store: Store, given: Services, clock: ManualClock) -> None:
    """Run the jobs as a worker would over the next hours, retries and all."""
    for _ in range(8):
        Runner(store, JOBS, services=given, clock=clock).run_pending()
        clock.advance(dt.timedelta(minutes=30))


def job_states(store: Store, ref: str, kind: str) -> list[str]:
    with store.session() as session:
        query = select(JobRow.state).where(JobRow.ref == ref, JobRow.kind == kind)
        return list(session.scalars(query.order_by(JobRow.id)))


def test_an_acknowledgement_that_gave_up_is_sent_once_the_relay_is_back(
    store: Store, relay_down: Services, services: Services, smtp_server: SmtpServer
) -> None:
    ref = file(store)
    clock = ManualClock(FILED)
    run_until_idle(store, relay_down, clock)
    with store.session() as session:
        assert get_request(session, ref).state == "received"
        assert failed_mails(session, ref) == ["the acknowledgement"]
    assert job_states(store, ref, ACKNOWLEDGE_JOB) == ["failed"]

    with store.session(write=True) as session:
        assert resend_mails(session, ref, actor="staff:olive", now=clock()) == [
            "the acknowledgement"
        ]
    assert job_states(store, ref, ACKNOWLEDGE_JOB) == ["failed", "pending"]
    with store.session() as session:
        last = timeline(session, ref)[-1]
        assert failed_mails(session, ref) == []  # queued: no longer given up
    assert (last.kind, last.actor, last.note) == (
        "mail",
        "staff:olive",
        "the acknowledgement to be sent again (the job had given up)",
    )

    run_until_idle(store, services, clock)
    with store.session() as session:
        assert get_request(session, ref).state == "identity_pending"
    received = [r.message["Subject"] for r in smtp_server.received if PERSON in r.recipients]
    assert len(received) == 2  # the acknowledgement, then the identity code


def test_a_closing_mail_that_gave_up_is_sent_once(
    store: Store, relay_down: Services, services: Services, smtp_server: SmtpServer
) -> None:
    ref = file(store)
    clock = ManualClock(FILED)
    with store.session(write=True) as session:
        deny(session, ref, "we hold no data about you", actor="staff:olive", now=clock())
    run_until_idle(store, relay_down, clock)
    assert job_states(store, ref, CLOSING_MAIL_JOB) == ["failed"]

    with store.session(write=True) as session:
        resend_mails(session, ref, actor="cli", now=clock())
    run_until_idle(store, services, clock)
    assert job_states(store, ref, CLOSING_MAIL_JOB) == ["failed", "done"]
    assert len([r for r in smtp_server.received if PERSON in r.recipients]) == 1
    with (
        store.session(write=True) as session,
        pytest.raises(NothingToResend, match=r"no mail of request \S+ failed for good"),
    ):
        resend_mails(session, ref, actor="cli", now=clock())
