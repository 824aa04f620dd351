"""The mail telling a recipient of an erasure, rectification or restriction, in en and fr."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from pledge.jobs import JOBS, Runner
from pledge.mail.recipient_messages import NoticeEvent, recipient_notice_message
from pledge.rights import get_request
from pledge.rights.recipients import plan_notices
from pledge.store import Store, open_store
from pledge.store.tables import RequestRow
from tests.jobs.clock import ManualClock
from tests.mail.smtp_server import SmtpServer
from tests.rights.recipients_demo import FILED, PERSON, SENDER, declaration, file, services

REFERENCE = "PLG-7KQ2-M9XD"


def message(
    event: NoticeEvent, lang: str, corrections: dict[str, str] | None = None
) -> EmailMessage:
    request = RequestRow(id=REFERENCE, email=PERSON, language=lang, details={})
    return recipient_notice_message(
        declaration(),
        request,
        "mailer",
        event=event,
        categories=["contact.email", "identity.name"],
        corrections=corrections or {},
        to="dpo@brevo.example",
        sender=SENDER,
    )


def plain(mail: EmailMessage) -> str:
    part = mail.get_body(("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content()).replace("\r\n", "\n")


def html(mail: EmailMessage) -> str:
    part = mail.get_body(("html",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


@pytest.mark.parametrize(
    ("event", "lang", "subject", "done", "asked"),
    [
        (
            "erasure",
            "en",
            f"Maple & Finch: erasure of a person's data ({REFERENCE})",
            "we have erased their data.",
            "Please erase this person's data that you received from us",
        ),
        (
            "rectification",
            "en",
            f"Maple & Finch: correction of a person's data ({REFERENCE})",
            "we have corrected their data.",
            "Please correct this person's data in your records in the same way",
        ),
        (
            "restriction",
            "en",
            f"Maple & Finch: restriction of a person's data ({REFERENCE})",
            "we have restricted the processing of their data.",
            "Please keep this person's data but do not use it",
        ),
        (
            "erasure",
            "fr",
            f"Maple & Finch : effacement de données personnelles ({REFERENCE})",
            "À sa demande, nous avons effacé ses données.",
            "Merci d'effacer les données de cette personne que nous vous avons transmises",
        ),
        (
            "rectification",
            "fr",
            f"Maple & Finch : rectification de données personnelles ({REFERENCE})",
            "À sa demande, nous avons rectifié ses données.",
            "Merci de rectifier de la même façon les données de cette personne",
        ),
        (
            "restriction",
            "fr",
            f"Maple & Finch : limitation du traitement de données ({REFERENCE})",
            "À sa demande, nous avons limité le traitement de ses données.",
            "Merci de conserver les données de cette personne sans les utiliser",
        ),
    ],
)
def test_each_event_is_told_in_the_persons_language(
    event: NoticeEvent, lang: str, subject: str, done: str, asked: str
) -> None:
    mail = message(event, lang)
    assert mail["Subject"] == subject
    assert mail["Content-Language"] == lang
    body = plain(mail)
    assert done in body
    assert asked in body
    assert PERSON in body and REFERENCE in body
    assert PERSON in html(mail)


def test_the_data_concerned_is_named_in_words() -> None:
    assert "The data concerned: Email address, Name\n" in plain(message("erasure", "en"))
    assert "Données concernées : Adresse e-mail, Nom et prénom\n" in plain(message("erasure", "fr"))


def test_corrections_are_listed_and_escaped_in_html() -> None:
    mail = message(
        "rectification", "en", {"contact.email": "jane@new.example", "customers.nick": "<J>"}
    )
    body = plain(mail)
    assert "  - Email address: jane@new.example\n  - customers.nick: <J>\n" in body
    assert "<li>customers.nick: &lt;J&gt;</li>" in html(mail)


def test_the_headers_address_the_recipient_and_keep_the_person_out_of_the_subject() -> None:
    mail = message("erasure", "en")
    assert (mail["To"], mail["From"], mail["Reply-To"]) == (
        "dpo@brevo.example",
        SENDER,
        "privacy@maplefinch.example",
    )
    assert mail["Auto-Submitted"] == "auto-generated"
    assert PERSON not in mail["Subject"]
    assert "Hello Brevo," in plain(mail)


def test_an_unknown_language_falls_back_to_english() -> None:
    assert message("erasure", "de")["Content-Language"] == "en"


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def test_a_french_request_is_told_in_french_through_a_real_relay(
    store: Store, smtp_server: SmtpServer
) -> None:
    ref = file(store, language="fr").id
    with store.session(write=True) as session:
        plan_notices(
            session,
            declaration(),
            get_request(session, ref),
            categories=["contact.email"],
            activities=["newsletter"],
            now=FILED,
        )
    Runner(
        store, JOBS, services=services(smtp_port=smtp_server.port), clock=ManualClock(FILED)
    ).run_pending()
    (received,) = smtp_server.received
    assert received.recipients == ["dpo@brevo.example"]
    assert received.message["Subject"] == (
        f"Maple & Finch : effacement de données personnelles ({ref})"
    )
    assert "Données concernées : Adresse e-mail\n" in plain(received.message)
