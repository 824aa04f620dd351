"""A legal hold that ends finishes the erasure it kept tables from: released by staff, or past
its last day (queued by the sweep), the rows it kept are erased by the job queue, recorded
on the request's timeline and in the journal of what must stay gone. A hold on a table that
others are reached through keeps it, and the rest is erased."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from pledge.demo import schema as shop
from pledge.demo.people import JANE_EMAIL, JOHN_EMAIL
from pledge.demo.schema import contacts, interactions
from pledge.jobs import JOBS, Runner
from pledge.jobs.queue import enqueue
from pledge.retention.held_erasure import FINISH_HELD_JOB
from pledge.retention.holds import HOLD_ENDED_JOB, place_hold, queue_ended_holds, release_hold
from pledge.retention.journal import journal_entries, open_keys
from pledge.retention.schedule import queue_manual
from pledge.rights.delivery import result_of
from pledge.rights.events import timeline
from pledge.rights.recipients import notices
from pledge.rights.workflow import confirm_identity
from pledge.store.tables import ErasureJournalRow, JobRow
from tests.demo.generated import close
from tests.mail.smtp_server import SmtpServer, smtp_server
from tests.rights.demo import demo
from tests.rights.pipeline import Company, build_company, company, file, verify
from tests.store.postgres import postgres_url

__all__ = ["company", "postgres_url", "smtp_server"]

JANE, JOHN = 1, 2  # their customer ids in the demo
UNTIL = dt.date(2026, 12, 1)
FINISHED = "no legal hold keeps"


def hold(company: Company, scope: Sequence[str], *, reason: str = "dispute D-9") -> int:
    with company.store.session(write=True) as session:
        row = place_hold(
            session,
            demo(),
            email="Jane.Doe@example.com",
            reason=reason,
            until=UNTIL,
            scope=list(scope),
            actor="staff:ann",
            now=company.clock(),
        )
        return row.id


def release(company: Company, hold_id: int) -> None:
    with company.store.session(write=True) as session:
        release_hold(session, hold_id, actor="staff:ann", now=company.clock())


def erased_while_held(company: Company) -> str:
    """Jane asks for her erasure; it completes with the held tables kept."""
    ref = file(company, "erasure")
    verify(company, ref)
    assert company.request(ref).state == "completed", company.request(ref).outcome
    return ref


def rows(
    company: Company, table: sa.Table, where: sa.ColumnElement[bool]
) -> list[tuple[object, ...]]:
    key = [table.c[c.name] for c in table.primary_key.columns]
    with company.databases.shop.connect() as connection:
        found = connection.execute(sa.select(*key).where(where).order_by(*key))
        return [tuple(row) for row in found]


def tickets(company: Company, customer: int = JANE) -> list[tuple[object, ...]]:
    return rows(company, shop.support_tickets, shop.support_tickets.c.customer_id == customer)


def finished_notes(company: Company, ref: str) -> list[str]:
    with company.store.session() as session:
        return [e.note or "" for e in timeline(session, ref) if FINISHED in (e.note or "")]


def gone(company: Company, ref: str, table: str) -> list[tuple[object, ...]]:
    """The keys of the rows of `table` the request deleted, from the journal of what must
    stay gone."""
    key = company.services.keys.package
    with company.store.session() as session:
        return sorted(
            k
            for entry in journal_entries(session, source="shop", table=table)
            if entry.cause == f"request:{ref}" and entry.action == "deleted"
            for k in open_keys(entry, key)
        )


def kept_values(company: Company, ref: str) -> dict[str, bool]:
    """Per source, whether the erasure's journal still keeps values (sealed)."""
    with company.store.session() as session:
        entries = session.scalars(
            select(ErasureJournalRow).where(ErasureJournalRow.request_id == ref)
        )
        return {e.source: e.params is not None for e in entries}


def jobs(company: Company, kind: str) -> list[tuple[str, str]]:
    with company.store.session() as session:
        found = session.scalars(select(JobRow).where(JobRow.kind == kind).order_by(JobRow.id))
        return [(job.ref, job.state) for job in found]


