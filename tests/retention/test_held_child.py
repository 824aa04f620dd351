"""A legal hold that keeps tables from a child's erasure keeps those rows from later sweeps,
though the child's customer row (which led to them) is anonymised; once the hold ends, a job
finishes the child's erasure there, recorded on the child's audit run and in the journal of
what must stay gone, as the end of a request's erasure is (test_hold_release.py)."""

from __future__ import annotations

from sqlalchemy import select

from pledge.demo import schema as shop
from pledge.demo.people import JANE_EMAIL
from pledge.demo.schema import contacts, interactions
from pledge.jobs.queue import enqueue
from pledge.retention.children import flag_child
from pledge.retention.held_child import FINISH_HELD_CHILD_JOB
from pledge.retention.holds import HOLD_ENDED_JOB
from pledge.retention.journal import Action, journal_entries, open_keys
from pledge.store.tables import SweepResultRow
from pledge.store.tables_retention import ChildErasureRow
from tests.mail.smtp_server import smtp_server
from tests.retention.test_held_rows_after_erasure import LATER, calls, hold, sweep
from tests.retention.test_hold_release import (
    crm_rows,
    jobs,
    on_postgres,
    release,
    rows,
    tickets,
)
from tests.rights.pipeline import Company, company
from tests.store.postgres import postgres_url

__all__ = ["company", "on_postgres", "postgres_url", "smtp_server"]

FINISHED = "no legal hold keeps"


def flag(company: Company) -> int:
    """Staff flag Jane as a child: her data is erased at once; the id of the audit run."""
    done = flag_child(
        company.store, company.services, email="Jane.Doe@example.com", actor="staff:ann",
        now=company.clock(),
    )  # fmt: skip
    assert done.erased and done.run_id is not None
    return done.run_id


def result(company: Company, run_id: int, table: str, source: str = "shop") -> SweepResultRow:
    with company.store.session() as session:
        return session.scalars(
            select(SweepResultRow).where(
                SweepResultRow.run_id == run_id,
                SweepResultRow.source == source,
                SweepResultRow.table_name == table,
            )
        ).one()


def finished(record: SweepResultRow) -> list[str]:
    return [note for note in record.notes if FINISHED in note]


def gone(
    company: Company, run_id: int, table: str, source: str = "shop", action: Action = "deleted"
) -> list[tuple[object, ...]]:
    """The keys of the rows of `table` the child's erasure deleted (or anonymised), from the
    journal of what must stay gone."""
    key = company.services.keys.package
    with company.store.session() as session:
        return sorted(
            k
            for entry in journal_entries(session, source=source, table=table, action=action)
            if entry.cause == f"sweep:{run_id}"
            for k in open_keys(entry, key)
        )


def keeping(company: Company) -> dict[tuple[int, str], bool]:
    """Per (audit run, source) of a child's erasure a hold kept tables from: whether it still
    keeps values (sealed)."""
    with company.store.session() as session:
        found = session.scalars(select(ChildErasureRow).order_by(ChildErasureRow.id))
        return {(e.run_id, e.source): e.params is not None for e in found}


def test_without_a_hold_a_childs_erasure_keeps_nothing(company: Company) -> None:
    flag(company)
    assert keeping(company) == {}
    assert jobs(company, FINISH_HELD_CHILD_JOB) == []


def test_the_hold_keeps_her_rows_from_sweeps_and_its_end_finishes_her_erasure(
    company: Company,
) -> None:
    held = tickets(company)
    assert len(held) == 2
    hold_id = hold(company, ["shop.support_tickets"], reason="dispute D-9")
    run_id = flag(company)
    assert tickets(company) == held
    customers = shop.customers
    assert rows(company, customers, customers.c.email == JANE_EMAIL) == []  # anonymised
    assert keeping(company) == {(run_id, "shop"): True}
    before = result(company, run_id, "support_tickets")
    assert (before.deleted, before.held) == (0, 2)
    company.run_jobs()  # queued as the source was recorded; the hold is in force
    assert jobs(company, FINISH_HELD_CHILD_JOB) == [(f"{run_id}:shop", "done")]
    assert tickets(company) == held

    # Her resolved ticket is past its two years, but the hold has no end.
    company.clock.advance(LATER)
    report = sweep(company).table("shop.support_tickets")
    assert tickets(company) == held
    assert (report.held, report.holds) == (1, ("dispute D-9",))  # the other is not resolved
    assert report.deleted > 0  # other people's tickets past their two years went

    release(company, hold_id)
    company.run_jobs()

    assert tickets(company) == []
    assert gone(company, run_id, "support_tickets") == held
    after = result(company, run_id, "support_tickets")
    assert (after.deleted, after.anonymised, after.held) == (2, 0, 0)
    (note,) = finished(after)
    day = company.clock().date().isoformat()
    assert note.startswith(
        f"{day}: no legal hold keeps shop.support_tickets any more: erasure finished there: "
        "2 rows deleted"
    )
    assert "could not be found" not in note
    assert after.notes[: len(before.notes)] == before.notes  # what the erasure said stays
    assert keeping(company) == {(run_id, "shop"): False}

    # Run again, by the hold's job and by the child's: nothing more happens.
    with company.store.session(write=True) as session:
        enqueue(session, HOLD_ENDED_JOB, str(hold_id), now=company.clock())
        enqueue(session, FINISH_HELD_CHILD_JOB, f"{run_id}:shop", now=company.clock())
    assert company.run_jobs().done == 2
    again = result(company, run_id, "support_tickets")
    assert (again.deleted, again.held, again.notes) == (2, 0, after.notes)
    assert gone(company, run_id, "support_tickets") == held


