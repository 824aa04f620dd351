"""A served privacy center for tests: the demo declaration over small demo databases, a
real SMTP server catching the mails, and helpers to read codes out of them."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller

from pledge.demo import DEMO_PERSON
from pledge.settings import Settings
from tests.demo.generated import close, generate
from tests.mail.smtp_server import Collector, Received, SmtpServer, free_port
from tests.web.live import copy_demo, start_server, store_url, wait_for

CENTER = "/privacy/requests"
# Jane's home postcode in the demo (pledge.demo.people.HOME): her second check.
JANE_POSTCODE = "BS8 3HY"
POSTAL = "contact.postal_address"
DEMO_SCALE = 25
MAIL_FROM = "privacy@maplefinch.example"
_CODE = re.compile(r"code\D{0,40}?\b(\d{6})\b", re.IGNORECASE)
_FORM_TOKEN = re.compile(r'name="form_token" value="([0-9a-f]+)"')
_STATUS = re.compile(r"/privacy/requests/status/([^?\s\"]+)")


@dataclass(frozen=True)
class Center:
    url: str
    smtp: SmtpServer
    folder: Path
    settings: Settings  # what the server runs with: another server may start with the same

    def client(self) -> httpx.Client:
        """A browser-like client of its own: its own cookie jar, redirects not followed."""
        return httpx.Client(base_url=self.url, timeout=20)


@contextmanager
def smtp_relay() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback that keeps what it receives."""
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, collector)
    finally:
        controller.stop()


@contextmanager
def serving_center(
    folder: Path, monkeypatch: pytest.MonkeyPatch, store: str | None = None
) -> Iterator[Center]:
    """`pledge serve` for the demo, over its databases in `folder`, with its own relay; its
    store is `store`, else a SQLite file in `folder`."""
    with smtp_relay() as smtp, _serving(folder, smtp, monkeypatch, store) as center:
        yield center


@contextmanager
def _serving(
    folder: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, store: str | None
) -> Iterator[Center]:
    demo = generate(
        f"sqlite:///{folder / 'shop.db'}", f"sqlite:///{folder / 'crm.db'}", scale=DEMO_SCALE
    )
    close(demo)
    # Configuration the server reads from its environment when it starts, as in production.
    monkeypatch.setenv("PLEDGE_DEMO_SHOP_URL", f"sqlite:///{folder / 'shop.db'}")
    monkeypatch.setenv("PLEDGE_DEMO_CRM_URL", f"sqlite:///{folder / 'crm.db'}")
    monkeypatch.setenv("PLEDGE_SMTP_HOST", smtp.host)
    monkeypatch.setenv("PLEDGE_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("PLEDGE_MAIL_FROM", MAIL_FROM)
    monkeypatch.setenv("PLEDGE_SECRET_KEY", secrets.token_hex(32))
    declaration = copy_demo(folder)
    settings = Settings.build(
        declaration, store_url=store or store_url(folder), host="127.0.0.1", port=0, watch=False
    )
    running = start_server(settings)
    try:
        yield Center(running.url, smtp, folder, settings)
    finally:
        running.stop()


def form_token(page: str) -> str:
    found = _FORM_TOKEN.search(page)
    assert found, "the page has no form token"
    return found.group(1)


def file_request(
    client: httpx.Client,
    *,
    email: str,
    jurisdiction: str = "uk",
    type: str = "access",
    fields: dict[str, str | list[str]] | None = None,
) -> httpx.Response:
    """Open the form as a browser would, then send it; the answer is not followed. A field
    given a list is sent once per item, as ticked boxes are."""
    page = client.get(CENTER, params={"jurisdiction": jurisdiction, "type": type})
    assert page.status_code == 200, page.text
    data: dict[str, str | list[str]] = {
        "form_token": form_token(page.text),
        "jurisdiction": jurisdiction,
        "type": type,
        "email": email,
        **(fields or {}),
    }
    # multipart/form-data, as the page's form sends it
    return client.post(CENTER, data=data, files={"agent_proof": ("", b"", "")})


def status_path(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert _STATUS.search(location), location
    return location


def mails_to(smtp: SmtpServer, address: str) -> list[Received]:
    return [mail for mail in smtp.received if address in mail.recipients]


def body_text(mail: Received) -> str:
    part = mail.message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def wait_for_code(smtp: SmtpServer, address: str, *, after: int = 0) -> str:
    """The code in the first mail to `address` that carries one, after the first `after`."""

    def probe() -> str | None:
        for mail in mails_to(smtp, address)[after:]:
            found = _CODE.search(body_text(mail))
            if found:
                return found.group(1)
        return None

    return wait_for(probe, f"a mail with a code to {address}", seconds=30)


__all__ = ["CENTER", "DEMO_PERSON", "JANE_POSTCODE", "POSTAL", "Center"]
