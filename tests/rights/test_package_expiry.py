"""A person's copy (the package of an access or portability request) is deleted from the
store once its download link has expired, by the retention sweep, and at once when an
erasure of the same person completes; the summary stays. The real job runner, the store on
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from pledge.demo.people import JANE_EMAIL, JOHN_EMAIL
from pledge.errors import PledgeError
from pledge.retention.schedule import queue_manual
from pledge.rights.delivery import (
    DOWNLOAD_DAYS,
    download_link_token,
    package_deleted_at,
    result_of,
    start_download,
)
from pledge.rights.events import timeline
from pledge.rights.package_expiry import ERASED_NOTE, EXPIRED_NOTE
from pledge.rights.requests import transition
from pledge.store.tables import RequestResultRow
from tests.demo.generated import close
from tests.mail.smtp_server import SmtpServer, smtp_server
from tests.rights.pipeline import Company, build_company, file, verify

__all__ = ["smtp_server"]

JANE_POSTCODE = "BS1 6DG"  # her office
JOHN_POSTCODE = "BS8 3HY"
DAY = dt.timedelta(days=1)


@pytest.fixture
def company(store_url: str, smtp_server: SmtpServer, tmp_path: Path) -> Iterator[Company]:
    """The demo company with Pledge's store on SQLite, then PostgreSQL."""
    made = build_company(
        store_url, f"sqlite:///{tmp_path / 'shop.db'}", f"sqlite:///{tmp_path / 'crm.db'}",
        smtp_server,
    )  # fmt: skip
    try:
        yield made
    finally:
        made.services.close()
        made.store.close()
        close(made.databases)


def copy_of(company: Company, email: str = JANE_EMAIL, postcode: str = JANE_POSTCODE) -> str:
    """An access request answered with a package; its reference."""
    ref = file(company, "access", email=email, identity={"contact.postal_address": postcode})
    verify(company, ref, email)
    assert company.request(ref).state == "completed", company.request(ref).outcome
    assert result(company, ref).package is not None
    return ref


def result(company: Company, ref: str) -> RequestResultRow:
    with company.store.session() as session:
        found = result_of(session, ref)
    assert found is not None
    return found


def notes(company: Company, ref: str) -> list[str]:
    with company.store.session() as session:
        return [e.note or "" for e in timeline(session, ref) if e.kind == "note"]


def sweep(company: Company) -> None:
    """The retention sweep, queued as staff queue one and run by the job runner."""
    with company.store.session(write=True) as session:
        queue_manual(session, user_id=1, now=company.clock())
    report = company.run_jobs()
    assert not (report.failed or report.retried), report


def test_a_package_is_deleted_by_the_first_sweep_after_its_link_expired(
    company: Company,
) -> None:
    ref = copy_of(company)
    offered = result(company, ref)
    expires = offered.package_expires_at
    assert expires == company.clock() + DOWNLOAD_DAYS * DAY
    token = download_link_token(offered, key=company.services.keys.links)
    assert token is not None

    company.clock.advance((DOWNLOAD_DAYS - 1) * DAY)
    sweep(company)
    assert result(company, ref).package is not None  # still offered
    assert package_deleted_at(result(company, ref)) is None

    company.clock.advance(2 * DAY)
    sweep(company)

    gone = result(company, ref)
    assert gone.package is None
    assert gone.summary == offered.summary  # the proof stays
    assert gone.package_expires_at == expires
    assert package_deleted_at(gone) == expires
    assert notes(company, ref).count(EXPIRED_NOTE) == 1
    with company.store.session(write=True) as session, pytest.raises(PledgeError):
        start_download(session, company.services, token, now=company.clock())
    company.clock.advance(DAY)
    sweep(company)
    assert notes(company, ref).count(EXPIRED_NOTE) == 1  # deleted once, noted once


def test_an_erasure_of_the_same_person_deletes_her_earlier_copies_at_once(
    company: Company,
) -> None:
    hers = copy_of(company)
    his = copy_of(company, JOHN_EMAIL, JOHN_POSTCODE)
    company.clock.advance(3 * DAY)
    theirs = result(company, his)

    shouting = JANE_EMAIL.upper()  # the same person, whatever the case
    erasure = file(company, "erasure", email=shouting)
    verify(company, erasure, shouting)
    assert company.request(erasure).state in ("completed", "partially_completed")

    erased_at = company.clock()
    gone = result(company, hers)
    assert gone.package is None and gone.summary
    assert package_deleted_at(gone) == erased_at  # the offer ended with the erasure
    assert notes(company, hers).count(ERASED_NOTE) == 1
    kept = result(company, his)
    assert kept.package == theirs.package
    assert kept.package_expires_at == theirs.package_expires_at
    assert ERASED_NOTE not in notes(company, his)

    company.clock.advance(DAY)
    later = copy_of(company)  # asked for after the erasure: offered for its 30 days
    sweep(company)
    assert result(company, later).package is not None
    assert result(company, his).package is not None


def test_the_sweep_deletes_the_copies_of_a_person_whose_erasure_staff_closed(
    company: Company,
) -> None:
    hers = copy_of(company)
    company.clock.advance(DAY)
    erasure = file(company, "erasure")
    with company.store.session(write=True) as session:  # answered by hand, then closed
        for state in ("identity_pending", "verified", "running", "completed"):
            transition(session, erasure, state, actor="staff:ann", now=company.clock())
    assert result(company, hers).package is not None

    sweep(company)

    assert result(company, hers).package is None
    assert notes(company, hers).count(ERASED_NOTE) == 1