def test_releasing_a_hold_erases_what_it_kept_once(company: Company) -> None:
    others = rows(company, shop.support_tickets, shop.support_tickets.c.customer_id != JANE)
    assert others
    held = tickets(company)
    assert len(held) == 2
    hold_id = hold(company, ["shop.support_tickets"])
    ref = erased_while_held(company)
    assert tickets(company) == held
    assert kept_values(company, ref) == {"shop": True, "crm": False}
    assert jobs(company, FINISH_HELD_JOB) == [(f"{ref}:shop", "done")]  # queued as it closed
    assert finished_notes(company, ref) == []  # the hold was in force: nothing to do

    release(company, hold_id)
    company.run_jobs()

    assert jobs(company, HOLD_ENDED_JOB) == [(str(hold_id), "done")]
    assert tickets(company) == []
    others_now = rows(company, shop.support_tickets, shop.support_tickets.c.customer_id != JANE)
    assert others_now == others  # other people's: untouched
    assert gone(company, ref, "support_tickets") == held
    (note,) = finished_notes(company, ref)
    assert note.startswith(
        "no legal hold keeps shop.support_tickets any more: erasure finished there: "
        "2 rows deleted, 0 anonymised"
    )
    assert "could not be found" not in note
    assert kept_values(company, ref) == {"shop": False, "crm": False}
    with company.store.session() as session:
        result = result_of(session, ref)
        told = [(n.recipient, n.state) for n in notices(session, ref)]
    assert result is not None and result.summary["kept"]  # the proof of the first erasure
    assert told == [("mailer", "sent")]  # told of the erasure once

    # Run again, by the hold's job and by the request's: nothing more happens.
    with company.store.session(write=True) as session:
        enqueue(session, HOLD_ENDED_JOB, str(hold_id), now=company.clock())
        enqueue(session, FINISH_HELD_JOB, f"{ref}:shop", now=company.clock())
    assert company.run_jobs().done == 2
    assert len(finished_notes(company, ref)) == 1
    assert gone(company, ref, "support_tickets") == held


def test_a_table_another_hold_keeps_stays_until_that_one_ends(company: Company) -> None:
    held = tickets(company)
    first = hold(company, ["shop.support_tickets"])
    second = hold(company, ["shop.support_tickets", "shop.call_records"], reason="claim CL-2")
    calls = rows(company, shop.call_records, shop.call_records.c.customer_id == JANE)
    ref = erased_while_held(company)

    release(company, first)
    company.run_jobs()
    assert tickets(company) == held
    assert finished_notes(company, ref) == []
    assert kept_values(company, ref)["shop"]

    release(company, second)
    company.run_jobs()
    assert tickets(company) == []
    assert rows(company, shop.call_records, shop.call_records.c.customer_id == JANE) == []
    (note,) = finished_notes(company, ref)
    assert "shop.support_tickets" in note and "shop.call_records" in note
    assert gone(company, ref, "call_records") == calls
    assert kept_values(company, ref) == {"shop": False, "crm": False}


def test_a_hold_on_a_table_others_are_reached_through_keeps_it_and_erases_the_rest(
    company: Company,
) -> None:
    """Order lines, payments and invoices are reached through orders: with orders held,
    their steps read by their whole chain instead of the keys the orders' step found."""
    orders = rows(company, shop.orders, shop.orders.c.customer_id == JANE)
    assert len(orders) == 3
    payments = shop.payments
    johns_card = payments.c.payer_customer_id == JOHN
    paid_by_john = rows(company, payments, johns_card)
    hold_id = hold(company, ["shop.orders"])
    ref = erased_while_held(company)

    assert rows(company, shop.orders, shop.orders.c.customer_id == JANE) == orders
    with company.databases.shop.connect() as connection:
        cards = connection.execute(
            sa.select(payments.c.card_last4, payments.c.payer_customer_id)
            .join(shop.orders, shop.orders.c.id == payments.c.order_id)
            .where(shop.orders.c.customer_id == JANE)
            .order_by(payments.c.id)
        ).all()
    # Her own card is erased; the payment John made for her order is his too: left as it is.
    assert [tuple(c) for c in cards] == [(None, JANE), ("5454", JOHN), (None, JANE)]
    assert rows(company, payments, johns_card) == paid_by_john
    assert tickets(company) == []
    with company.store.session() as session:
        result = result_of(session, ref)
    assert result is not None
    summary = result.summary
    assert summary["check"] == ["nothing identifiable remains outside the legal holds"]
    kept = summary["kept"]
    assert isinstance(kept, list)
    assert [k["rules"] for k in kept if k["table"] == "orders"] == [["legal hold: dispute D-9"]]

    # Released: her orders are judged by their rules now, which keep invoiced orders for
    # six years.
    release(company, hold_id)
    company.run_jobs()
    (note,) = finished_notes(company, ref)
    assert "3 kept (by a retention rule or another legal hold)" in note
    assert rows(company, shop.orders, shop.orders.c.customer_id == JANE) == orders
    assert kept_values(company, ref)["shop"] is False


