"""`request.acknowledge`, run by the real registry's runner, and resumed after a crash."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from pledge.jobs import JOBS, Runner, enqueue
from pledge.rights import create_request, get_request, timeline, transition
from pledge.rights.requests import ACKNOWLEDGE_JOB
from pledge.services import Services
from pledge.store import Store, open_store
from pledge.store.tables import JobRow
from tests.jobs.clock import ManualClock
from tests.mail.smtp_server import SmtpServer
from tests.rights.demo import at, demo
from tests.rights.pipeline import services

RECEIVED = at(2026, 1, 21)

__all__ = ["services"]


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def file(store: Store, type: str = "know", jurisdiction: str = "us-ca") -> str:
    with store.session(write=True) as session:
        return create_request(
            session,
            demo(),
            type=type,
            email="jane@example.com",
            jurisdiction=jurisdiction,
            now=RECEIVED,
        ).id


def test_acknowledging_mails_the_person_and_starts_the_identity_step(
    store: Store, services: Services, smtp_server: SmtpServer
) -> None:
    ref = file(store)
    clock = ManualClock(RECEIVED + dt.timedelta(hours=1))
    assert Runner(store, JOBS, services=services, clock=clock).run_pending().done == 1
    with store.session() as session:
        row = get_request(session, ref)
        events = timeline(session, ref)
    assert (row.state, row.acknowledged_at) == ("identity_pending", clock())
    acknowledged = events[1]
    assert (acknowledged.kind, acknowledged.actor) == ("acknowledged", "job:request.acknowledge")
    assert acknowledged.note == (
        "receipt acknowledged: we received your request to know "
        f"{ref} on 2026-01-21 and will answer by 2026-03-07"
    )
    assert (events[2].from_state, events[2].to_state) == ("received", "identity_pending")
    mails = [r.message for r in smtp_server.received if "jane@example.com" in r.recipients]
    assert len(mails) == 2  # the acknowledgement, then the identity code
    assert ref in mails[0]["Subject"]


def test_an_opt_out_skips_the_identity_step_and_is_recorded_at_once(
    store: Store, services: Services
) -> None:
    ref = file(store, type="opt_out_sale_share")
    Runner(store, JOBS, services=services, clock=ManualClock(RECEIVED)).run_pending()
    with store.session() as session:
        row = get_request(session, ref)
        moves = [(e.from_state, e.to_state) for e in timeline(session, ref) if e.kind == "state"]
    assert (row.state, row.acknowledge_by, row.due_at) == ("completed", None, dt.date(2026, 2, 11))
    assert moves == [(None, "received"), ("received", "running"), ("running", "completed")]


def test_a_gdpr_acknowledgement_says_the_clock_waits_for_identity(
    store: Store, services: Services
) -> None:
    ref = file(store, type="access", jurisdiction="uk")
    Runner(store, JOBS, services=services, clock=ManualClock(RECEIVED)).run_pending()
    with store.session() as session:
        note = timeline(session, ref)[1].note
    assert note is not None and note.endswith(
        "please confirm your identity: we will answer within 1 month of that"
    )


def test_a_late_acknowledgement_says_so(store: Store, services: Services) -> None:
    ref = file(store)
    Runner(
        store, JOBS, services=services, clock=ManualClock(at(2026, 2, 5))
    ).run_pending()  # due by 4 February
    with store.session() as session:
        note = timeline(session, ref)[1].note
    assert note is not None and note.endswith("LATE: it was due by 2026-02-04")


def test_running_the_job_again_does_nothing(store: Store, services: Services) -> None:
    ref = file(store)
    clock = ManualClock(RECEIVED)
    Runner(store, JOBS, services=services, clock=clock).run_pending()
    with store.session(write=True) as session:
        enqueue(session, ACKNOWLEDGE_JOB, ref, now=clock())
    assert Runner(store, JOBS, services=services, clock=clock).run_pending().done == 1
    with store.session() as session:
        kinds = [event.kind for event in timeline(session, ref)]
        assert get_request(session, ref).state == "identity_pending"
    assert kinds == ["state", "acknowledged", "state", "mail", "verification", "mail"]


def test_a_request_closed_before_its_acknowledgement_is_left_alone(
    store: Store, services: Services
) -> None:
    ref = file(store)
    with store.session(write=True) as session:
        transition(session, ref, "denied", actor="admin", note="filed by mistake", now=RECEIVED)
    assert (
        Runner(store, JOBS, services=services, clock=ManualClock(RECEIVED)).run_pending().done == 1
    )
    with store.session() as session:
        row = get_request(session, ref)
        kinds = [event.kind for event in timeline(session, ref)]
    assert (row.state, row.acknowledged_at) == ("denied", None)
    assert kinds == ["state", "state"]


def test_a_restart_resumes_what_an_abandoned_runner_had_claimed(
    store_url: str, services: Services
) -> None:
    clock = ManualClock(RECEIVED)
    with open_store(store_url) as first:
        ref = file(first)
        claimed = Runner(first, JOBS, services=services, clock=clock).claim()
        assert claimed is not None and claimed.ref == ref
    # The process died holding the lease. A new process opens the store and runs the worker.
    clock.advance(dt.timedelta(minutes=10))
    with open_store(store_url) as second:
        report = Runner(second, JOBS, services=services, clock=clock).run_pending()
        with second.session() as session:
            row = get_request(session, ref)
            job = session.scalars(select(JobRow)).one()
    assert report.done == 1
    assert row.state == "identity_pending"
    assert (job.state, job.attempts) == ("done", 2)


def test_a_job_for_a_request_that_does_not_exist_fails_at_once(
    store: Store, services: Services
) -> None:
    clock = ManualClock(RECEIVED)
    with store.session(write=True) as session:
        job_id = enqueue(session, ACKNOWLEDGE_JOB, "PLG-0000-0000", now=clock())
    assert Runner(store, JOBS, services=services, clock=clock).run_pending().failed == 1
    with store.session() as session:
        job = session.get_one(JobRow, job_id)
    assert (job.state, job.attempts) == ("failed", 1)
    assert job.last_error is not None and "there is no request PLG-0000-0000" in job.last_error
