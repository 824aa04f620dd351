"""The mail telling a recipient that a restriction was lifted: a mail of its own
(`recipient_notice.lifted`), so a company's own recipient_notice templates, which know three
events, never tell a lifting as a restriction; it can be replaced like any other."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from pledge.errors import PledgeError
from pledge.mail.recipient_messages import NoticeEvent, recipient_notice_message
from pledge.mail.template_overrides import use_mail_templates
from pledge.settings import Settings
from pledge.store.tables import RequestRow
from tests.rights.demo import DEMO, demo

REFERENCE = "PLG-7KQ2-M9XD"
# A company's recipient_notice written before liftings were told: anything but an erasure or
# a rectification reads as a restriction.
OWN_NOTICE = """{% if event == "erasure" %}Erase{% else %}Restrict{% endif %} {{ reference }}
"""


@pytest.fixture(autouse=True)
def pledges_templates_after() -> Iterator[None]:
    yield
    use_mail_templates(None)


def use_own(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(source)
    monkeypatch.setenv("PLEDGE_MAIL_TEMPLATES", str(tmp_path))
    use_mail_templates(Settings.build(DEMO).mail_templates)


def mail(event: NoticeEvent, language: str = "en") -> EmailMessage:
    request = RequestRow(id=REFERENCE, email="jane@example.com", language=language)
    return recipient_notice_message(
        demo(),
        request,
        "mailer",
        event=event,
        categories=["contact.email"],
        corrections={},
        to="dpo@brevo.example",
        sender="privacy@maplefinch.example",
    )


def text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return " ".join(str(part.get_content()).split())


def test_the_lifting_has_its_own_words_in_english_and_french() -> None:
    english = mail("restriction_lifted")
    assert english["Subject"] == (
        f"Maple & Finch: restriction of a person's data lifted ({REFERENCE})"
    )
    assert "Hello Brevo, Maple & Finch shared personal data" in text(english)
    assert "The data concerned: Email address" in text(english)
    assert "restricted the processing" in text(mail("restriction"))
    assert "has now been lifted" not in text(mail("restriction"))

    french = mail("restriction_lifted", "fr")
    assert french["Content-Language"] == "fr"
    assert "Cette limitation est maintenant levée." in text(french)
    assert "Données concernées : Adresse e-mail" in text(french)


def test_a_companys_own_recipient_notice_leaves_the_lifting_mail_pledges(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_own(monkeypatch, tmp_path, {"en/recipient_notice.txt.j2": OWN_NOTICE})
    assert text(mail("restriction")) == f"Restrict {REFERENCE}"
    assert "That restriction has now been lifted." in text(mail("restriction_lifted"))


def test_the_lifting_mail_can_be_the_companys_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    own = "Dear {{ recipient_name }}, {{ person }} ({{ reference }}) is no longer restricted.\n"
    use_own(monkeypatch, tmp_path, {"en/recipient_notice.lifted.txt.j2": own})
    assert text(mail("restriction_lifted")) == (
        f"Dear Brevo, jane@example.com ({REFERENCE}) is no longer restricted."
    )


def test_a_lifting_template_using_what_it_is_not_given_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "en").mkdir()
    path = tmp_path / "en/recipient_notice.lifted.subject.j2"
    path.write_text("Lifted on {{ lifted }}\n")
    monkeypatch.setenv("PLEDGE_MAIL_TEMPLATES", str(tmp_path))
    with pytest.raises(PledgeError) as refused:
        Settings.build(DEMO)
    assert refused.value.message.startswith(
        f"PLEDGE_MAIL_TEMPLATES: {path}:1: `lifted` is not given to the recipient_notice templates"
    )
