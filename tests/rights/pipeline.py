"""A company with its databases, Pledge's store, a real SMTP server and a job runner whose
clock the test moves: the whole path of a request, with nothing imitated.

The shop runs on each engine (`company_url`), the CRM in a SQLite file; the declaration is
the demo company's, whose sources name them through environment variables given to the
Services (configuration, not a stand-in).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from pledge.declaration.model import Declaration
from pledge.demo.people import JANE_EMAIL
from pledge.jobs import JOBS, Runner
from pledge.jobs.runner import RunReport
from pledge.mail.sender import MailSettings
from pledge.rights.requests import get_request
from pledge.rights.workflow import confirm_identity, submit_request
from pledge.services import Keys, Services
from pledge.store import Store, open_store
from pledge.store.tables import RequestRow
from tests.demo.generated import Demo, close, generate
from tests.jobs.clock import ManualClock
from tests.mail.smtp_server import SmtpServer
from tests.rights.demo import demo

NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)  # the day after the demo's data ends
SENDER = "privacy@maplefinch.example"
_CODE = re.compile(r"\b(\d{6})\b")


@dataclass
class Company:
    store: Store
    services: Services
    smtp: SmtpServer
    clock: ManualClock
    databases: Demo
    environ: dict[str, str] = field(default_factory=dict)

    def run_jobs(self) -> RunReport:
        return Runner(self.store, JOBS, services=self.services, clock=self.clock).run_pending()

    def request(self, ref: str) -> RequestRow:
        with self.store.session() as session:
            return get_request(session, ref)

    def mails_to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.smtp.received if address in r.recipients]

    def last_code(self, address: str) -> str:
        for message in reversed(self.mails_to(address)):
            found = _CODE.search(body(message))
            if found:
                return found.group(1)
        raise AssertionError(f"no code was mailed to {address}")


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    content = part.get_content()
    assert isinstance(content, str)
    return content


def package_data(package: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        loaded: dict[str, Any] = json.loads(archive.read("data.json"))
        return loaded


def mail_services(smtp: SmtpServer, declaration: Declaration | None = None) -> Services:
    """Services with the demo declaration and real mail, for jobs that need no database."""
    decl = declaration or demo()
    return Services(
        declaration=lambda: decl,
        keys=Keys.derive(b"a test secret, long enough to derive keys"),
        public_url="http://pledge.test",
        mail=MailSettings(host=smtp.host, port=smtp.port, sender=SENDER),
    )


@pytest.fixture
def services(smtp_server: SmtpServer) -> Iterator[Services]:
    made = mail_services(smtp_server)
    try:
        yield made
    finally:
        made.close()


def build_company(
    store_url: str,
    shop_url: str,
    crm_url: str,
    smtp: SmtpServer,
    *,
    declaration: Declaration | None = None,
    environ: Mapping[str, str] | None = None,
) -> Company:
    databases = generate(shop_url, crm_url)
    env = {"PLEDGE_DEMO_SHOP_URL": shop_url, "PLEDGE_DEMO_CRM_URL": crm_url, **(environ or {})}
    decl = declaration or demo()
    services = Services(
        declaration=lambda: decl,
        keys=Keys.derive(b"a test secret, long enough to derive keys"),
        public_url="http://pledge.test",
        mail=MailSettings(host=smtp.host, port=smtp.port, sender=SENDER),
        environ=env,
    )
    return Company(open_store(store_url), services, smtp, ManualClock(NOW), databases, env)


@pytest.fixture
def company(company_url: str, smtp_server: SmtpServer, tmp_path: Path) -> Iterator[Company]:
    """The demo company, its shop on each engine; Pledge's store in SQLite."""
    made = build_company(
        f"sqlite:///{tmp_path / 'store.db'}",
        company_url,
        f"sqlite:///{tmp_path / 'crm.db'}",
        smtp_server,
    )
    try:
        yield made
    finally:
        made.services.close()
        made.store.close()
        close(made.databases)


def file(
    company: Company,
    type: str,
    *,
    email: str = JANE_EMAIL,
    jurisdiction: str = "uk",
    identity: dict[str, str] | None = None,
    details: dict[str, object] | None = None,
) -> str:
    with company.store.session(write=True) as session:
        row = submit_request(
            session,
            demo(),
            type=type,
            email=email,
            jurisdiction=jurisdiction,
            identity=identity,
            details=details,
            now=company.clock(),
        )
        return row.id


def verify(company: Company, ref: str, email: str = JANE_EMAIL) -> None:
    company.run_jobs()  # the acknowledgement and the code
    code = company.last_code(email)
    with company.store.session(write=True) as session:
        confirm_identity(
            session, ref, code, key=company.services.keys.verification, now=company.clock()
        )
    company.run_jobs()
