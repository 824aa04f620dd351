"""Legal holds on a person: placed with a checked scope, in force through their last day,
released by staff; what an erasure of the person is told to keep."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from pledge.errors import NotFound, PledgeError
from pledge.retention.holds import (
    PersonHold,
    active_holds,
    all_holds,
    hold_state,
    person_holds,
    place_hold,
    release_hold,
)
from pledge.store import Store, open_store
from pledge.store.tables import LegalHoldRow
from tests.rights.demo import demo
from tests.store.postgres import postgres_url, store_url

__all__ = ["postgres_url", "store_url"]

NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    try:
        yield opened
    finally:
        opened.close()


def place(
    store: Store,
    *,
    email: str = "jane.doe@example.com",
    reason: str = "dispute D-9",
    until: dt.date | None = dt.date(2026, 12, 1),
    scope: Sequence[str] = ("shop.invoices",),
) -> LegalHoldRow:
    with store.session(write=True) as session:
        return place_hold(
            session,
            demo(),
            email=email,
            reason=reason,
            until=until,
            scope=list(scope),
            actor="staff:ann",
            now=NOW,
        )


def in_force(store: Store, day: dt.date, email: str | None = None) -> list[int]:
    with store.session() as session:
        return [row.id for row in active_holds(session, as_of=day, email=email)]


def test_a_hold_is_kept_with_the_person_in_lower_case(store: Store) -> None:
    row = place(store, email=" Jane.Doe@Example.COM ", scope=["shop.invoices", "crm.contacts"])
    with store.session() as session:
        [stored] = all_holds(session)
    assert (stored.id, stored.identity_kind, stored.identity_value) == (
        row.id,
        "email",
        "jane.doe@example.com",
    )
    assert (stored.scope, stored.reason, stored.until) == (
        ["shop.invoices", "crm.contacts"],
        "dispute D-9",
        dt.date(2026, 12, 1),
    )
    assert (stored.created_by, stored.released_at) == ("staff:ann", None)


def test_a_hold_is_in_force_through_its_last_day(store: Store) -> None:
    row = place(store, until=dt.date(2026, 12, 1))
    assert in_force(store, dt.date(2026, 12, 1)) == [row.id]
    assert in_force(store, dt.date(2026, 12, 2)) == []
    assert hold_state(row, dt.date(2026, 12, 2)) == "ended"


def test_a_hold_without_an_end_holds_until_released(store: Store) -> None:
    row = place(store, until=None)
    assert in_force(store, dt.date(2040, 1, 1)) == [row.id]
    with store.session(write=True) as session:
        released = release_hold(session, row.id, actor="staff:bob", now=NOW)
    assert (released.released_by, released.released_at) == ("staff:bob", NOW)
    assert in_force(store, NOW.date()) == []
    assert hold_state(released, NOW.date()) == "released"


def test_holds_are_looked_up_by_person_in_any_case(store: Store) -> None:
    jane = place(store)
    place(store, email="john.doe@example.com")
    assert in_force(store, NOW.date(), email="JANE.DOE@example.com") == [jane.id]


def test_releasing_twice_or_an_unknown_hold_is_refused(store: Store) -> None:
    row = place(store)
    with store.session(write=True) as session:
        release_hold(session, row.id, actor="staff:ann", now=NOW)
    again = f"legal hold {row.id} was released on 2026-11-02"
    with pytest.raises(PledgeError, match=again), store.session(write=True) as session:
        release_hold(session, row.id, actor="staff:ann", now=NOW)
    with pytest.raises(NotFound, match="no legal hold 999"), store.session(write=True) as session:
        release_hold(session, 999, actor="staff:ann", now=NOW)


@pytest.mark.parametrize(
    ("changes", "message", "hint"),
    [
        ({"scope": ["shop.invoice"]}, "no table 'shop.invoice'", "did you mean 'shop.invoices'?"),
        ({"scope": ["invoices"]}, "no table 'invoices'", "source.table"),
        ({"reason": "  "}, "needs a reason", "dispute"),
        ({"until": dt.date(2026, 11, 1)}, "2026-11-01, which has passed", "today or later"),
        ({"email": "jane"}, "'jane' is not an email address", "email"),
    ],
)
def test_a_wrong_hold_is_refused_with_a_hint(
    store: Store, changes: dict[str, Any], message: str, hint: str
) -> None:
    with pytest.raises(PledgeError) as raised:
        place(store, **changes)
    assert message in raised.value.message
    assert hint in raised.value.hint
    with store.session() as session:
        assert all_holds(session) == []


def test_a_hold_ending_today_is_accepted(store: Store) -> None:
    assert place(store, until=NOW.date()).until == NOW.date()


def test_an_erasure_is_told_the_tables_kept_their_reasons_and_last_day(store: Store) -> None:
    place(store, scope=["shop.invoices"], until=dt.date(2026, 12, 1))
    place(store, reason="complaint CP-1", scope=["shop.invoices"], until=dt.date(2027, 1, 31))
    place(store, reason="claim CL-2", scope=["shop.support_tickets"], until=None)
    ended = place(store, reason="old", scope=["crm.contacts"], until=NOW.date())
    place(store, email="john.doe@example.com", scope=["crm.contacts"])
    with store.session() as session:
        held = person_holds(session, demo(), email="jane.doe@example.com", as_of=NOW.date())
        later = person_holds(
            session, demo(), email="jane.doe@example.com", as_of=NOW.date() + dt.timedelta(1)
        )
    assert held == {
        ("shop", "invoices"): PersonHold(("dispute D-9", "complaint CP-1"), dt.date(2027, 1, 31)),
        ("shop", "support_tickets"): PersonHold(("claim CL-2",), None),
        ("crm", "contacts"): PersonHold((ended.reason,), NOW.date()),
    }
    assert ("crm", "contacts") not in later


def test_a_hold_without_a_scope_covers_every_declared_table(store: Store) -> None:
    place(store, scope=[])
    with store.session() as session:
        held = person_holds(session, demo(), email="jane.doe@example.com", as_of=NOW.date())
    declared = {(s, t) for s, source in demo().sources.items() for t in source.tables}
    assert set(held) == declared
