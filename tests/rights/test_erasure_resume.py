"""An erasure across two databases that breaks half-way resumes where it stopped: the shop,
erased before the break, is not erased twice; the CRM is erased when it can be; the re-check
then finds nothing of the person outside the legal holds."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import select

from pledge.demo import schema
from pledge.demo.people import JANE_EMAIL
from pledge.jobs import JOBS, Runner
from pledge.rights.delivery import result_of
from pledge.services import Services
from pledge.store.tables import ErasureJournalRow, JobRow
from tests.rights.demo import demo
from tests.rights.pipeline import Company, company, file, verify

__all__ = ["company"]

# SQLite's way of refusing a statement from inside the database, as a full disk or a
# failing trigger of the company's own would.
BREAK_CRM = (
    "CREATE TRIGGER crm_broken BEFORE DELETE ON interactions "
    "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"
)


def journal(company: Company) -> dict[str, tuple[str, bool, object]]:
    with company.store.session() as session:
        rows = session.scalars(select(ErasureJournalRow)).all()
        return {r.source: (r.state, r.params is not None, r.outcome) for r in rows}


def jane_in_crm(company: Company) -> int:
    with company.databases.crm.connect() as connection:
        return connection.execute(
            select(sa.func.count())
            .select_from(schema.contacts)
            .where(schema.contacts.c.email == JANE_EMAIL)
        ).scalar_one()


def test_a_crash_between_two_sources_resumes_and_completes(company: Company) -> None:
    with company.databases.crm.begin() as connection:
        connection.exec_driver_sql(BREAK_CRM)
    ref = file(company, "erasure")
    verify(company, ref)  # runs the erasure: the shop is erased, the CRM refuses

    assert company.request(ref).state == "running"
    shop_state, _, shop_outcome = journal(company)["shop"]
    crm_state, crm_holds_values, _ = journal(company)["crm"]
    assert (shop_state, crm_state, crm_holds_values) == ("done", "pending", True)
    assert jane_in_crm(company) == 1
    with company.store.session() as session:
        failed = session.scalars(
            select(JobRow).where(JobRow.ref == f"{ref}:crm", JobRow.state == "pending")
        ).one()
    assert failed.last_error is not None and "crm" in failed.last_error

    # The process dies here. The CRM is repaired; a new process, with services of its own,
    # picks the work up once the retry is due.
    company.services.close()
    with company.databases.crm.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER crm_broken")
    restarted = Services(
        declaration=demo,
        keys=company.services.keys,
        public_url=company.services.public_url,
        mail=company.services.mail,
        environ=company.environ,
    )
    company.clock.advance(dt.timedelta(minutes=10))
    try:
        Runner(company.store, JOBS, services=restarted, clock=company.clock).run_pending()
    finally:
        restarted.close()

    row = company.request(ref)
    assert row.state == "completed", row.outcome
    assert jane_in_crm(company) == 0
    after = journal(company)
    assert after["shop"][2] == shop_outcome  # the shop's record of what it erased is intact
    assert {source: (state, values) for source, (state, values, _) in after.items()} == {
        "shop": ("done", False),  # the values that found the person are gone after the check
        "crm": ("done", False),
    }
    with company.store.session() as session:
        result = result_of(session, ref)
    assert result is not None
    assert result.summary["check"] == ["nothing identifiable remains outside the legal holds"]
