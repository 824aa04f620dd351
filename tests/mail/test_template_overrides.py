"""A company's own mail templates (PLEDGE_MAIL_TEMPLATES): a file in its folder replaces
Pledge's of the same name, for the whole process, and nothing else changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from jinja2 import UndefinedError
from sqlalchemy import select

from pledge.declaration.model import Declaration
from pledge.jobs import JOBS, Runner
from pledge.mail.messages import (
    acknowledgement_message,
    code_message,
    completion_message,
    denial_message,
    download_code_message,
    extension_message,
    restriction_lifted_message,
)
from pledge.mail.recipient_messages import recipient_notice_message
from pledge.mail.template_overrides import MAIL_VARIABLES, PACKAGED_FOLDER, use_mail_templates
from pledge.rights import create_request, extend, get_request, transition
from pledge.rights.workflow import CLOSING_MAIL_JOB, deny
from pledge.services import Services
from pledge.settings import Settings
from pledge.store import Store, open_store
from pledge.store.tables import JobRow, RequestRow
from tests.jobs.clock import ManualClock
from tests.mail.smtp_server import SmtpServer
from tests.rights.demo import DEMO, at, demo

SENDER = "privacy@maplefinch.example"
PERSON = "jane@example.com"
STATUS_URL = "https://privacy.maplefinch.example/requests/status?t=abc"
OWN_COMPLETION = """{% import "en/_blocks.txt.j2" as blocks -%}
Dear customer, your {{ kind }} {{ reference }} is done.
{{ blocks.complain(complaint, contact) }}
"""


@pytest.fixture(autouse=True)
def pledges_templates_after() -> Iterator[None]:
    """The templates in use belong to the process: give the next test Pledge's again."""
    yield
    use_mail_templates(None)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as opened:
        yield opened


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(source)
    return folder


