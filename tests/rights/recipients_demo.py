"""The demo company with notify channels on its recipients, and requests to tell them of.

    orders -> stripe (webhook), couriers (webhook)   accounting -> accountants, hmrc (none)
    fraud -> stripe                                  newsletter -> mailer (email)
    analytics -> plausible (email)

hmrc lists no categories (it receives everything its activity processes); accountants and
hmrc declare no notify channel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache

from sqlalchemy import delete, select

from pledge.declaration.model import Declaration, Recipient
from pledge.mail.sender import MailSettings
from pledge.rights import create_request
from pledge.services import Services
from pledge.store import Store
from pledge.store.tables import JobRow, RequestRow
from tests.rights.demo import at, demo
from tests.rights.webhook_server import KEYS

FILED = at(2026, 3, 2)
PERSON = "jane@example.com"
SENDER = "privacy@maplefinch.example"
ERASED = ("identity.name", "contact.email", "contact.postal_address")
FOUND_IN = ("orders", "accounting", "newsletter", "analytics")

_NOTIFY: dict[str, dict[str, str]] = {
    "stripe": {"webhook_env": "STRIPE_WEBHOOK"},
    "couriers": {"webhook_env": "COURIERS_WEBHOOK"},
    "mailer": {"email": "dpo@brevo.example"},
    "plausible": {"email": "privacy@plausible.example"},
}


@cache
def declaration() -> Declaration:
    base = demo()
    recipients: dict[str, Recipient] = {}
    for name, recipient in base.recipients.items():
        data = recipient.model_dump(exclude_none=True)
        data.pop("notify", None)
        if name in _NOTIFY:
            data["notify"] = _NOTIFY[name]
        recipients[name] = Recipient.model_validate(data)
    return base.model_copy(update={"recipients": recipients})


def file(
    store: Store,
    type: str = "erasure",
    *,
    language: str = "en",
    details: Mapping[str, object] | None = None,
) -> RequestRow:
    with store.session(write=True) as session:
        row = create_request(
            session,
            declaration(),
            type=type,
            email=PERSON,
            jurisdiction="uk",
            language=language,
            details=details,
            now=FILED,
        )
        # Only the notices are under test: the acknowledgement is not to run.
        session.execute(delete(JobRow))
        return row


def services(*, smtp_port: int = 1, environ: Mapping[str, str] | None = None) -> Services:
    return Services(
        declaration=declaration,
        keys=KEYS,
        public_url="http://test",
        mail=MailSettings(host="127.0.0.1", port=smtp_port, sender=SENDER, timeout=5),
        environ=dict(environ or {}),
    )


def unfinished_jobs(store: Store) -> list[tuple[str, str, dt.datetime]]:
    with store.session() as session:
        rows = session.execute(
            select(JobRow.kind, JobRow.ref, JobRow.run_after)
            .where(JobRow.state.in_(("pending", "running")))
            .order_by(JobRow.id)
        )
        return [(kind, ref, run_after) for kind, ref, run_after in rows]
