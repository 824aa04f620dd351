"""The rows of people Pledge knows something about, for the sweep: an objection, a withdrawal,
a closed account or a legal hold maps to the keys of that person's own rows, per table."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from pledge.demo import schema as shop
from pledge.demo.people import JANE_EMAIL, JOHN_EMAIL
from pledge.retention.events import record_event
from pledge.retention.holds import place_hold
from pledge.retention.people import Key, PersonRows, person_rows
from pledge.store.tables import SubjectDecisionRow
from tests.mail.smtp_server import smtp_server
from tests.rights.demo import demo
from tests.rights.pipeline import NOW, Company, company

__all__ = ["company", "smtp_server"]

JANE, JOHN = 1, 2  # their customer ids in the demo
OBJECTED = dt.datetime(2026, 10, 1, 9, 30, tzinfo=dt.UTC)


def keys(company: Company, query: sa.Select[tuple[int]]) -> set[Key]:
    with company.databases.shop.connect() as connection:
        return {(value,) for value in connection.scalars(query)}


def ids_of(company: Company, table: sa.Table, column: str, value: object) -> set[Key]:
    return keys(company, sa.select(table.c.id).where(table.c[column] == value))


def decide(
    company: Company,
    kind: str,
    activity: str | None,
    *,
    email: str = JANE_EMAIL,
    at: dt.datetime = OBJECTED,
    lifted: dt.datetime | None = None,
) -> None:
    with company.store.session(write=True) as session:
        session.add(
            SubjectDecisionRow(
                kind=kind,
                activity=activity,
                identity_kind="email",
                identity_value=email,
                decided_at=at,
                lifted_at=lifted,
            )
        )


def rows(company: Company, as_of: dt.datetime = NOW) -> PersonRows:
    with company.store.session() as session:
        return person_rows(session, demo(), company.services, as_of=as_of)


def test_nobody_known_means_no_rows(company: Company) -> None:
    assert rows(company) == PersonRows()


def test_an_objection_to_one_activity_maps_to_that_activitys_tables(company: Company) -> None:
    decide(company, "objection", "newsletter")
    found = rows(company)
    day = OBJECTED.date()
    assert found.trigger_dates(("shop", "customers"), "objection") == {(JANE,): day}
    newsletter = ids_of(company, shop.newsletter_contacts, "email", JANE_EMAIL)
    assert newsletter
    assert found.trigger_dates(("shop", "newsletter_contacts"), "objection") == dict.fromkeys(
        newsletter, day
    )
    # Orders serve other activities: the objection does not end their retention.
    assert found.trigger_dates(("shop", "orders"), "objection") == {}
    assert found.held == {}


def test_an_objection_to_everything_maps_to_every_table_of_the_person(company: Company) -> None:
    decide(company, "objection", None)
    decide(company, "objection", None, at=OBJECTED + dt.timedelta(days=3))  # a second one
    found = rows(company)
    orders = ids_of(company, shop.orders, "customer_id", JANE)
    assert len(orders) > 1
    dates = found.trigger_dates(("shop", "orders"), "objection")
    assert dates == dict.fromkeys(orders, OBJECTED.date())  # from the first
    crm = found.trigger_dates(("crm", "contacts"), "objection")
    assert list(crm.values()) == [OBJECTED.date()]


def test_only_the_persons_own_rows_count_never_shared_ones(company: Company) -> None:
    decide(company, "objection", None)
    links = shop.customer_addresses
    jane_addresses = keys(company, sa.select(links.c.address_id).where(links.c.customer_id == JANE))
    shared = keys(
        company,
        sa.select(links.c.address_id).where(
            links.c.customer_id != JANE, links.c.address_id.in_([k[0] for k in jane_addresses])
        ),
    )
    assert shared and jane_addresses - shared  # her home is John's too; her office is hers
    found = rows(company).trigger_dates(("shop", "addresses"), "objection")
    assert set(found) == jane_addresses - shared


def test_a_withdrawal_is_the_consent_withdrawn_trigger(company: Company) -> None:
    decide(company, "withdrawal", "newsletter")
    found = rows(company)
    assert found.trigger_dates(("shop", "customers"), "consent_withdrawn") == {
        (JANE,): OBJECTED.date()
    }
    assert found.trigger_dates(("shop", "customers"), "objection") == {}


def test_lifted_and_later_decisions_do_not_count(company: Company) -> None:
    decide(company, "objection", None, lifted=OBJECTED + dt.timedelta(days=1))
    decide(company, "objection", None, email=JOHN_EMAIL, at=NOW + dt.timedelta(hours=1))
    decide(company, "restriction", None)  # not a retention trigger
    assert rows(company) == PersonRows()
    # As of a moment before the lifting, the first objection was in force.
    earlier = rows(company, as_of=OBJECTED + dt.timedelta(hours=1))
    assert earlier.trigger_dates(("shop", "customers"), "objection") == {(JANE,): OBJECTED.date()}


def test_a_closed_account_dates_the_persons_rows(company: Company) -> None:
    with company.store.session(write=True) as session:
        for day in (dt.date(2026, 6, 1), dt.date(2026, 9, 30)):
            record_event(
                session, kind="account_closed", email=JOHN_EMAIL, occurred_on=day,
                actor="staff:ann", note=None, now=NOW,
            )  # fmt: skip
    found = rows(company)
    assert found.trigger_dates(("shop", "customers"), "account_closed") == {
        (JOHN,): dt.date(2026, 9, 30)  # the latest closing
    }
    orders = ids_of(company, shop.orders, "customer_id", JOHN)
    assert set(found.trigger_dates(("shop", "orders"), "account_closed")) == orders


def test_a_hold_keeps_the_rows_of_its_tables_only(company: Company) -> None:
    with company.store.session(write=True) as session:
        place_hold(
            session, demo(), email=JANE_EMAIL, reason="dispute D-9", until=dt.date(2026, 12, 1),
            scope=["shop.invoices", "shop.support_tickets"], actor="staff:ann", now=NOW,
        )  # fmt: skip
    found = rows(company)
    invoices = ids_of(company, shop.invoices, "customer_id", JANE)
    tickets = ids_of(company, shop.support_tickets, "customer_id", JANE)
    assert invoices and tickets
    assert found.held == {
        ("shop", "invoices"): frozenset(invoices),
        ("shop", "support_tickets"): frozenset(tickets),
    }
    assert found.holds == {
        ("shop", "invoices"): ("dispute D-9",),
        ("shop", "support_tickets"): ("dispute D-9",),
    }
    assert found.held_keys(("shop", "customers")) == frozenset()
    assert found.triggers == {}
    # After its last day, the hold keeps nothing.
    assert rows(company, as_of=dt.datetime(2026, 12, 2, tzinfo=dt.UTC)).held == {}
