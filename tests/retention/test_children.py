"""Children's accounts: a birth date in the data under the minimum age (16 in the demo) on
the as-of day, or a flag by staff, erases the child's data, logged as a sweep run started by
"child under 16" (COMMITMENTS S000-34)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from pledge.declaration.model import Declaration
from pledge.demo import schema as shop
from pledge.demo.people import JANE_EMAIL
from pledge.retention.children import born_from, erase_children, find_children, flag_child
from pledge.retention.journal import journal_entries
from pledge.services import Services
from pledge.store.tables import SubjectEventRow, SweepResultRow, SweepRunRow
from tests.mail.smtp_server import smtp_server
from tests.rights.demo import demo
from tests.rights.pipeline import NOW, Company, company

__all__ = ["company", "smtp_server"]

TODAY = NOW.date()  # 2026-11-02
CHILD, SIXTEEN_TODAY, SIXTEEN_TOMORROW, ADULT = 5, 6, 7, 8  # customer ids


@pytest.mark.parametrize(
    ("as_of", "age", "first"),
    [
        (dt.date(2026, 11, 2), 16, dt.date(2010, 11, 3)),
        (dt.date(2024, 2, 28), 16, dt.date(2008, 2, 29)),  # born 29 Feb 2008: 16 tomorrow
        (dt.date(2024, 2, 29), 16, dt.date(2008, 3, 1)),
        (dt.date(2023, 2, 28), 15, dt.date(2008, 3, 1)),  # 29 Feb 2008 turns 15 on 28 Feb
        (dt.date(2023, 3, 1), 18, dt.date(2005, 3, 2)),
    ],
)
def test_the_first_birth_date_of_a_child(as_of: dt.date, age: int, first: dt.date) -> None:
    assert born_from(as_of, age) == first


def born(company: Company, customer: int, day: dt.date) -> None:
    with company.databases.shop.begin() as connection:
        connection.execute(
            sa.update(shop.customers).where(shop.customers.c.id == customer).values(birth_date=day)
        )


def customer(company: Company, customer_id: int) -> tuple[str, dt.date | None]:
    """The customer's email and birth date."""
    table = shop.customers
    with company.databases.shop.connect() as connection:
        email, birth = connection.execute(
            sa.select(table.c.email, table.c.birth_date).where(table.c.id == customer_id)
        ).one()
        return str(email), birth


def count(company: Company, table: sa.Table, customer_id: int) -> int:
    """The customer's rows in a table whose rows go when they are erased."""
    with company.databases.shop.connect() as connection:
        found = connection.execute(
            sa.select(sa.func.count()).select_from(table).where(table.c.customer_id == customer_id)
        )
        return int(found.scalar_one())


@pytest.fixture
def ages(company: Company) -> dict[int, str]:
    """A child of 15, one who turns 16 today, one who turns 16 tomorrow, an adult: emails."""
    born(company, CHILD, dt.date(2011, 3, 1))
    born(company, SIXTEEN_TODAY, dt.date(2010, 11, 2))
    born(company, SIXTEEN_TOMORROW, dt.date(2010, 11, 3))
    born(company, ADULT, dt.date(1990, 1, 1))
    return {c: customer(company, c)[0] for c in (CHILD, SIXTEEN_TODAY, SIXTEEN_TOMORROW, ADULT)}


def runs(company: Company) -> list[SweepRunRow]:
    with company.store.session() as session:
        return list(session.scalars(sa.select(SweepRunRow).order_by(SweepRunRow.id)))


def results(company: Company, run_id: int) -> dict[str, SweepResultRow]:
    with company.store.session() as session:
        rows = session.scalars(sa.select(SweepResultRow).where(SweepResultRow.run_id == run_id))
        return {f"{r.source}.{r.table_name}": r for r in rows}


def child_events(company: Company) -> list[SubjectEventRow]:
    with company.store.session() as session:
        query = sa.select(SubjectEventRow).where(SubjectEventRow.kind == "child")
        return list(session.scalars(query.order_by(SubjectEventRow.id)))


def test_children_are_found_by_birth_date_and_16_today_is_not_a_child(
    company: Company, ages: dict[int, str]
) -> None:
    found = find_children(demo(), company.services.engines(), as_of=TODAY)
    assert found == sorted([ages[CHILD], ages[SIXTEEN_TOMORROW]])
    # The day after, the one born on 3 November is 16 too.
    later = find_children(demo(), company.services.engines(), as_of=TODAY + dt.timedelta(1))
    assert later == [ages[CHILD]]


