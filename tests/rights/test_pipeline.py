"""Each request type from filing to its closing mail, against the demo company's databases
on SQLite, PostgreSQL and MariaDB, with real mail and the real job runner."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator

import sqlalchemy as sa

from pledge.demo import schema as shop
from pledge.demo.people import HOME, JANE_EMAIL, OFFICE
from pledge.demo.rows import address_text
from pledge.rights.delivery import (
    download_link_token,
    finish_download,
    result_of,
    start_download,
)
from pledge.rights.events import timeline
from pledge.rights.package_crypto import unseal
from pledge.rights.workflow import submit_request
from pledge.store.tables import RecipientNoticeRow, RestrictedRowRow, SubjectDecisionRow
from tests.rights.demo import demo
from tests.rights.pipeline import Company, body, company, file, package_data, verify

__all__ = ["company"]

JANE_OFFICE_POSTCODE = "BS1 6DG"


def test_an_access_request_ends_with_a_package_downloaded_after_a_second_code(
    company: Company,
) -> None:
    ref = file(company, "access", identity={"contact.postal_address": JANE_OFFICE_POSTCODE})
    verify(company, ref)
    row = company.request(ref)
    assert row.state == "completed", row.outcome
    subjects = [m["Subject"] for m in company.mails_to(JANE_EMAIL)]
    assert len(subjects) == 3  # acknowledgement, code, copy ready
    closing = body(company.mails_to(JANE_EMAIL)[-1])
    with company.store.session() as session:
        result = result_of(session, ref)
        assert result is not None and result.package is not None
        token = download_link_token(result, key=company.services.keys.links)
    assert token is not None and f"/privacy/requests/download/{token}" in closing
    with company.store.session(write=True) as session:
        start_download(session, company.services, token, now=company.clock())
    code = company.last_code(JANE_EMAIL)
    with company.store.session(write=True) as session:
        name, package = finish_download(session, company.services, token, code, now=company.clock())
    assert name == f"{ref}-data.zip"
    data = package_data(package)
    emails = [
        record["email"]["value"] for record in data["sources"]["shop"]["customers"]["records"]
    ]
    assert emails == [JANE_EMAIL]
    assert data["sources"]["crm"]["contacts"]["records"]  # found through the shop's email


def test_a_copy_is_refused_when_the_second_data_point_does_not_match(company: Company) -> None:
    ref = file(company, "access", identity={"contact.postal_address": "ZZ9 9ZZ"})
    verify(company, ref)
    row = company.request(ref)
    assert row.state == "denied"
    denial = body(company.mails_to(JANE_EMAIL)[-1])
    assert "do not match" in denial
    assert "Information Commissioner" in denial  # where to complain, for uk


def test_a_portable_copy_takes_the_same_second_check(company: Company) -> None:
    wrong = file(company, "portability", identity={"contact.postal_address": "ZZ9 9ZZ"})
    verify(company, wrong)
    assert company.request(wrong).state == "denied"
    assert "do not match" in body(company.mails_to(JANE_EMAIL)[-1])
    right = file(company, "portability", identity={"contact.postal_address": JANE_OFFICE_POSTCODE})
    verify(company, right)
    assert company.request(right).state == "completed", company.request(right).outcome


def forget_home_on_janes_invoices(company: Company) -> None:
    """Leave Jane's home postcode only on the address she shares with John: her invoices
    print her office instead."""
    office = address_text(*OFFICE)
    with company.databases.shop.begin() as connection:
        jane = connection.execute(
            sa.select(shop.customers.c.id).where(shop.customers.c.email == JANE_EMAIL)
        ).scalar_one()
        connection.execute(
            sa.update(shop.invoices)
            .where(shop.invoices.c.customer_id == jane)
            .values(billed_address=office)
        )


def package_texts(package: bytes) -> Iterator[str]:
    """The text of every file in the package, and of the files inside its spreadsheet."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        for name in archive.namelist():
            content = archive.read(name)
            if name.endswith(".xlsx"):
                yield from package_texts(content)
            else:
                yield content.decode("utf-8", errors="replace")


def test_a_data_point_held_only_on_a_shared_row_passes_the_check_and_stays_out_of_the_copy(
    company: Company,
) -> None:
    forget_home_on_janes_invoices(company)
    home_postcode = HOME[2]
    ref = file(company, "access", identity={"contact.postal_address": home_postcode.lower()})
    verify(company, ref)
    row = company.request(ref)
    assert row.state == "completed", row.outcome
    with company.store.session() as session:
        result = result_of(session, ref)
        assert result is not None and result.package is not None
        package = unseal(result.package, company.services.keys.package, ref=result.request_id)
    data = package_data(package)
    addresses = data["sources"]["shop"]["addresses"]
    assert len(addresses["records"]) == 1  # her office, her own
    assert addresses["shared_records"]  # the home, said to exist, with no value
    texts = list(package_texts(package))
    assert any(OFFICE[0] in text for text in texts)
    for value in (HOME[0], home_postcode):
        assert not any(value in text for text in texts), value