def test_a_second_hold_on_the_table_keeps_them_until_it_ends_too(company: Company) -> None:
    held, held_calls = tickets(company), calls(company)
    assert len(held_calls) == 2
    first = hold(company, ["shop.support_tickets"], reason="dispute D-9")
    second = hold(company, ["shop.support_tickets", "shop.call_records"], reason="claim CL-2")
    run_id = flag(company)

    release(company, first)
    company.run_jobs()
    assert tickets(company) == held
    assert calls(company) == held_calls
    assert finished(result(company, run_id, "support_tickets")) == []
    assert result(company, run_id, "support_tickets").held == 2
    assert keeping(company) == {(run_id, "shop"): True}

    company.clock.advance(LATER)
    assert sweep(company).table("shop.call_records").held == 2  # still kept by the second

    release(company, second)
    company.run_jobs()
    assert tickets(company) == [] and calls(company) == []
    assert gone(company, run_id, "support_tickets") == held
    assert gone(company, run_id, "call_records") == held_calls
    for table in ("support_tickets", "call_records"):
        record = result(company, run_id, table)
        assert (record.deleted, record.held) == (2, 0)
        (note,) = finished(record)
        assert "shop.support_tickets" in note and "shop.call_records" in note
        assert "4 rows deleted" in note
    assert keeping(company) == {(run_id, "shop"): False}


def test_a_row_kept_only_because_held_rows_referred_to_it_is_deleted_with_them(
    company: Company,
) -> None:
    """Her CRM contact could not be deleted while her held interactions referred to it: it
    was anonymised. Once the hold is released, both go, and the audit run says so."""
    hers = crm_rows(company, contacts, contacts.c.email == JANE_EMAIL)
    assert len(hers) == 1
    talks = crm_rows(company, interactions, interactions.c.contact_id == hers[0])
    assert talks
    hold_id = hold(company, ["crm.interactions"], reason="dispute D-9")
    run_id = flag(company)
    assert crm_rows(company, contacts, contacts.c.email == "erased") == hers
    contact = result(company, run_id, "contacts", "crm")
    assert (contact.deleted, contact.anonymised) == (0, 1)

    release(company, hold_id)
    company.run_jobs()

    assert crm_rows(company, interactions, interactions.c.contact_id == hers[0]) == []
    assert crm_rows(company, contacts, contacts.c.id == hers[0]) == []
    assert [k[0] for k in gone(company, run_id, "interactions", "crm")] == talks
    assert [k[0] for k in gone(company, run_id, "contacts", "crm")] == hers
    held = result(company, run_id, "interactions", "crm")
    assert (held.deleted, held.held) == (len(talks), 0)
    contact = result(company, run_id, "contacts", "crm")
    assert (contact.deleted, contact.anonymised) == (1, 0)
    (note,) = finished(contact)
    assert "no legal hold keeps crm.interactions any more" in note
    assert keeping(company) == {(run_id, "crm"): False}


def test_with_the_store_on_postgresql(on_postgres: Company) -> None:
    company = on_postgres
    held = tickets(company)
    hold_id = hold(company, ["shop.support_tickets"], reason="dispute D-9")
    run_id = flag(company)
    company.clock.advance(LATER)

    report = sweep(company).table("shop.support_tickets")

    assert tickets(company) == held
    assert (report.held, report.holds) == (1, ("dispute D-9",))
    release(company, hold_id)
    company.run_jobs()
    assert tickets(company) == []
    assert gone(company, run_id, "support_tickets") == held
    record = result(company, run_id, "support_tickets")
    assert (record.deleted, record.held, len(finished(record))) == (2, 0, 1)
    assert keeping(company) == {(run_id, "shop"): False}
    with company.store.session(write=True) as session:
        enqueue(session, FINISH_HELD_CHILD_JOB, f"{run_id}:shop", now=company.clock())
    assert company.run_jobs().done == 1
    assert len(finished(result(company, run_id, "support_tickets"))) == 1
