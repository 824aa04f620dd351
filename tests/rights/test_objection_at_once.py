"""An objection that covers direct marketing and more: the marketing part stops as soon as
the person's identity is confirmed (GDPR Art. 21(3)), the rest waits for an admin."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from pledge.declaration.model import Declaration
from pledge.jobs import JOBS, Runner
from pledge.rights import timeline
from pledge.rights.decisions import standing
from pledge.rights.requests import get_request
from pledge.rights.workflow import approve, confirm_identity, deny, submit_request
from pledge.services import Services
from pledge.store import Store, open_store
from tests.jobs.clock import ManualClock
from tests.mail.smtp_server import SmtpServer
from tests.rights.demo import at, demo, with_approval
from tests.rights.pipeline import mail_services, services

__all__ = ["services"]

FILED = at(2026, 3, 2)
PERSON = "jane@example.com"
_CODE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def file_and_verify(
    store: Store,
    services: Services,
    smtp: SmtpServer,
    clock: ManualClock,
    activities: list[str],
    declaration: Declaration | None = None,
) -> str:
    """An objection to `activities`, acknowledged and confirmed with the code mailed."""
    with store.session(write=True) as session:
        ref = submit_request(
            session,
            declaration or demo(),
            type="objection",
            email=PERSON,
            jurisdiction="uk",
            details={"activities": activities},
            now=clock(),
        ).id
    run(store, services, clock)  # the acknowledgement and the code
    body = smtp.received[-1].message.get_body(("plain",))
    assert body is not None
    code = _CODE.search(body.get_content())
    assert code is not None
    with store.session(write=True) as session:
        confirm_identity(session, ref, code.group(1), key=services.keys.verification, now=clock())
    return ref


def run(store: Store, services: Services, clock: ManualClock) -> None:
    Runner(store, JOBS, services=services, clock=clock).run_pending()


def objected(store: Store) -> set[str]:
    with store.session() as session:
        return set(standing(session, email=PERSON).objected)


def decision_events(store: Store, ref: str) -> list[tuple[str, str]]:
    with store.session() as session:
        return [(e.actor, e.note or "") for e in timeline(session, ref) if e.kind == "decision"]


def test_the_marketing_part_stops_once_verified_and_the_rest_waits(
    store: Store, services: Services, smtp_server: SmtpServer
) -> None:
    clock = ManualClock(FILED)
    ref = file_and_verify(store, services, smtp_server, clock, ["newsletter", "fraud"])
    run(store, services, clock)

    with store.session() as session:
        assert get_request(session, ref).state == "awaiting_approval"
    assert objected(store) == {"newsletter"}
    assert decision_events(store, ref) == [
        (
            "job:request.stop_direct_marketing",
            "objection recorded for newsletter (direct marketing stops at once, GDPR Art."
            " 21(3); fraud waits for approval)",
        )
    ]

    # Approved after review: the rest is recorded by the run, the marketing part not twice.
    with store.session(write=True) as session:
        approve(session, ref, actor="staff:olive", now=clock())
    run(store, services, clock)
    assert objected(store) == {"newsletter", "fraud"}
    assert [note for _, note in decision_events(store, ref)][1:] == ["objection recorded for fraud"]


def test_denying_the_rest_leaves_the_marketing_objection_in_force(
    store: Store, services: Services, smtp_server: SmtpServer
) -> None:
    clock = ManualClock(FILED)
    ref = file_and_verify(store, services, smtp_server, clock, ["newsletter", "fraud"])
    run(store, services, clock)
    with store.session(write=True) as session:
        deny(session, ref, "compelling grounds: fraud checks protect card holders", actor="a")
    run(store, services, clock)
    assert objected(store) == {"newsletter"}


def test_an_objection_without_direct_marketing_records_nothing_before_approval(
    store: Store, services: Services, smtp_server: SmtpServer
) -> None:
    clock = ManualClock(FILED)
    ref = file_and_verify(store, services, smtp_server, clock, ["fraud"])
    run(store, services, clock)
    with store.session() as session:
        assert get_request(session, ref).state == "awaiting_approval"
    assert objected(store) == set()
    assert decision_events(store, ref) == []


def test_where_every_request_waits_for_approval_direct_marketing_does_not(
    store: Store, smtp_server: SmtpServer
) -> None:
    clock = ManualClock(FILED)
    declaration = with_approval()
    given = mail_services(smtp_server, declaration)
    try:
        ref = file_and_verify(store, given, smtp_server, clock, ["newsletter"], declaration)
        run(store, given, clock)
    finally:
        given.close()
    with store.session() as session:
        assert get_request(session, ref).state == "awaiting_approval"
    assert objected(store) == {"newsletter"}
    assert [note for _, note in decision_events(store, ref)] == [
        "objection recorded for newsletter (direct marketing stops at once, GDPR Art. 21(3);"
        " the request waits for approval)"
    ]
