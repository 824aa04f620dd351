"""Lifting a restriction (GDPR Art. 18(3)): the person is mailed first, through a real relay,
and the restriction holds until that mail is out; on SQLite and PostgreSQL stores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from pledge.jobs import JOBS, Runner
from pledge.mail.sender import MailSettings
from pledge.rights import create_request, timeline, transition
from pledge.rights.decisions import lift_restriction, record_decisions, standing
from pledge.rights.recipients import record_told_by_hand
from pledge.rights.restriction_lift import LIFT_JOB
from pledge.services import Services
from pledge.store import Store, open_store
from pledge.store.tables import JobRow, RecipientNoticeRow, SubjectDecisionRow
from tests.jobs.clock import ManualClock
from tests.mail.smtp_server import SmtpServer, free_port
from tests.rights.demo import at, demo
from tests.rights.pipeline import SENDER, body, services

__all__ = ["services"]

RECEIVED = at(2026, 3, 2)
RESTRICTED = at(2026, 3, 5)
LIFTED = at(2026, 4, 20)
REASON = "we checked the accuracy of your address and it is correct"


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def restricted(store: Store, *, language: str = "en", jurisdiction: str = "uk") -> str:
    """A restriction request carried out: its decision recorded, the request completed."""
    with store.session(write=True) as session:
        row = create_request(
            session,
            demo(),
            type="restriction",
            email="jane@example.com",
            jurisdiction=jurisdiction,
            language=language,
            now=RECEIVED,
        )
        for state in ("identity_pending", "verified", "running"):
            transition(session, row.id, state, actor="test", now=RECEIVED)
        record_decisions(session, demo(), row, access=None, now=RESTRICTED)
        transition(session, row.id, "completed", actor="test", now=RESTRICTED)
        return row.id


def lift(store: Store, ref: str, reason: str = REASON) -> int:
    with store.session(write=True) as session:
        return lift_restriction(session, ref, actor="staff:omar", reason=reason, now=LIFTED)


def run_jobs(store: Store, services: Services, moment: dt.datetime = LIFTED) -> None:
    Runner(store, JOBS, services=services, clock=ManualClock(moment)).run_pending()


def is_restricted(store: Store) -> bool:
    with store.session() as session:
        return standing(session, email="jane@example.com").restricted


def test_the_person_is_mailed_before_the_restriction_is_lifted(
    store: Store, services: Services, smtp_server: SmtpServer
) -> None:
    ref = restricted(store)
    assert lift(store, ref) == 1
    # Decided, not yet lifted: nothing is released before the person is told.
    assert is_restricted(store)
    assert smtp_server.received == []
    with store.session() as session:
        decision = session.scalars(select(SubjectDecisionRow)).one()
        assert (decision.lifted_at, decision.lifted_by) == (None, "staff:omar")

    run_jobs(store, services)

    [mail] = [r.message for r in smtp_server.received if "jane@example.com" in r.recipients]
    assert mail["Subject"] == f"Maple & Finch: the restriction of your data ends ({ref})"
    assert (mail["From"], mail["Content-Language"]) == (SENDER, "en")
    text = " ".join(body(mail).split())
    assert f"your request to restrict processing (reference {ref})" in text
    assert "applied since 5 March 2026" in text
    assert "From 20 April 2026, we may use your data again" in text
    assert REASON in text
    assert "You have the right to lodge a complaint with Information Commissioner" in text
    html = mail.get_body(preferencelist=("html",))
    assert html is not None and "20 April 2026" in str(html.get_content())
    assert not is_restricted(store)
    with store.session() as session:
        decision = session.scalars(select(SubjectDecisionRow)).one()
        assert (decision.lifted_at, decision.lifted_by) == (LIFTED, "staff:omar")
        events = [(e.kind, e.note or "") for e in timeline(session, ref)]
    told = [i for i, (kind, note) in enumerate(events) if kind == "mail"]
    released = [i for i, (_, note) in enumerate(events) if note.startswith("restriction lifted;")]
    assert events[told[0]][1].startswith("restriction lifted: sent through 127.0.0.1")
    assert told[0] < released[0], "the mail is recorded before the restriction is lifted"
    assert events[released[0]][1] == f"restriction lifted; reason: {REASON}"

    # Once: the job run again, or the lifting asked again, mails nothing more.
    run_jobs(store, services, LIFTED + dt.timedelta(hours=1))
    assert lift(store, ref) == 0
    run_jobs(store, services, LIFTED + dt.timedelta(hours=2))
    assert len(smtp_server.received) == 1


def test_a_relay_that_refuses_the_mail_leaves_the_restriction_in_force(
    store: Store, services: Services, smtp_server: SmtpServer
) -> None:
    ref = restricted(store)
    lift(store, ref)
    down = Services(
        declaration=demo,
        keys=services.keys,
        public_url="http://pledge.test",
        mail=MailSettings(host="127.0.0.1", port=free_port(), sender=SENDER, timeout=2),
    )
    try:
        run_jobs(store, down)
    finally:
        down.close()
    assert is_restricted(store)
    with store.session() as session:
        job = session.scalars(select(JobRow).where(JobRow.kind == LIFT_JOB)).one()
        assert (job.state, job.attempts) == ("pending", 1)  # to be tried again
        assert not [e for e in timeline(session, ref) if e.kind == "mail"]
    run_jobs(store, services, LIFTED + dt.timedelta(days=1))
    assert not is_restricted(store)
    assert len(smtp_server.received) == 1


def test_the_mail_comes_in_the_request_language(
    store: Store, services: Services, smtp_server: SmtpServer
) -> None:
    ref = restricted(store, language="fr", jurisdiction="eu")
    lift(store, ref, "l'exactitude de vos données a été vérifiée")
    run_jobs(store, services)
    [received] = smtp_server.received
    mail = received.message
    assert mail["Content-Language"] == "fr"
    # Folded into encoded words on the way, the subject may come back with doubled spaces.
    assert " ".join(mail["Subject"].split()) == (
        f"Maple & Finch : fin de la limitation du traitement de vos données ({ref})"
    )
    text = " ".join(body(mail).split())
    assert f"demande de limitation du traitement (référence {ref}" in text
    assert "À compter du 20 avril 2026" in text
    assert "l'exactitude de vos données a été vérifiée" in text
    assert "Vous avez le droit d'introduire une réclamation auprès de" in text


def test_a_recipient_told_of_the_restriction_by_hand_is_told_of_its_lifting(
    store: Store, services: Services, smtp_server: SmtpServer
) -> None:
    # Its notice failed; staff told it themselves: it stopped using the data all the same.
    ref = restricted(store)
    with store.session(write=True) as session:
        session.add(
            RecipientNoticeRow(
                request_id=ref, recipient="mailer", channel="email", state="failed", attempts=5
            )
        )
    with store.session(write=True) as session:
        record_told_by_hand(
            session, ref, "mailer", how="by phone", actor="staff:omar", now=RESTRICTED
        )
    lift(store, ref)
    run_jobs(store, services)
    [told] = [r.message for r in smtp_server.received if "dpo@brevo.example" in r.recipients]
    assert told["Subject"] == f"Maple & Finch: restriction of a person's data lifted ({ref})"
    with store.session() as session:
        notes = [e.note or "" for e in timeline(session, ref) if e.kind == "recipient"]
    assert notes[-2:] == [
        "to tell of the lifting of the restriction (GDPR Art. 19): mailer (Brevo) by email",
        "mailer told of the lifting of the restriction by email to dpo@brevo.example"
        " (sent through 127.0.0.1)",
    ]
    assert not [note for note in notes if "by hand if they must know" in note]
