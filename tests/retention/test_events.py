"""Events about a person that start a retention clock: recorded once they have happened,
named by email in lower case, listed back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from pledge.errors import PledgeError
from pledge.retention.events import list_events, record_event
from pledge.store import Store, open_store
from pledge.store.tables import SubjectEventRow

NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        yield opened
    finally:
        opened.close()


def record(
    store: Store,
    kind: str = "account_closed",
    email: str = "jane.doe@example.com",
    on: dt.date = dt.date(2026, 10, 1),
    note: str | None = None,
) -> SubjectEventRow:
    with store.session(write=True) as session:
        return record_event(
            session, kind=kind, email=email, occurred_on=on, actor="staff:ann", note=note, now=NOW
        )


def test_an_event_is_recorded_with_the_person_in_lower_case(store: Store) -> None:
    row = record(store, email="Jane.Doe@Example.com", note="  closed by phone  ")
    with store.session() as session:
        [stored] = list_events(session)
    assert stored.id == row.id
    assert (stored.kind, stored.identity_kind, stored.identity_value) == (
        "account_closed",
        "email",
        "jane.doe@example.com",
    )
    assert (stored.occurred_on, stored.recorded_at, stored.recorded_by, stored.note) == (
        dt.date(2026, 10, 1),
        NOW,
        "staff:ann",
        "closed by phone",
    )
    assert stored.handled_at is None


def test_an_event_of_today_is_recorded_and_one_of_tomorrow_refused(store: Store) -> None:
    assert record(store, on=NOW.date()).occurred_on == NOW.date()
    with pytest.raises(PledgeError, match="dated 2026-11-03, after today"):
        record(store, on=dt.date(2026, 11, 3))


def test_an_unknown_kind_is_refused_with_a_guess(store: Store) -> None:
    with pytest.raises(PledgeError) as raised:
        record(store, kind="acount_closed")
    assert raised.value.message == "unknown event kind 'acount_closed'"
    assert raised.value.hint.startswith("did you mean 'account_closed'?")


def test_an_address_that_is_no_email_is_refused(store: Store) -> None:
    with pytest.raises(PledgeError, match="'Jane' is not an email address"):
        record(store, email="Jane")


def test_events_are_listed_by_person_and_by_kind(store: Store) -> None:
    closed = record(store)
    ended = record(store, kind="relationship_end", email="john.doe@example.com")
    contract = record(store, kind="contract_end", email="JOHN.doe@example.com")
    with store.session() as session:
        john = [e.id for e in list_events(session, email="john.doe@example.com")]
        closures = [e.id for e in list_events(session, kind="account_closed")]
        every = [e.id for e in list_events(session)]
    assert john == [ended.id, contract.id]
    assert closures == [closed.id]
    assert every == [closed.id, ended.id, contract.id]
