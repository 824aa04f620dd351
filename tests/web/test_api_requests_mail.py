"""What the requests API's actions mail the person, read from a real SMTP server once the
queued jobs have run: the closing mail of a request closed by hand, and the notice that a
restriction ends, sent before it is lifted."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import httpx
import pytest
from sqlalchemy import select

from pledge.declaration.load import load_declaration
from pledge.jobs import JOBS, Runner
from pledge.mail.sender import MailSettings
from pledge.rights.decisions import record_decisions, standing
from pledge.rights.requests import get_request
from pledge.rights.restriction_lift import LIFT_JOB
from pledge.rights.workflow import CLOSING_MAIL_JOB
from pledge.services import Keys, Services
from pledge.store.tables import SubjectDecisionRow
from tests.auth.live_staff import StaffServer
from tests.mail.smtp_server import SmtpServer, smtp_server
from tests.web.test_api_requests import api, file, jobs, move, server

__all__ = ["api", "server", "smtp_server"]

SENDER = "privacy@maplefinch.example"
JANE = "jane@example.com"


@pytest.fixture
def services(server: StaffServer, smtp_server: SmtpServer) -> Iterator[Services]:
    """What a worker beside the server would run the queued jobs with: real mail."""
    declaration = load_declaration(server.declaration).declaration
    made = Services(
        declaration=lambda: declaration,
        keys=Keys.derive(b"a test secret, long enough to derive keys"),
        public_url=server.url,
        mail=MailSettings(host=smtp_server.host, port=smtp_server.port, sender=SENDER),
    )
    try:
        yield made
    finally:
        made.close()


def run_jobs(server: StaffServer, services: Services) -> None:
    Runner(server.store, JOBS, services=services).run_pending()


def mails(smtp: SmtpServer, address: str = JANE) -> list[EmailMessage]:
    return [r.message for r in smtp.received if address in r.recipients]


def plain(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return " ".join(str(part.get_content()).split())


def running(server: StaffServer, type: str) -> str:
    ref = file(server, type, "uk")
    move(server, ref, "identity_pending", "verified", "awaiting_approval", "running")
    return ref


def test_completing_by_hand_mails_the_closing_mail_once(
    server: StaffServer, api: httpx.Client, services: Services, smtp_server: SmtpServer
) -> None:
    ref = running(server, "erasure")
    moved = api.post(
        f"/api/v1/requests/{ref}/transition",
        json={"to": "completed", "note": "erased by hand in the old CRM", "expected": "running"},
    )
    assert moved.status_code == 200, moved.text
    assert jobs(server, ref).count((CLOSING_MAIL_JOB, "pending")) == 1

    run_jobs(server, services)
    run_jobs(server, services)

    [mail] = mails(smtp_server)
    assert mail["Subject"] == f"Maple & Finch: we have completed your erasure request ({ref})"
    assert "We have erased the data we held about you." in plain(mail)
    assert jobs(server, ref).count((CLOSING_MAIL_JOB, "done")) == 1


def test_an_access_completed_by_hand_promises_no_copy_to_download(
    server: StaffServer, api: httpx.Client, services: Services, smtp_server: SmtpServer
) -> None:
    ref = running(server, "access")
    moved = api.post(
        f"/api/v1/requests/{ref}/transition", json={"to": "completed", "note": "sent by post"}
    )
    assert moved.status_code == 200, moved.text
    run_jobs(server, services)
    [mail] = mails(smtp_server)
    assert mail["Subject"] == f"Maple & Finch: we have completed your access request ({ref})"
    text = plain(mail)
    assert "We answered this request outside this service" in text
    assert "download" not in text.lower() and "/privacy/requests/download/" not in text


def test_a_partial_completion_by_hand_mails_what_could_not_be_done(
    server: StaffServer, api: httpx.Client, services: Services, smtp_server: SmtpServer
) -> None:
    ref = running(server, "erasure")
    reason = "the paper archive cannot be searched by name"
    moved = api.post(
        f"/api/v1/requests/{ref}/transition", json={"to": "partially_completed", "note": reason}
    )
    assert moved.status_code == 200, moved.text
    run_jobs(server, services)
    [mail] = mails(smtp_server)
    text = plain(mail)
    assert f"What we could not do {reason}" in text
    assert "You have the right to lodge a complaint with" in text


def test_lifting_a_restriction_mails_the_person_before_it_ends(
    server: StaffServer, api: httpx.Client, services: Services, smtp_server: SmtpServer
) -> None:
    ref = running(server, "restriction")
    declaration = load_declaration(server.declaration).declaration
    with server.store.session(write=True) as session:
        record_decisions(session, declaration, get_request(session, ref), access=None)
    move(server, ref, "completed")
    reason = "the accuracy of your address was checked"

    lifted = api.post(f"/api/v1/requests/{ref}/lift-restriction", json={"reason": reason})

    assert lifted.status_code == 200, lifted.text
    with server.store.session() as session:
        assert standing(session, email=JANE).restricted, "in force until the person is told"
    assert (LIFT_JOB, "pending") in jobs(server, ref)
    assert mails(smtp_server) == []

    run_jobs(server, services)

    [mail] = mails(smtp_server)
    assert mail["Subject"] == f"Maple & Finch: the restriction of your data ends ({ref})"
    assert reason in plain(mail)
    with server.store.session() as session:
        assert not standing(session, email=JANE).restricted
        decision = session.scalars(select(SubjectDecisionRow)).one()
    assert decision.lifted_at is not None and decision.lifted_by == "staff:omar"
    detail = api.get(f"/api/v1/requests/{ref}").json()
    notes = [e["note"] or "" for e in detail["timeline"]]
    assert notes.index(next(n for n in notes if n.startswith("restriction lifted: "))) < (
        notes.index(f"restriction lifted; reason: {reason}")
    )