def started(
    monkeypatch: pytest.MonkeyPatch, store: Store, smtp: SmtpServer, folder: Path | None
) -> Services:
    """Services as `pledge worker` builds them, from the environment, mailing `smtp`."""
    monkeypatch.setenv("PLEDGE_SMTP_HOST", smtp.host)
    monkeypatch.setenv("PLEDGE_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("PLEDGE_MAIL_FROM", SENDER)
    if folder is None:
        monkeypatch.delenv("PLEDGE_MAIL_TEMPLATES", raising=False)
    else:
        monkeypatch.setenv("PLEDGE_MAIL_TEMPLATES", str(folder))
    settings = Settings.build(DEMO, store_url=store.url)
    return Services.from_settings(settings, demo)


def filed(store: Store, *states: str, language: str = "en") -> RequestRow:
    with store.session(write=True) as session:
        row = create_request(
            session,
            demo(),
            type="access",
            email=PERSON,
            jurisdiction="uk",
            language=language,
            now=at(2025, 9, 3),
        )
        for state in states:
            row = transition(session, row.id, state, actor="admin", now=at(2025, 9, 4))
        return row


def completed(store: Store, language: str = "en") -> RequestRow:
    return filed(store, "identity_pending", "verified", "running", "completed", language=language)


def completion(row: RequestRow) -> EmailMessage:
    return completion_message(
        demo(),
        row,
        lang=row.language,
        sender=SENDER,
        status_url=STATUS_URL,
        summary={"found": True, "download_until": "2025-10-20"},
    )


def delivered(services: Services, smtp: SmtpServer, message: EmailMessage) -> EmailMessage:
    services.send(message)
    return smtp.received[-1].message


def parts(message: EmailMessage) -> tuple[str, str, str]:
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
    # Lines end in CRLF once through SMTP: compare the text, not the transport.
    return (
        str(message["Subject"]),
        plain.get_content().replace("\r\n", "\n"),
        html.get_content().replace("\r\n", "\n"),
    )


def test_a_replaced_completion_text_changes_that_part_and_nothing_else(
    monkeypatch: pytest.MonkeyPatch, store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    row = completed(store)
    pledges = started(monkeypatch, store, smtp_server, None)
    before = parts(delivered(pledges, smtp_server, completion(row)))
    ack_before = parts(delivered(pledges, smtp_server, acknowledgement(row)))

    folder = write(tmp_path / "mail", {"en/completion.txt.j2": OWN_COMPLETION})
    services = started(monkeypatch, store, smtp_server, folder)
    subject, plain, html = parts(delivered(services, smtp_server, completion(row)))

    assert plain.startswith(f"Dear customer, your access request {row.id} is done.\n")
    # The macros still come from Pledge.
    assert "If you are not satisfied with how we handle your request, tell us first" in plain
    assert (subject, html) == before[::2]
    assert "Your copy of the data we hold about you is ready" in html
    assert parts(delivered(services, smtp_server, acknowledgement(row))) == ack_before


def test_a_french_file_changes_only_the_french_mail(
    monkeypatch: pytest.MonkeyPatch, store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    english, french = completed(store), completed(store, "fr")
    pledges = started(monkeypatch, store, smtp_server, None)
    english_before = parts(delivered(pledges, smtp_server, completion(english)))
    french_before = parts(delivered(pledges, smtp_server, completion(french)))

    own = "Votre {{ kind }} ({{ reference }}) est traitée.\n"
    services = started(
        monkeypatch, store, smtp_server, write(tmp_path / "mail", {"fr/completion.txt.j2": own})
    )
    assert parts(delivered(services, smtp_server, completion(english))) == english_before
    subject, plain, html = parts(delivered(services, smtp_server, completion(french)))
    assert plain == f"Votre demande d'accès ({french.id}) est traitée.\n"
    assert (subject, html) == french_before[::2]


def test_unset_the_mails_are_pledges_again(
    monkeypatch: pytest.MonkeyPatch, store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    row = completed(store)
    pledges = parts(completion(row))
    folder = write(tmp_path / "mail", {"en/completion.txt.j2": OWN_COMPLETION})
    started(monkeypatch, store, smtp_server, folder)
    assert parts(completion(row)) != pledges

    # A later start without the setting (or with it empty) is back to Pledge's own.
    services = started(monkeypatch, store, smtp_server, None)
    assert parts(delivered(services, smtp_server, completion(row))) == pledges
    monkeypatch.setenv("PLEDGE_MAIL_TEMPLATES", "  ")
    assert Settings.build(DEMO).mail_templates is None


def test_pledges_own_templates_pass_every_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every variable Pledge's templates use is in MAIL_VARIABLES, every macro is there."""
    monkeypatch.setenv("PLEDGE_MAIL_TEMPLATES", str(PACKAGED_FOLDER))
    read = Settings.build(DEMO).mail_templates
    assert read is not None
    assert len(read.files) == len(list(PACKAGED_FOLDER.rglob("*.j2"))) > 50


def test_each_mail_gives_every_variable_the_checks_allow(store: Store, tmp_path: Path) -> None:
    """A template using any name of MAIL_VARIABLES passes start-up and renders: the table
    promises nothing a mail lacks."""
    folder = write(
        tmp_path / "mail",
        {
            f"en/{mail}.subject.j2": " ".join(f"{{{{ {v} is defined }}}}" for v in sorted(given))
            for mail, given in MAIL_VARIABLES.items()
            if given
        },
    )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PLEDGE_MAIL_TEMPLATES", str(folder))
        use_mail_templates(Settings.build(DEMO).mail_templates)
    row = filed(store, "identity_pending", "verified")
    with store.session(write=True) as session:
        row = extend(session, row.id, reason="Many systems.", actor="admin", now=at(2025, 9, 10))
        row.outcome = "Unfounded."  # what a denial's mail gives as the reason
    subjects = {mail: str(message["Subject"]) for mail, message in every_mail(row, demo()).items()}
    assert set(subjects) == set(MAIL_VARIABLES) - {"_blocks"}
    for mail, subject in subjects.items():
        assert subject.split() == ["True"] * len(MAIL_VARIABLES[mail]), mail


def test_a_mail_failing_when_due_says_which_file_line_and_name(
    monkeypatch: pytest.MonkeyPatch, store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    # `complaint` is given, so start-up lets it through; the attribute is found only then.
    folder = write(tmp_path / "mail", {"en/denial.txt.j2": "Hello,\n{{ complaint.nmae }}\n"})
    services = started(monkeypatch, store, smtp_server, folder)
    with store.session(write=True) as session:
        ref = create_request(
            session, demo(), type="access", email=PERSON, jurisdiction="uk", now=at(2026, 3, 2)
        ).id
        deny(session, ref, "We hold no data about you.", actor="staff:olive", now=at(2026, 3, 2))
    Runner(store, JOBS, services=services, clock=ManualClock(at(2026, 3, 2))).run_pending()
    with store.session() as session:
        error = session.scalar(
            select(JobRow.last_error).where(JobRow.ref == ref, JobRow.kind == CLOSING_MAIL_JOB)
        )
        denied = get_request(session, ref)
    assert error is not None
    assert error.startswith(f"UndefinedError: {folder / 'en/denial.txt.j2'}:2: ")
    assert "has no attribute 'nmae'" in error
    assert smtp_server.received == []  # nor was the half-made mail sent
    with pytest.raises(UndefinedError, match=r"denial\.txt\.j2:2: .* has no attribute 'nmae'"):
        denial_message(demo(), denied, lang="en", sender=SENDER)


def acknowledgement(row: RequestRow) -> EmailMessage:
    return acknowledgement_message(demo(), row, lang=row.language, sender=SENDER)


def every_mail(row: RequestRow, declaration: Declaration) -> dict[str, EmailMessage]:
    moment = dt.datetime(2025, 9, 20, 12, tzinfo=dt.UTC)
    return {
        "acknowledgement": acknowledgement(row),
        "code": code_message(declaration, row, "123456", lang="en", sender=SENDER),
        "completion": completion(row),
        "denial": denial_message(declaration, row, lang="en", sender=SENDER),
        "extension": extension_message(declaration, row, lang="en", sender=SENDER),
        "restriction_lifted": restriction_lifted_message(
            declaration,
            row,
            lang="en",
            sender=SENDER,
            restricted_since=moment,
            lifted_at=moment,
            reason="The claim was settled.",
        ),
        "download_code": download_code_message(
            declaration, row, "654321", lang="en", sender=SENDER
        ),
        "recipient_notice": recipient_notice_message(
            declaration,
            row,
            next(iter(declaration.recipients)),
            event="rectification",
            categories=["contact.email"],
            corrections={"contact.email": "jane@new.example"},
            to="dpo@partner.example",
            sender=SENDER,
        ),
    }