def test_a_sweep_erases_the_data_of_a_child_found_in_the_data(
    company: Company, ages: dict[int, str]
) -> None:
    sessions = {c: count(company, shop.web_sessions, c) for c in ages}
    assert sessions[CHILD] and sessions[SIXTEEN_TOMORROW] and sessions[SIXTEEN_TODAY]
    done = erase_children(
        company.store, company.services, as_of=NOW, actor="schedule", only_flagged=False
    )

    assert sorted(d.email for d in done) == sorted([ages[CHILD], ages[SIXTEEN_TOMORROW]])
    assert all(d.erased and d.anonymised >= 1 for d in done)
    for child in (CHILD, SIXTEEN_TOMORROW):
        email, birth = customer(company, child)
        assert (email, birth) == (f"erased-{child}@invalid", None)
        assert count(company, shop.web_sessions, child) == 0
    for grown in (SIXTEEN_TODAY, ADULT):
        assert customer(company, grown)[0] == ages[grown]
        assert customer(company, grown)[1] is not None
        assert count(company, shop.web_sessions, grown) == sessions[grown]
    audit = runs(company)
    assert [(r.started_by, r.state, r.dry_run, r.as_of) for r in audit] == [
        ("child under 16", "done", False, NOW)
    ] * 2
    assert {d.run_id for d in done} == {r.id for r in audit}
    customers = results(company, audit[0].id)["shop.customers"]
    assert (customers.anonymised, customers.action, customers.done) == (1, "anonymise", True)
    events = child_events(company)
    assert sorted(e.identity_value for e in events) == sorted(
        [ages[CHILD].lower(), ages[SIXTEEN_TOMORROW].lower()]
    )
    assert all(e.handled_at is not None and e.recorded_by == "schedule" for e in events)
    assert all("under 16 on 2026-11-02" in (e.note or "") for e in events)
    with company.store.session() as session:
        journal = journal_entries(session, source="shop", table="customers")
    assert {e.cause for e in journal} == {f"sweep:{r.id}" for r in audit}

    # Erased, they are not found again: the next sweep has nothing to do.
    again = erase_children(
        company.store, company.services, as_of=NOW, actor="schedule", only_flagged=False
    )
    assert again == []
    assert len(runs(company)) == 2


def test_only_flagged_children_leaves_the_birth_dates_alone(
    company: Company, ages: dict[int, str]
) -> None:
    done = erase_children(
        company.store, company.services, as_of=NOW, actor="schedule", only_flagged=True
    )
    assert done == []
    assert customer(company, CHILD)[0] == ages[CHILD]
    assert runs(company) == [] and child_events(company) == []


def test_a_flagged_child_is_erased_at_once(company: Company) -> None:
    flagged = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    done = flag_child(
        company.store, company.services, email="Jane.Doe@example.com", actor="staff:ann",
        now=flagged, note="her school wrote to us",
    )  # fmt: skip

    assert done.erased and done.email == JANE_EMAIL
    assert customer(company, 1) == ("erased-1@invalid", None)
    assert count(company, shop.web_sessions, 1) == count(company, shop.support_tickets, 1) == 0
    assert done.held > 0  # invoices the law requires are kept, as in any erasure
    [run] = runs(company)
    assert (run.id, run.started_by, run.state) == (done.run_id, "child under 16", "done")
    assert run.finished_at is not None
    [event] = child_events(company)
    assert (event.identity_value, event.occurred_on, event.recorded_by, event.note) == (
        JANE_EMAIL,
        flagged.date(),
        "staff:ann",
        "her school wrote to us",
    )
    assert event.handled_at is not None
    tables = results(company, run.id)
    assert tables["shop.support_tickets"].deleted == 2
    assert tables["shop.invoices"].held > 0
    assert "crm.contacts" in tables


@pytest.fixture
def consent_services(company: Company) -> Iterator[Services]:
    base = demo()
    assert base.children is not None
    children = base.children.model_copy(update={"on_discovery": "parental_consent"})
    declaration: Declaration = base.model_copy(update={"children": children})
    made = Services(
        declaration=lambda: declaration,
        keys=company.services.keys,
        public_url=company.services.public_url,
        mail=company.services.mail,
        environ=company.environ,
    )
    try:
        yield made
    finally:
        made.close()


def test_with_parental_consent_a_child_is_recorded_not_erased(
    company: Company, ages: dict[int, str], consent_services: Services
) -> None:
    done = erase_children(
        company.store, consent_services, as_of=NOW, actor="schedule", only_flagged=False
    )
    assert [d.erased for d in done] == [False, False]
    assert all("parental_consent" in d.note for d in done)
    assert customer(company, CHILD)[0] == ages[CHILD]
    assert runs(company) == []
    events = child_events(company)
    assert len(events) == 2 and all(e.handled_at is None for e in events)
    # The next sweep finds them again, and records them once.
    erase_children(company.store, consent_services, as_of=NOW, actor="schedule", only_flagged=False)
    assert len(child_events(company)) == 2
