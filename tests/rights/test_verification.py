"""Identity codes: issuing, checking, expiry, attempts, rate limit; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from pledge.errors import PledgeError
from pledge.rights import create_request, get_request, timeline, transition
from pledge.rights.delivery import status_from_token
from pledge.rights.verification import (
    CodeRefused,
    CodeRejected,
    check_code,
    code_digest,
    issue_code,
)
from pledge.rights.workflow import attach_agent_proof, confirm_identity, resend_code
from pledge.services import Services
from pledge.store import Store, open_store
from pledge.store.tables import VerificationCodeRow
from tests.mail.smtp_server import SmtpServer
from tests.rights.demo import at, demo
from tests.rights.pipeline import body, services

KEY = b"k" * 32
MINUTE = dt.timedelta(minutes=1)
FILED = at(2025, 9, 3)

__all__ = ["services"]


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def pending(store: Store, when: dt.datetime = FILED) -> str:
    """A UK access request waiting for its identity check."""
    with store.session(write=True) as session:
        row = create_request(
            session, demo(), type="access", email="jane@example.com", jurisdiction="uk", now=when
        )
        transition(session, row.id, "identity_pending", actor="system", now=when)
        return row.id


def issue(store: Store, ref: str, when: dt.datetime) -> str:
    with store.session(write=True) as session:
        return issue_code(session, ref, key=KEY, now=when)


def check(store: Store, ref: str, code: str, when: dt.datetime) -> bool:
    with store.session(write=True) as session:
        return check_code(session, ref, code, key=KEY, now=when)


def codes(store: Store, ref: str) -> list[VerificationCodeRow]:
    with store.session() as session:
        query = select(VerificationCodeRow).where(VerificationCodeRow.request_id == ref)
        return list(session.scalars(query.order_by(VerificationCodeRow.id)))


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def notes(store: Store, ref: str) -> list[str]:
    with store.session() as session:
        return [event.note or "" for event in timeline(session, ref)]


def test_the_right_code_verifies_the_request_and_starts_the_clock(store: Store) -> None:
    ref = pending(store, at(2025, 9, 3))
    with store.session() as session:
        assert get_request(session, ref).due_at is None  # UK: the clock waits for identity
    code = issue(store, ref, at(2025, 9, 13, 9))
    assert len(code) == 6 and code.isdigit()
    assert check(store, ref, code, at(2025, 9, 13, 9) + 3 * MINUTE)
    with store.session() as session:
        row = get_request(session, ref)
    assert row.state == "verified"
    assert row.verified_at == at(2025, 9, 13, 9) + 3 * MINUTE
    assert row.due_at == dt.date(2025, 10, 13)  # one month from the confirmation
    assert [c.state for c in codes(store, ref)] == ["used"]
    # Spent: the same code does not work twice.
    assert not check(store, ref, code, at(2025, 9, 13, 9) + 4 * MINUTE)


def test_the_store_keeps_a_keyed_hash_and_the_timeline_never_the_code(store: Store) -> None:
    ref = pending(store)
    code = issue(store, ref, at(2025, 9, 3, 13))
    check(store, ref, wrong(code), at(2025, 9, 3, 13) + MINUTE)
    check(store, ref, code, at(2025, 9, 3, 13) + 2 * MINUTE)
    (stored,) = codes(store, ref)
    assert code not in stored.digest
    assert stored.digest == code_digest(KEY, ref, code)
    assert stored.digest != code_digest(b"x" * 32, ref, code)  # useless without the key
    events = notes(store, ref)
    assert any("issued" in note for note in events)
    assert any("wrong" in note for note in events)
    assert any("identity confirmed" in note for note in events)
    assert all(code not in note and wrong(code) not in note for note in events)


def test_five_wrong_tries_kill_the_code(store: Store) -> None:
    ref = pending(store)
    start = at(2025, 9, 3, 13)
    code = issue(store, ref, start)
    for attempt in range(5):
        assert not check(store, ref, wrong(code), start + attempt * MINUTE)
    (stored,) = codes(store, ref)
    assert (stored.state, stored.attempts) == ("exhausted", 5)
    # Even the right code is refused now.
    assert not check(store, ref, code, start + 6 * MINUTE)
    with store.session() as session:
        assert get_request(session, ref).state == "identity_pending"
    assert any("code is dead" in note for note in notes(store, ref))
    # A new code works again.
    fresh = issue(store, ref, start + 7 * MINUTE)
    assert check(store, ref, fresh, start + 8 * MINUTE)


def test_four_wrong_tries_leave_one(store: Store) -> None:
    ref = pending(store)
    start = at(2025, 9, 3, 13)
    code = issue(store, ref, start)
    for attempt in range(4):
        assert not check(store, ref, wrong(code), start + attempt * MINUTE)
    assert any("1 try left" in note for note in notes(store, ref))
    assert check(store, ref, f" {code[:3]} {code[3:]} ", start + 5 * MINUTE)


def test_a_code_expires_after_15_minutes(store: Store) -> None:
    ref = pending(store)
    start = at(2025, 9, 3, 13)
    code = issue(store, ref, start)
    assert not check(store, ref, code, start + 15 * MINUTE)
    assert any("expired" in note for note in notes(store, ref))
    with store.session() as session:
        assert get_request(session, ref).state == "identity_pending"
    other = pending(store)
    other_code = issue(store, other, start)
    assert check(store, other, other_code, start + 15 * MINUTE - dt.timedelta(seconds=1))


def test_a_new_code_replaces_the_earlier_one(store: Store) -> None:
    ref = pending(store)
    start = at(2025, 9, 3, 13)
    first = issue(store, ref, start)
    second = issue(store, ref, start + MINUTE)
    assert [c.state for c in codes(store, ref)] == ["replaced", "live"]
    if first != second:  # one chance in a million that both draws agree
        assert not check(store, ref, first, start + 2 * MINUTE)
    assert check(store, ref, second, start + 3 * MINUTE)
    assert any("replaces the earlier" in note for note in notes(store, ref))


def test_at_most_five_codes_an_hour(store: Store) -> None:
    ref = pending(store)
    start = at(2025, 9, 3, 13)
    for n in range(5):
        issue(store, ref, start + n * MINUTE)
    with pytest.raises(CodeRefused) as refused:
        issue(store, ref, start + 10 * MINUTE)
    assert len(codes(store, ref)) == 5
    # An hour after the first code, one more may be issued.
    issue(store, ref, start + 60 * MINUTE + dt.timedelta(seconds=1))
    # The refusal does not tell a stranger whether the request exists.
    with pytest.raises(CodeRefused) as unknown:
        issue(store, "PLG-0000-0000", start)
    assert str(unknown.value) == str(refused.value)
    assert "PLG" not in str(refused.value) and "jane" not in str(refused.value)


def test_codes_only_for_a_request_waiting_for_identity(store: Store) -> None:
    with store.session(write=True) as session:
        row = create_request(
            session, demo(), type="access", email="jane@example.com", jurisdiction="uk"
        )
    with pytest.raises(CodeRefused), store.session(write=True) as session:
        issue_code(session, row.id, key=KEY)


def test_unknown_or_malformed_references_just_fail(store: Store) -> None:
    assert not check(store, "PLG-0000-0000", "123456", at(2025, 9, 3))
    assert not check(store, "not a reference", "123456", at(2025, 9, 3))
    ref = pending(store)
    assert not check(store, ref, "123456", at(2025, 9, 3))  # no code issued yet
    assert any("no code is live" in note for note in notes(store, ref))


def test_a_short_key_is_refused(store: Store) -> None:
    ref = pending(store)
    with pytest.raises(PledgeError, match="at least 16 bytes"), store.session() as session:
        issue_code(session, ref, key=b"short")


def test_a_wrong_code_costs_its_try_even_when_the_callers_transaction_rolls_back(
    store: Store,
) -> None:
    ref = pending(store)
    start = at(2025, 9, 3, 13)
    code = issue(store, ref, start)
    for attempt in range(5):
        # The error leaves the session's block: the store rolls back what was not committed.
        with pytest.raises(CodeRejected), store.session(write=True) as session:
            confirm_identity(session, ref, wrong(code), key=KEY, now=start + attempt * MINUTE)
    (stored,) = codes(store, ref)
    assert (stored.state, stored.attempts) == ("exhausted", 5)
    with pytest.raises(CodeRejected), store.session(write=True) as session:
        confirm_identity(session, ref, code, key=KEY, now=start + 6 * MINUTE)
    with store.session() as session:
        assert get_request(session, ref).state == "identity_pending"


def pending_by_agent(store: Store, *, proof: bool) -> str:
    """A CCPA request an agent filed, waiting for identity: with a proof staff have not
    reviewed yet (as the privacy center files it), or with none (as the API does)."""
    with store.session(write=True) as session:
        row = create_request(
            session,
            demo(),
            type="know",
            email="jane@example.com",
            jurisdiction="us-ca",
            agent_name="Rights Helpers LLC",
            agent_email="agent@rights-helpers.example",
            now=FILED,
        )
        if proof:
            attach_agent_proof(
                session,
                row.id,
                filename="permission.pdf",
                content_type="application/pdf",
                content=b"%PDF-1.4 signed",
                key=KEY,
                now=FILED,
            )
        transition(session, row.id, "identity_pending", actor="system", now=FILED)
        return row.id


@pytest.mark.parametrize("proof", [True, False], ids=["proof to review", "no proof"])
def test_an_agents_request_gets_and_takes_no_identity_code(store: Store, proof: bool) -> None:
    ref = pending_by_agent(store, proof=proof)
    with pytest.raises(CodeRefused) as refused, store.session(write=True) as session:
        issue_code(session, ref, key=KEY, now=FILED)
    with pytest.raises(CodeRefused) as unknown, store.session(write=True) as session:
        issue_code(session, "PLG-0000-0000", key=KEY, now=FILED)
    assert str(refused.value) == str(unknown.value)  # nothing said about why
    # A code issued before agents were refused codes confirms nothing either.
    with store.session(write=True) as session:
        session.add(
            VerificationCodeRow(
                request_id=ref,
                digest=code_digest(KEY, ref, "123456"),
                state="live",
                attempts=0,
                issued_at=FILED,
                expires_at=FILED + 15 * MINUTE,
                purpose="identity",
            )
        )
    with pytest.raises(CodeRejected), store.session(write=True) as session:
        confirm_identity(session, ref, "123456", key=KEY, now=FILED + MINUTE)
    with store.session() as session:
        assert get_request(session, ref).state == "identity_pending"
    assert any("code refused" in note and "agent" in note for note in notes(store, ref))


def test_a_code_is_mailed_with_the_signed_link_of_the_page_where_it_is_typed(
    store: Store, services: Services, smtp_server: SmtpServer
) -> None:
    ref = pending(store)
    with store.session(write=True) as session:
        resend_code(session, services, ref, now=FILED)
    [mail] = smtp_server.received
    text = body(mail.message)
    [link] = re.findall(r"\S+/privacy/requests/status/\S+", text)
    # The services' public address (PLEDGE_PUBLIC_URL), the status page's signed token.
    token, _, query = link.removeprefix("http://pledge.test/privacy/requests/status/").partition(
        "?"
    )
    assert status_from_token(token, key=services.keys.links) == ref
    assert query == "lang=en"
    code = re.findall(r"Your code is (\d{6})", text)[0]
    with store.session(write=True) as session:
        row = confirm_identity(session, ref, code, key=services.keys.verification, now=FILED)
    assert row.state == "running"
