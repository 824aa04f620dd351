"""The scheduled sweep in the queue: the next slot queued once, a missed one run once, a
changed or stopped schedule obeyed at start; and the job sweeping the demo company for real
(a SQLite store and SQLite databases), then queueing the slot after it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from pledge.auth.roles import Role
from pledge.auth.users import create_user
from pledge.demo import CRM_URL_ENV, SHOP_URL_ENV
from pledge.jobs import JOBS, Runner
from pledge.retention.schedule import (
    SWEEP_JOB,
    ensure_scheduled,
    next_sweep,
    queue_manual,
    queue_next,
)
from pledge.retention.slots import SweepSchedule
from pledge.retention.sweep import run_sweep
from pledge.services import Keys, Services
from pledge.store import Store, open_store
from pledge.store.tables import JobRow, SweepResultRow, SweepRunRow
from tests.demo.generated import Demo, close, generate
from tests.jobs.clock import ManualClock
from tests.rights.demo import demo
from tests.store.postgres import postgres_url, store_url

__all__ = ["postgres_url", "store_url"]  # the store fixtures, on SQLite and PostgreSQL

DAILY = SweepSchedule.parse("03:00", "1 day")
# The demo's data ends on 2026-11-01: a day after that, some of it has expired.
TODAY = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
TONIGHT = dt.datetime(2026, 11, 2, 3, 0, tzinfo=dt.UTC)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def sweep_jobs(store: Store) -> list[tuple[str, str, dt.datetime]]:
    with store.session() as session:
        rows = session.scalars(select(JobRow).where(JobRow.kind == SWEEP_JOB).order_by(JobRow.id))
        return [(row.ref, row.state, row.run_after) for row in rows]


def ensure(store: Store, schedule: SweepSchedule, now: dt.datetime) -> dt.datetime | None:
    with store.session(write=True) as session:
        return ensure_scheduled(session, schedule, now=now)


def test_at_start_the_next_slot_is_queued_once(store: Store) -> None:
    assert ensure(store, DAILY, TODAY) == TONIGHT
    assert ensure(store, DAILY, TODAY + dt.timedelta(minutes=30)) == TONIGHT  # a restart
    assert sweep_jobs(store) == [("2026-11-02T03:00Z", "pending", TONIGHT)]
    with store.session() as session:
        assert next_sweep(session) == TONIGHT


def test_a_slot_missed_while_the_server_was_down_is_left_to_run_once(store: Store) -> None:
    ensure(store, DAILY, TODAY)
    back = at("2026-11-09T10:30:00")  # a week later

    assert ensure(store, DAILY, back) == TONIGHT  # due: the runner takes it at once

    assert sweep_jobs(store) == [("2026-11-02T03:00Z", "pending", TONIGHT)]  # not one per day


def test_a_slot_queued_under_other_settings_is_replaced(store: Store) -> None:
    ensure(store, DAILY, TODAY)
    later = SweepSchedule.parse("05:30", "1 day")

    assert ensure(store, later, TODAY) == at("2026-11-02T05:30")

    assert sweep_jobs(store) == [("2026-11-02T05:30Z", "pending", at("2026-11-02T05:30"))]


def test_a_schedule_turned_off_drops_its_waiting_slots_but_not_sweeps_asked_for(
    store: Store,
) -> None:
    ensure(store, DAILY, TODAY)
    with store.session(write=True) as session:
        manual = queue_manual(session, user_id=1, now=TODAY)

    assert ensure(store, SweepSchedule.parse("03:00", "off"), TODAY) is None

    assert sweep_jobs(store) == [(manual, "pending", TODAY)]
    with store.session() as session:
        assert next_sweep(session) == TODAY


def test_queueing_the_next_slot_twice_queues_it_once(store: Store) -> None:
    with store.session(write=True) as session:
        first = queue_next(session, DAILY, after=TONIGHT)
        second = queue_next(session, DAILY, after=TONIGHT + dt.timedelta(minutes=5))
        assert queue_next(session, SweepSchedule.parse("03:00", "off"), after=TONIGHT) is None
    assert first == second == "2026-11-03T03:00Z"
    assert len(sweep_jobs(store)) == 1


# --- the job, sweeping the demo company ------------------------------------------------------


@dataclass
class Company:
    store: Store
    services: Services
    databases: Demo


@pytest.fixture
def company(tmp_path: Path) -> Iterator[Company]:
    shop, crm = f"sqlite:///{tmp_path / 'shop.db'}", f"sqlite:///{tmp_path / 'crm.db'}"
    databases = generate(shop, crm, scale=30)
    declaration = demo()
    services = Services(
        declaration=lambda: declaration,
        keys=Keys.derive(b"a test secret, long enough to derive keys"),
        public_url="http://pledge.test",
        # The sources' URLs, and the schedule the job reads as the server's settings do.
        environ={SHOP_URL_ENV: shop, CRM_URL_ENV: crm, "PLEDGE_SWEEP_EVERY": "1 day"},
    )
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        yield Company(store, services, databases)
    finally:
        services.close()
        store.close()
        close(databases)


def runs(store: Store) -> list[SweepRunRow]:
    with store.session() as session:
        return list(session.scalars(select(SweepRunRow).order_by(SweepRunRow.id)))


def totals(store: Store, run_id: int) -> tuple[int, int, int]:
    with store.session() as session:
        rows = list(session.scalars(select(SweepResultRow).where(SweepResultRow.run_id == run_id)))
    return (
        sum(r.deleted for r in rows),
        sum(r.anonymised for r in rows),
        sum(r.held for r in rows),
    )


def test_the_scheduled_job_sweeps_for_real_then_queues_the_next_slot(company: Company) -> None:
    store = company.store
    preview = run_sweep(store, company.services, now=TONIGHT, dry_run=True, started_by="test")
    expected = totals(store, preview.run_id)
    assert expected[0] + expected[1] > 0, "the demo should have expired rows on this day"
    assert ensure(store, DAILY, TODAY) == TONIGHT
    # The server was down that night and the next; it is back on the 4th at 10:30.
    clock = ManualClock(at("2026-11-04T10:30:00"))

    report = Runner(store, JOBS, services=company.services, clock=clock).run_pending()

    assert (report.done, report.ran) == (1, 1)
    assert sweep_jobs(store) == [
        ("2026-11-02T03:00Z", "done", TONIGHT),
        ("2026-11-05T03:00Z", "pending", at("2026-11-05T03:00")),  # one sweep for three days
    ]
    sweep = runs(store)[-1]
    assert (sweep.dry_run, sweep.started_by, sweep.state) == (False, "schedule", "done")
    assert sweep.as_of == clock()
    deleted, anonymised, _ = totals(store, sweep.id)
    assert deleted + anonymised >= expected[0] + expected[1]

    # The next night's sweep finds nothing more to do and keeps the schedule going.
    clock.advance(dt.timedelta(hours=17))
    assert Runner(store, JOBS, services=company.services, clock=clock).run_pending().done == 1
    again = runs(store)[-1]
    assert again.id != sweep.id and again.started_by == "schedule"
    assert totals(store, again.id)[:2] == (0, 0)
    assert sweep_jobs(store)[-1] == ("2026-11-06T03:00Z", "pending", at("2026-11-06T03:00"))


def test_a_sweep_asked_for_by_staff_names_them_and_queues_no_slot(company: Company) -> None:
    store = company.store
    with store.session(write=True) as session:
        user = create_user(session, "ada", "correct horse battery staple", Role.ADMIN)
        ref = queue_manual(session, user_id=user.id, now=TONIGHT)
        # The same press, sent twice within the second: one sweep.
        assert queue_manual(session, user_id=user.id, now=TONIGHT) == ref
    clock = ManualClock(TONIGHT)

    assert Runner(store, JOBS, services=company.services, clock=clock).run_pending().done == 1

    assert sweep_jobs(store) == [(ref, "done", TONIGHT)]
    [sweep] = runs(store)
    assert (sweep.dry_run, sweep.started_by, sweep.state) == (False, "staff:ada", "done")