def test_a_wrong_data_point_still_fails_when_the_person_shares_rows(company: Company) -> None:
    forget_home_on_janes_invoices(company)
    with company.databases.shop.connect() as connection:
        elsewhere = connection.execute(
            sa.select(shop.addresses.c.postcode)
            .where(shop.addresses.c.postcode.not_in([HOME[2], OFFICE[2]]))
            .limit(1)
        ).scalar_one()  # someone else's, on a row Jane neither owns nor shares
    ref = file(company, "access", identity={"contact.postal_address": elsewhere})
    verify(company, ref)
    assert company.request(ref).state == "denied"
    assert "do not match" in body(company.mails_to(JANE_EMAIL)[-1])


def test_an_erasure_erases_keeps_what_the_law_holds_and_says_so(company: Company) -> None:
    ref = file(company, "erasure")
    verify(company, ref)
    row = company.request(ref)
    assert row.state == "completed", row.outcome
    with company.store.session() as session:
        result = result_of(session, ref)
        events = timeline(session, ref)
    assert result is not None
    summary = result.summary
    assert summary["check"] == ["nothing identifiable remains outside the legal holds"]
    kept_items = summary["kept"]
    assert isinstance(kept_items, list)
    kept = {item["table"] for item in kept_items}
    assert "invoices" in kept
    assert any(e.kind == "result" and "re-check after erasure" in (e.note or "") for e in events)
    with company.databases.shop.connect() as connection:
        left = connection.execute(
            sa.select(sa.func.count())
            .select_from(shop.customers)
            .where(shop.customers.c.email == JANE_EMAIL)
        ).scalar_one()
        tickets = connection.execute(
            sa.select(sa.func.count())
            .select_from(shop.support_tickets)
            .where(shop.support_tickets.c.customer_id == 1)
        ).scalar_one()
    assert (left, tickets) == (0, 0)
    closing = body(company.mails_to(JANE_EMAIL)[-1])
    assert "2032" in closing or "Companies Act" in closing  # what was kept, and until when


def test_a_restriction_marks_the_rows_and_tells_the_recipients(company: Company) -> None:
    ref = file(company, "restriction")
    verify(company, ref)
    assert company.request(ref).state == "completed"
    with company.store.session() as session:
        decisions = session.scalars(sa.select(SubjectDecisionRow)).all()
        marked = session.scalar(sa.select(sa.func.count()).select_from(RestrictedRowRow))
        notices = session.scalars(sa.select(RecipientNoticeRow)).all()
    assert [(d.kind, d.identity_value) for d in decisions] == [("restriction", JANE_EMAIL)]
    assert marked and marked > 3
    assert {n.recipient for n in notices} == {"mailer"}  # the one recipient with `notify`


def test_an_objection_to_direct_marketing_applies_at_once(company: Company) -> None:
    ref = file(company, "objection", details={"activities": ["newsletter"]})
    verify(company, ref)
    assert company.request(ref).state == "completed"


def test_an_objection_to_fraud_checks_waits_for_a_decision(company: Company) -> None:
    ref = file(company, "objection", details={"activities": ["fraud"]})
    verify(company, ref)
    assert company.request(ref).state == "awaiting_approval"


def test_a_californian_opt_out_needs_no_code(company: Company) -> None:
    ref = file(company, "opt_out_sale_share", jurisdiction="us-ca")
    company.run_jobs()
    assert company.request(ref).state == "completed"
    assert not any("code" in m["Subject"].lower() for m in company.mails_to(JANE_EMAIL))


def test_a_rectification_corrects_the_persons_own_rows(company: Company) -> None:
    ref = file(company, "rectification", details={"corrections": {"identity.name": "Jane Doé"}})
    verify(company, ref)
    assert company.request(ref).state == "completed", company.request(ref).outcome
    with company.databases.shop.connect() as connection:
        names = (
            connection.execute(
                sa.select(shop.customers.c.full_name).where(shop.customers.c.email == JANE_EMAIL)
            )
            .scalars()
            .all()
        )
    assert names == ["Jane Doé"]


def test_the_mails_come_in_the_request_language(company: Company) -> None:
    with company.store.session(write=True) as session:
        ref = submit_request(
            session,
            demo(),
            type="access",
            email=JANE_EMAIL,
            jurisdiction="eu",
            language="fr",
            identity={"contact.postal_address": JANE_OFFICE_POSTCODE},
            now=company.clock(),
        ).id
    verify(company, ref)
    assert company.mails_to(JANE_EMAIL)[0]["Content-Language"] == "fr"
    assert company.request(ref).state == "completed"


def test_a_download_link_expires(company: Company) -> None:
    ref = file(company, "access", identity={"contact.postal_address": JANE_OFFICE_POSTCODE})
    verify(company, ref)
    with company.store.session() as session:
        result = result_of(session, ref)
        assert result is not None
        token = download_link_token(result, key=company.services.keys.links)
    assert token is not None
    later = company.clock() + dt.timedelta(days=31)
    with company.store.session(write=True) as session:
        try:
            start_download(session, company.services, token, now=later)
        except Exception as exc:
            assert "not valid" in str(exc)
        else:
            raise AssertionError("an expired link was honoured")