def test_the_hold_of_someone_else_finishes_nothing_of_hers(company: Company) -> None:
    held = tickets(company)
    hold(company, ["shop.support_tickets"])
    ref = erased_while_held(company)
    with company.store.session(write=True) as session:
        johns = place_hold(
            session, demo(), email=JOHN_EMAIL, reason="claim CL-2", until=None,
            scope=["shop.support_tickets"], actor="staff:ann", now=company.clock(),
        )  # fmt: skip
    release(company, johns.id)
    company.run_jobs()

    assert jobs(company, HOLD_ENDED_JOB) == [(str(johns.id), "done")]
    assert tickets(company) == held
    assert finished_notes(company, ref) == []


def test_what_she_added_since_is_not_erased(company: Company) -> None:
    """Only the rows the erasure kept are erased: a new account under the same email, made
    after the erasure, is a new relationship that the request did not cover."""
    hold_id = hold(company, ["shop.support_tickets"])
    ref = erased_while_held(company)
    now = company.clock().replace(tzinfo=None)
    with company.databases.shop.begin() as connection:
        account = connection.execute(
            shop.customers.insert().values(
                email=JANE_EMAIL, full_name="Jane Doe", created_at=now, last_seen_at=now
            )
        ).inserted_primary_key
        assert account is not None
        connection.execute(
            shop.support_tickets.insert().values(
                customer_id=account[0], subject="Hello again", body="A new order", opened_at=now
            )
        )

    release(company, hold_id)
    company.run_jobs()

    assert tickets(company) == []
    assert len(tickets(company, account[0])) == 1
    assert rows(company, shop.customers, shop.customers.c.email == JANE_EMAIL) == [(account[0],)]
    (note,) = finished_notes(company, ref)
    assert "2 rows deleted" in note


def test_a_hold_released_while_the_erasure_runs_is_finished_as_it_closes(
    company: Company,
) -> None:
    held = tickets(company)
    hold_id = hold(company, ["shop.support_tickets"])
    ref = file(company, "erasure")
    company.run_jobs()  # the acknowledgement and the code
    with company.store.session(write=True) as session:
        code = company.last_code(JANE_EMAIL)
        key = company.services.keys.verification
        confirm_identity(session, ref, code, key=key, now=company.clock())
    runner = Runner(company.store, JOBS, services=company.services, clock=company.clock)
    while (f"{ref}:shop", "done") not in jobs(company, "request.erase_source"):
        assert runner.run_pending(limit=1).done == 1
    assert company.request(ref).state == "running"
    assert tickets(company) == held

    release(company, hold_id)  # the shop erased with the hold in force, the request still open
    company.run_jobs()

    assert company.request(ref).state == "completed"
    assert tickets(company) == []
    assert gone(company, ref, "support_tickets") == held
    assert len(finished_notes(company, ref)) == 1
    assert kept_values(company, ref) == {"shop": False, "crm": False}


def crm_rows(company: Company, table: sa.Table, where: sa.ColumnElement[bool]) -> list[int]:
    with company.databases.crm.connect() as connection:
        return list(connection.scalars(sa.select(table.c.id).where(where).order_by(table.c.id)))


