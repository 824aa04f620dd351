"""Mail through a real SMTP server on 127.0.0.1: what arrives, in English and French."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from pledge.declaration.model import Authority, Declaration
from pledge.errors import PledgeError
from pledge.mail import MailSettings, acknowledgement_message, code_message, send_mail
from pledge.rights import create_request, transition
from pledge.store import Store, open_store
from pledge.store.tables import RequestRow
from tests.mail.smtp_server import SmtpServer, free_port
from tests.rights.demo import at, demo

SENDER = "Maple & Finch <privacy@maplefinch.example>"


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store("sqlite://") as opened:
        yield opened


def settings(server: SmtpServer, *, starttls: bool = False) -> MailSettings:
    return MailSettings(
        host=server.host, port=server.port, sender=SENDER, starttls=starttls, timeout=5
    )


def request(
    store: Store, jurisdiction: str = "uk", *, verified: dt.datetime | None = None
) -> RequestRow:
    with store.session(write=True) as session:
        row = create_request(
            session,
            demo(),
            type="access",
            email="jane@example.com",
            jurisdiction=jurisdiction,
            now=at(2025, 9, 3),
        )
        row = transition(session, row.id, "identity_pending", actor="system", now=at(2025, 9, 3))
        if verified is not None:
            row = transition(session, row.id, "verified", actor="subject", now=verified)
        return row


def parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
    return plain.get_content(), html.get_content()


def test_an_acknowledgement_arrives_with_both_parts(store: Store, smtp_server: SmtpServer) -> None:
    row = request(store)
    send_mail(settings(smtp_server), acknowledgement_message(demo(), row, lang="en", sender=SENDER))
    (received,) = smtp_server.received
    message = received.message
    assert received.recipients == ["jane@example.com"]
    assert received.sender == "privacy@maplefinch.example"
    assert message["To"] == "jane@example.com"
    assert message["From"] == SENDER
    assert message["Subject"] == f"Maple & Finch: we received your access request ({row.id})"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Reply-To"] == "privacy@maplefinch.example"
    assert message["Message-ID"].endswith("@maplefinch.example>")
    assert message.get_content_type() == "multipart/alternative"
    plain, html = parts(message)
    for body in (plain, html):
        assert row.id in body
        assert "3 September 2025" in body
        assert "starts when you" in body  # the UK clock waits for the identity check
        assert "Information Commissioner" in body and "https://ico.org.uk" in body
    assert "Maple &amp; Finch" in html and "Maple & Finch" in plain


def test_after_verification_the_due_date_is_given(store: Store, smtp_server: SmtpServer) -> None:
    row = request(store, verified=at(2025, 9, 13))
    send_mail(settings(smtp_server), acknowledgement_message(demo(), row, lang="en", sender=SENDER))
    plain, html = parts(smtp_server.received[0].message)
    assert "We will answer by 13 October 2025 at the latest" in plain
    assert "<strong>13 October 2025</strong>" in html
    assert "starts when you" not in plain


def test_a_french_acknowledgement_names_the_declared_authority(
    store: Store, smtp_server: SmtpServer
) -> None:
    row = request(store, "eu")
    send_mail(settings(smtp_server), acknowledgement_message(demo(), row, lang="fr", sender=SENDER))
    message = smtp_server.received[0].message
    assert (
        message["Subject"]
        == f"Maple & Finch : nous avons bien reçu votre demande d'accès ({row.id})"
    )
    assert message["Content-Language"] == "fr"
    plain, html = parts(message)
    assert "a bien reçu votre demande d'accès le 3 septembre 2025" in plain
    assert "confirmez votre identité" in plain
    # The EU has no single authority built in; the declaration names the CNIL.
    assert "CNIL (Commission nationale" in plain and "https://www.cnil.fr" in plain
    assert "demande d&#39;accès" in html


def test_the_declarations_authority_overrides_the_built_in_one(store: Store) -> None:
    base = demo()
    authorities = {
        **base.organisation.authorities,
        "uk": Authority(name={"en": "Our Own Regulator"}),
    }
    organisation = base.organisation.model_copy(update={"authorities": authorities})
    declaration: Declaration = base.model_copy(update={"organisation": organisation})
    plain, _ = parts(acknowledgement_message(declaration, request(store), lang="en", sender=SENDER))
    assert "Our Own Regulator" in plain and "Information Commissioner" not in plain


def test_the_code_mail_has_the_code_in_the_body_only(store: Store, smtp_server: SmtpServer) -> None:
    row = request(store)
    for lang in ("en", "fr"):
        message = code_message(demo(), row, "123456", lang=lang, sender=SENDER)
        send_mail(settings(smtp_server), message)
    english, french = (r.message for r in smtp_server.received)
    for message in (english, french):
        assert "123456" not in message["Subject"]
        assert row.id in message["Subject"]
    plain, html = parts(english)
    assert "Your code is 123456. It is valid for 15 minutes." in plain
    assert "If you did not ask for this code, ignore this message" in plain
    assert "123456" in html
    plain, html = parts(french)
    assert "Votre code est 123456. Il est valable 15 minutes." in plain
    assert "Si vous n'avez pas demandé ce code, ignorez ce message" in plain
    assert "123456" in html and 'lang="fr"' in html


def test_the_code_mail_links_the_page_where_the_code_is_typed(store: Store) -> None:
    row = request(store)
    link = f"https://privacy.maplefinch.example/privacy/requests/status/{row.id}.sig?lang=en"
    said = {"en": "Enter it on the page of your request", "fr": "Saisissez-le sur la page"}
    for lang, words in said.items():
        message = code_message(demo(), row, "123456", lang=lang, sender=SENDER, status_url=link)
        plain, html = parts(message)
        assert words in plain and f"\n{link}\n" in plain
        assert f'<a href="{link}">' in html
        assert link not in message["Subject"]
    # Without a link, the mail says where to go in words, as before.
    plain, html = parts(code_message(demo(), row, "123456", lang="en", sender=SENDER))
    assert "Enter it on our privacy page" in plain and "http" not in plain
    assert "<a " not in html


def test_html_escapes_what_it_is_given(store: Store) -> None:
    base = demo()
    organisation = base.organisation.model_copy(update={"name": "<b>Evil</b> & Co"})
    declaration = base.model_copy(update={"organisation": organisation})
    plain, html = parts(
        code_message(declaration, request(store), "654321", lang="en", sender=SENDER)
    )
    assert "<b>Evil</b> & Co" in plain
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; Co" in html and "<b>Evil</b>" not in html


def test_an_unsupported_language_falls_back_to_english(store: Store) -> None:
    message = code_message(demo(), request(store), "123456", lang="de-DE", sender=SENDER)
    assert message["Content-Language"] == "en"


def test_starttls_on_a_relay_without_it_is_explained(store: Store, smtp_server: SmtpServer) -> None:
    message = code_message(demo(), request(store), "123456", lang="en", sender=SENDER)
    with pytest.raises(PledgeError, match="does not offer") as error:
        send_mail(settings(smtp_server, starttls=True), message)
    assert "PLEDGE_SMTP_STARTTLS" in error.value.hint
    assert smtp_server.received == []


def test_an_unreachable_relay_is_explained(store: Store) -> None:
    port = free_port()  # nothing listens there
    message = code_message(demo(), request(store), "123456", lang="en", sender=SENDER)
    relay = MailSettings(host="127.0.0.1", port=port, sender=SENDER, timeout=5)
    with pytest.raises(PledgeError, match=f"could not send mail through 127.0.0.1:{port}"):
        send_mail(relay, message)


def test_settings_come_from_the_environment() -> None:
    relay = MailSettings.from_env(
        {
            "PLEDGE_SMTP_HOST": "mail.example.com",
            "PLEDGE_SMTP_PORT": "587",
            "PLEDGE_MAIL_FROM": "privacy@example.com",
            "PLEDGE_SMTP_STARTTLS": "1",
        }
    )
    assert (relay.host, relay.port, relay.sender, relay.starttls) == (
        "mail.example.com",
        587,
        "privacy@example.com",
        True,
    )
    assert MailSettings.from_env(
        {"PLEDGE_SMTP_HOST": "localhost", "PLEDGE_MAIL_FROM": "a@b.example"}
    ) == MailSettings(host="localhost", port=25, sender="a@b.example")
    with pytest.raises(PledgeError, match="mail is not set up"):
        MailSettings.from_env({"PLEDGE_SMTP_HOST": "localhost"})
    with pytest.raises(PledgeError, match="is not a port number"):
        MailSettings.from_env(
            {"PLEDGE_SMTP_HOST": "h", "PLEDGE_MAIL_FROM": "a@b.example", "PLEDGE_SMTP_PORT": "x"}
        )
