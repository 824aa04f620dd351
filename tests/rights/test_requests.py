"""Requests in the store: filing, moving, extending, listing; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from pledge.declaration.model import Declaration
from pledge.errors import NotFound, PledgeError
from pledge.rights import (
    create_request,
    extend,
    get_request,
    list_requests,
    timeline,
    transition,
)
from pledge.rights.requests import ACKNOWLEDGE_JOB, RequestChanged
from pledge.store import Store, open_store
from pledge.store.tables import JobRow, RequestRow
from tests.rights.demo import at, demo, with_approval, with_deadline

D = dt.date


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def file(
    store: Store,
    *,
    type: str = "access",
    jurisdiction: str = "uk",
    when: dt.datetime | None = None,
    declaration: Declaration | None = None,
) -> str:
    with store.session(write=True) as session:
        row = create_request(
            session,
            declaration or demo(),
            type=type,
            email="jane@example.com",
            jurisdiction=jurisdiction,
            now=when or at(2025, 9, 3),
        )
        return row.id


def move(store: Store, ref: str, to: str, when: dt.datetime, note: str | None = None) -> RequestRow:
    with store.session(write=True) as session:
        return transition(session, ref, to, actor="admin:priya", note=note, now=when)


def verify(store: Store, ref: str, when: dt.datetime) -> RequestRow:
    move(store, ref, "identity_pending", when)
    return move(store, ref, "verified", when)


def test_a_filed_request_is_received_with_its_event_and_its_acknowledgement_queued(
    store: Store,
) -> None:
    with store.session(write=True) as session:
        row = create_request(
            session,
            demo(),
            type="access",
            email=" jane@example.com ",
            jurisdiction="us-ca",
            identity={"contact.postal_address": "94110"},
            now=at(2026, 1, 21),
        )
    with store.session() as session:
        stored = get_request(session, row.id.lower())
        events = timeline(session, row.id)
        jobs = session.scalars(select(JobRow)).all()
    assert (stored.type, stored.state, stored.jurisdiction) == ("know", "received", "us-ca")
    assert stored.email == "jane@example.com"
    assert stored.identity == {"contact.postal_address": "94110"}
    assert stored.received_at == at(2026, 1, 21)
    assert (stored.due_at, stored.acknowledge_by) == (D(2026, 3, 7), D(2026, 2, 4))
    assert stored.approval_required is False
    assert [(e.kind, e.from_state, e.to_state, e.actor) for e in events] == [
        ("state", None, "received", "subject")
    ]
    assert [(j.kind, j.ref, j.state) for j in jobs] == [(ACKNOWLEDGE_JOB, row.id, "pending")]


def test_a_request_rolled_back_leaves_neither_row_nor_job(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session(write=True) as session:
        create_request(session, demo(), type="access", email="jane@example.com", jurisdiction="uk")
        raise RuntimeError("the caller failed after filing")
    with store.session() as session:
        assert session.scalars(select(RequestRow)).all() == []
        assert session.scalars(select(JobRow)).all() == []


@pytest.mark.parametrize(
    ("email", "identity", "message"),
    [
        ("jane.example.com", {}, "is not an email address"),
        ("jane@example.com", {"Post Code": "BS1"}, "is not a name with a text value"),
    ],
)
def test_bad_contact_details_are_refused(
    store: Store, email: str, identity: dict[str, str], message: str
) -> None:
    with pytest.raises(PledgeError, match=message), store.session(write=True) as session:
        create_request(
            session, demo(), type="access", email=email, jurisdiction="uk", identity=identity
        )


def test_the_whole_path_of_a_uk_request_and_its_timeline(store: Store) -> None:
    ref = file(store, when=at(2025, 9, 3))
    with store.session() as session:
        assert get_request(session, ref).due_at is None  # waiting for identity
    move(store, ref, "identity_pending", at(2025, 9, 3))
    verified = move(store, ref, "verified", at(2025, 9, 13))
    assert verified.verified_at == at(2025, 9, 13)
    assert verified.due_at == D(2025, 10, 13)  # one month from identity confirmed
    move(store, ref, "running", at(2025, 9, 14))
    done = move(store, ref, "completed", at(2025, 9, 15), note="package delivered")
    assert (done.state, done.closed_at, done.outcome) == (
        "completed",
        at(2025, 9, 15),
        "package delivered",
    )
    with store.session() as session:
        events = timeline(session, ref)
    assert [(e.from_state, e.to_state) for e in events] == [
        (None, "received"),
        ("received", "identity_pending"),
        ("identity_pending", "verified"),
        ("verified", "running"),
        ("running", "completed"),
    ]
    assert [e.at for e in events][-1] == at(2025, 9, 15)
    assert {e.actor for e in events[1:]} == {"admin:priya"}
    assert events[-1].note == "package delivered"


def test_with_approval_asked_for_nothing_runs_before_an_admin_approves(store: Store) -> None:
    ref = file(store, declaration=with_approval())
    verify(store, ref, at(2025, 9, 4))
    with pytest.raises(PledgeError, match="'verified' cannot move to 'running'"):
        move(store, ref, "running", at(2025, 9, 5))
    move(store, ref, "awaiting_approval", at(2025, 9, 5))
    assert move(store, ref, "running", at(2025, 9, 6)).state == "running"


def test_an_illegal_move_changes_nothing_and_records_nothing(store: Store) -> None:
    ref = file(store)
    with pytest.raises(PledgeError) as caught:
        move(store, ref, "completed", at(2025, 9, 4))
    assert "'received' cannot move to 'completed'" in caught.value.message
    assert caught.value.hint == "allowed next states: identity_pending, denied"
    with store.session() as session:
        assert get_request(session, ref).state == "received"
        assert len(timeline(session, ref)) == 1


@pytest.mark.parametrize("steps", [[], ["identity_pending"], ["identity_pending", "verified"]])
def test_a_request_can_be_denied_with_a_reason_before_it_runs(
    store: Store, steps: list[str]
) -> None:
    ref = file(store)
    for step in steps:
        move(store, ref, step, at(2025, 9, 4))
    with pytest.raises(PledgeError, match="needs a reason"):
        move(store, ref, "denied", at(2025, 9, 5))
    denied = move(store, ref, "denied", at(2025, 9, 5), note="manifestly excessive: 40 repeats")
    assert (denied.state, denied.outcome) == ("denied", "manifestly excessive: 40 repeats")
    assert denied.closed_at == at(2025, 9, 5)


def test_a_move_from_a_state_the_caller_no_longer_sees_is_refused(store: Store) -> None:
    ref = file(store)
    move(store, ref, "identity_pending", at(2025, 9, 4))
    with pytest.raises(RequestChanged) as caught, store.session(write=True) as session:
        transition(session, ref, "denied", actor="admin", note="x", expected="received")
    assert "now 'identity_pending', not 'received'" in caught.value.message
    assert caught.value.status_code == 409


def test_an_unknown_reference_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="there is no request PLG-0000-0000"), store.session() as s:
        get_request(s, "plg-0000-0000")


# --- deadlines in the store -----------------------------------------------------------------


def test_a_declared_deadline_is_kept_as_it_was_when_the_request_arrived(store: Store) -> None:
    ref = file(store, declaration=with_deadline("access", "20 days"), when=at(2025, 9, 3))
    verified = verify(store, ref, at(2025, 9, 3))
    assert verified.declared_deadline == "20 days"
    assert verified.due_at == D(2025, 9, 23)


def test_an_extension_is_recorded_with_its_reason(store: Store) -> None:
    ref = file(store, when=at(2025, 9, 3))
    verify(store, ref, at(2025, 9, 3))
    with store.session(write=True) as session:
        with pytest.raises(PledgeError, match="needs a reason"):
            extend(session, ref, reason=" ", actor="admin:priya", now=at(2025, 9, 20))
        row = extend(
            session,
            ref,
            reason="your request covers 12 years of orders across 3 systems",
            actor="admin:priya",
            now=at(2025, 9, 20),
        )
    assert (row.due_at, row.extended_due_at) == (D(2025, 10, 3), D(2025, 12, 3))
    assert row.extension_reason == "your request covers 12 years of orders across 3 systems"
    with store.session() as session:
        event = timeline(session, ref)[-1]
    assert (event.kind, event.actor) == ("extended", "admin:priya")
    assert event.note is not None and "2025-10-03 -> 2025-12-03" in event.note
    assert "to be sent to the person: your request covers 12 years" in event.note
    with pytest.raises(PledgeError, match="extended already"), store.session(write=True) as s:
        extend(s, ref, reason="again", actor="admin", now=at(2025, 9, 21))


def test_an_extension_after_the_due_date_is_refused(store: Store) -> None:
    ref = file(store, when=at(2025, 9, 3))
    verify(store, ref, at(2025, 9, 3))
    with pytest.raises(PledgeError, match="too late"), store.session(write=True) as session:
        extend(session, ref, reason="busy", actor="admin", now=at(2025, 10, 4))
    with store.session() as session:
        assert get_request(session, ref).extended_due_at is None


def test_the_list_puts_overdue_first_then_by_due_date_then_closed(store: Store) -> None:
    late_uk = file(store, when=at(2025, 8, 1))
    verify(store, late_uk, at(2025, 8, 1))  # due 1 September
    later_ca = file(store, type="know", jurisdiction="us-ca", when=at(2025, 8, 20))  # 4 Oct
    latest_ca = file(store, type="delete", jurisdiction="us-ca", when=at(2025, 7, 1))  # 15 Aug
    waiting = file(store, type="erasure", when=at(2025, 9, 1))  # clock stopped
    soon_eu = file(store, jurisdiction="eu", when=at(2025, 9, 1))
    verify(store, soon_eu, at(2025, 9, 1))  # due 1 October
    closed = file(store, type="know", jurisdiction="us-ca", when=at(2025, 6, 1))
    move(store, closed, "denied", at(2025, 6, 2), note="not a California resident")
    now = at(2025, 9, 10)
    with store.session() as session:
        everything = [row.id for row in list_requests(session, now=now)]
        overdue = [row.id for row in list_requests(session, overdue_only=True, now=now)]
        denied = [row.id for row in list_requests(session, state="denied", now=now)]
    assert everything == [latest_ca, late_uk, soon_eu, later_ca, waiting, closed]
    assert overdue == [latest_ca, late_uk]
    assert denied == [closed]


def test_overdue_counts_the_day_where_each_request_s_law_applies(store: Store) -> None:
    uk = file(store, when=at(2025, 8, 1))
    verify(store, uk, at(2025, 8, 1))  # due Monday 1 September 2025
    ca = file(store, type="know", jurisdiction="us-ca", when=at(2025, 7, 18))  # due 1 Sept
    with store.session() as session:
        assert get_request(session, ca).due_at == D(2025, 9, 1)
        # 03:00 UTC on 2 September: already the 2nd in London, still the 1st in California.
        overdue = list_requests(session, overdue_only=True, now=at(2025, 9, 2, hour=3))
    assert [row.id for row in overdue] == [uk]


def test_a_reference_drawn_twice_is_drawn_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = file(store)
    # Chance decides the references; here it is made to repeat one, once.
    draws = iter([taken, "PLG-2222-2222"])
    monkeypatch.setattr("pledge.rights.requests.new_reference", lambda: next(draws))
    assert file(store) == "PLG-2222-2222"
    with store.session() as session:
        assert len(list_requests(session)) == 2