def test_a_row_kept_only_because_held_rows_referred_to_it_is_deleted_with_them(
    company: Company,
) -> None:
    """Her CRM contact could not be deleted while her held interactions referred to it: it was
    anonymised, its email now the placeholder "erased" that other people's rows share. Once
    released, her interactions go, and so does her contact; the others' rows stay."""
    hers = crm_rows(company, contacts, contacts.c.email == JANE_EMAIL)
    assert len(hers) == 1
    talks = crm_rows(company, interactions, interactions.c.contact_id == hers[0])
    hold_id = hold(company, ["crm.interactions"])
    ref = erased_while_held(company)
    assert crm_rows(company, contacts, contacts.c.email == "erased") == hers
    now = company.clock().replace(tzinfo=None)
    with company.databases.crm.begin() as connection:
        other = connection.execute(contacts.insert().values(email="erased")).inserted_primary_key
        assert other is not None
        connection.execute(
            interactions.insert().values(
                contact_id=other[0], kind="call", happened_at=now, summary="kept for a claim"
            )
        )

    release(company, hold_id)
    company.run_jobs()

    assert crm_rows(company, interactions, interactions.c.contact_id == hers[0]) == []
    assert crm_rows(company, contacts, contacts.c.id == hers[0]) == []
    assert crm_rows(company, contacts, contacts.c.email == "erased") == [other[0]]
    assert len(crm_rows(company, interactions, interactions.c.contact_id == other[0])) == 1
    key = company.services.keys.package
    with company.store.session() as session:
        deleted = {
            entry.table_name: sorted(k[0] for k in open_keys(entry, key))
            for entry in journal_entries(session, source="crm", action="deleted")
            if entry.cause == f"request:{ref}"
        }
    assert deleted == {"interactions": talks, "contacts": hers}
    (note,) = finished_notes(company, ref)
    assert note.startswith("no legal hold keeps crm.interactions any more")


def test_the_sweep_job_queues_the_end_of_a_hold_past_its_last_day(company: Company) -> None:
    held = tickets(company)
    hold_id = hold(company, ["shop.support_tickets"])
    ref = erased_while_held(company)
    company.clock.advance(dt.timedelta(days=31))  # 3 December: the 1st is over everywhere
    with company.store.session(write=True) as session:
        queue_manual(session, user_id=1, now=company.clock())

    company.run_jobs()

    assert jobs(company, HOLD_ENDED_JOB) == [(str(hold_id), "done")]
    assert tickets(company) == []
    assert gone(company, ref, "support_tickets") == held


def test_rows_with_a_key_of_two_columns_are_found_again(company: Company) -> None:
    """Order lines are keyed by (order, line number); their columns are all kept."""
    lines = shop.order_lines
    hers = lines.c.order_id.in_(
        sa.select(shop.orders.c.id).where(shop.orders.c.customer_id == JANE)
    )
    before = rows(company, lines, hers)
    assert len(before) == 4
    hold_id = hold(company, ["shop.order_lines"])
    ref = erased_while_held(company)

    release(company, hold_id)
    company.run_jobs()

    (note,) = finished_notes(company, ref)
    assert note.startswith("no legal hold keeps shop.order_lines any more")
    assert "could not be found" not in note
    assert rows(company, lines, hers) == before
    assert kept_values(company, ref)["shop"] is False


@pytest.fixture
def on_postgres(postgres_url: str, smtp_server: SmtpServer, tmp_path: Path) -> Iterator[Company]:
    """The demo company with Pledge's store on PostgreSQL (its databases in SQLite)."""
    made = build_company(
        postgres_url, f"sqlite:///{tmp_path / 'shop.db'}", f"sqlite:///{tmp_path / 'crm.db'}",
        smtp_server,
    )  # fmt: skip
    try:
        yield made
    finally:
        made.services.close()
        made.store.close()
        close(made.databases)


def test_with_the_store_on_postgresql(on_postgres: Company) -> None:
    company = on_postgres
    held = tickets(company)
    ended = hold(company, ["shop.support_tickets"])
    ref = erased_while_held(company)
    with company.store.session(write=True) as session:
        later = place_hold(
            session, demo(), email=JANE_EMAIL, reason="claim CL-2", until=UNTIL,
            scope=["shop.call_records"], actor="staff:ann", now=company.clock(),
        )  # fmt: skip
    release(company, ended)
    company.run_jobs()
    assert tickets(company) == []
    assert gone(company, ref, "support_tickets") == held
    with company.store.session(write=True) as session:
        # Its last day is over everywhere 12 hours after it is over in UTC; the hold
        # released has its job already.
        over = dt.datetime.combine(UNTIL, dt.time(12), dt.UTC) + dt.timedelta(days=1)
        assert queue_ended_holds(session, now=over - dt.timedelta(minutes=1)) == []
        assert queue_ended_holds(session, now=over) == [later.id]
        assert queue_ended_holds(session, now=over + dt.timedelta(days=9)) == []
    company.clock.advance(over - company.clock())
    assert company.run_jobs().done == 1  # nothing of hers left for it: the erasure came first
    assert len(finished_notes(company, ref)) == 1
