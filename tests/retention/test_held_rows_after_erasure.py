"""Rows a legal hold kept from an erasure request stay held by sweeps after the erasure
anonymised the row that led to them: her tickets are reached through her customer row, whose
email is gone, so the sweep finds them from the keys the request keeps (sealed) in its
journal, while a hold of hers on their table is in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pledge.demo import schema as shop
from pledge.demo.people import JANE_EMAIL
from pledge.retention.holds import place_hold
from pledge.retention.sweep import run_sweep
from pledge.retention.sweep_report import SweepReport
from tests.mail.smtp_server import smtp_server
from tests.retention.test_hold_release import (
    JANE,
    erased_while_held,
    finished_notes,
    gone,
    on_postgres,
    release,
    rows,
    tickets,
)
from tests.rights.demo import demo
from tests.rights.pipeline import Company, company
from tests.store.postgres import postgres_url

__all__ = ["company", "on_postgres", "postgres_url", "smtp_server"]

# Her resolved ticket is over its two years of support by then (resolved in October 2025).
LATER = dt.timedelta(days=2 * 365 + 30)


def hold(company: Company, scope: Sequence[str], *, reason: str) -> int:
    """A hold on Jane until released: it outlasts the time the test lets pass."""
    with company.store.session(write=True) as session:
        row = place_hold(
            session, demo(), email=JANE_EMAIL, reason=reason, until=None, scope=list(scope),
            actor="staff:ann", now=company.clock(),
        )  # fmt: skip
        return row.id


def sweep(company: Company) -> SweepReport:
    return run_sweep(
        company.store, company.services, now=company.clock(), dry_run=False, started_by="test"
    )


def calls(company: Company) -> list[tuple[object, ...]]:
    return rows(company, shop.call_records, shop.call_records.c.customer_id == JANE)


def test_the_sweep_keeps_held_rows_her_erasure_left_until_the_hold_is_released(
    company: Company,
) -> None:
    held = tickets(company)
    assert len(held) == 2
    hold_id = hold(company, ["shop.support_tickets"], reason="dispute D-9")
    ref = erased_while_held(company)
    assert tickets(company) == held
    customer = shop.customers
    assert rows(company, customer, customer.c.email == JANE_EMAIL) == []  # anonymised

    company.clock.advance(LATER)
    report = sweep(company).table("shop.support_tickets")

    assert tickets(company) == held
    assert (report.held, report.holds) == (1, ("dispute D-9",))  # the other is not resolved
    assert report.deleted > 0  # other people's tickets past their two years went

    release(company, hold_id)
    company.run_jobs()
    assert tickets(company) == []
    assert gone(company, ref, "support_tickets") == held
    (note,) = finished_notes(company, ref)
    assert "2 rows deleted" in note and "could not be found" not in note


def test_only_the_tables_a_hold_in_force_keeps_stay(company: Company) -> None:
    """Both tables were kept by the erasure; once the tickets' hold is released (its job not
    run yet), the sweep judges her tickets by their rule, and still keeps her calls."""
    held_calls = calls(company)
    assert len(held_calls) == 2
    tickets_hold = hold(company, ["shop.support_tickets"], reason="dispute D-9")
    hold(company, ["shop.call_records"], reason="claim CL-2")
    erased_while_held(company)
    release(company, tickets_hold)

    company.clock.advance(LATER)
    report = sweep(company)

    assert len(tickets(company)) == 1  # the one never resolved: its clock has not started
    assert calls(company) == held_calls
    kept = report.table("shop.call_records")
    assert (kept.held, kept.holds) == (2, ("claim CL-2",))
    assert report.table("shop.support_tickets").holds == ()


def test_with_the_store_on_postgresql(on_postgres: Company) -> None:
    company = on_postgres
    held = tickets(company)
    hold_id = hold(company, ["shop.support_tickets"], reason="dispute D-9")
    erased_while_held(company)
    company.clock.advance(LATER)

    report = sweep(company).table("shop.support_tickets")

    assert tickets(company) == held
    assert (report.held, report.holds) == (1, ("dispute D-9",))
    release(company, hold_id)
    company.run_jobs()
    assert tickets(company) == []
