"""The requests API over real HTTP, with an API token: listing, showing, filing, acting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from pledge.auth.roles import Role
from pledge.declaration.load import load_declaration
from pledge.rights.deadlines import local_day
from pledge.rights.decisions import record_decisions
from pledge.rights.requests import create_request, get_request, transition
from pledge.rights.workflow import attach_agent_proof, submit_request
from pledge.store.tables import JobRow, RecipientNoticeRow, RequestResultRow, SubjectDecisionRow
from tests.auth.live_staff import StaffServer, staff_server
from tests.store.postgres import postgres_url, store_url
from tests.web.test_api import _assert_envelope

# Fixtures this module uses by name: each store backend, PostgreSQL's fresh schema.
__all__ = ["postgres_url", "store_url"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[StaffServer]:
    with staff_server(tmp_path, approval=True) as running:
        running.add_user("omar", Role.PRIVACY_OFFICER)
        yield running


@pytest.fixture
def api(server: StaffServer) -> Iterator[httpx.Client]:
    token = server.add_token("omar")
    with httpx.Client(
        base_url=server.url, timeout=15, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        yield client


def file(
    server: StaffServer,
    type: str = "know",
    jurisdiction: str = "us-ca",
    *,
    days_ago: int = 0,
    email: str = "jane@example.com",
) -> str:
    """A request filed straight in the store, `days_ago` days back; its reference."""
    declaration = load_declaration(server.declaration).declaration
    received = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    with server.store.session(write=True) as session:
        row = create_request(
            session,
            declaration,
            type=type,
            email=email,
            jurisdiction=jurisdiction,
            actor="test",
            now=received,
        )
        return row.id


def move(server: StaffServer, ref: str, *states: str) -> None:
    with server.store.session(write=True) as session:
        for state in states:
            transition(session, ref, state, actor="test", note="by the test")


def awaiting_approval(server: StaffServer) -> str:
    ref = file(server, "access", "uk")
    move(server, ref, "identity_pending", "verified", "awaiting_approval")
    return ref


def jobs(server: StaffServer, ref: str) -> list[tuple[str, str]]:
    with server.store.session() as session:
        found = session.execute(
            select(JobRow.kind, JobRow.state).where(JobRow.ref == ref).order_by(JobRow.id)
        )
        return [(kind, state) for kind, state in found]


def test_the_list_puts_overdue_requests_first_with_days_left(
    server: StaffServer, api: httpx.Client
) -> None:
    closed = file(server, days_ago=60)
    move(server, closed, "denied")
    fresh = file(server)
    stopped = file(server, "access", "uk")
    late = file(server, days_ago=50)
    response = api.get("/api/v1/requests")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    listed = response.json()["requests"]
    assert [item["reference"] for item in listed] == [late, fresh, stopped, closed]
    by_ref = {item["reference"]: item for item in listed}
    today = local_day(dt.datetime.now(dt.UTC), "us-ca")
    overdue = by_ref[late]
    assert overdue["overdue"] is True
    assert overdue["days_left"] == (dt.date.fromisoformat(overdue["due"]) - today).days < 0
    assert by_ref[fresh]["days_left"] == 45
    assert (by_ref[fresh]["overdue"], by_ref[fresh]["due_soon"]) == (False, False)
    assert (by_ref[stopped]["due"], by_ref[stopped]["days_left"]) == (None, None)
    assert by_ref[closed]["days_left"] is None
    assert by_ref[closed]["overdue"] is False
    assert by_ref[closed]["state"] == "denied"
    assert set(overdue) == {
        "reference", "type", "state", "jurisdiction", "email", "language", "received_at",
        "due", "days_left", "overdue", "due_soon", "closed_at",
    }  # fmt: skip


def test_the_list_filters(server: StaffServer, api: httpx.Client) -> None:
    late = file(server, days_ago=50)
    soon = file(server, days_ago=40)
    fresh = file(server)
    stopped = file(server, "access", "uk")
    move(server, stopped, "identity_pending")

    def refs(**params: Any) -> list[str]:
        response = api.get("/api/v1/requests", params=params)
        assert response.status_code == 200, response.text
        return [item["reference"] for item in response.json()["requests"]]

    assert refs(overdue="true") == [late]
    assert refs(state="identity_pending") == [stopped]
    assert refs(due_within_days=7) == [late, soon]
    assert refs(due_within_days=45) == [late, soon, fresh]
    assert refs(limit=2) == [late, soon]
    assert refs(limit=2, offset=2) == [fresh, stopped]
    _assert_envelope(api.get("/api/v1/requests", params={"state": "lost"}), 422)
    _assert_envelope(api.get("/api/v1/requests", params={"due_within_days": -1}), 422)


def test_show_gives_the_timeline_the_result_and_the_notices(
    server: StaffServer, api: httpx.Client
) -> None:
    ref = file(server, "delete")
    move(server, ref, "identity_pending", "verified", "awaiting_approval", "running")
    now = dt.datetime.now(dt.UTC)
    with server.store.session(write=True) as session:
        session.add(RequestResultRow(request_id=ref, created_at=now, summary={"shop.customers": 1}))
        session.add(
            RecipientNoticeRow(
                request_id=ref, recipient="mailer", channel="email", state="sent", attempts=1,
                sent_at=now,
            )
        )  # fmt: skip
    response = api.get(f"/api/v1/requests/{ref.lower().replace('-', '')}")
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == ref
    assert body["state"] == "running"
    assert body["result"] == {"shop.customers": 1}
    [notice] = body["recipient_notices"]
    assert (notice["recipient"], notice["channel"], notice["state"]) == ("mailer", "email", "sent")
    assert notice["kind"] == "request"  # not the notice that a restriction was lifted
    assert [event["to_state"] for event in body["timeline"]] == [
        "received", "identity_pending", "verified", "awaiting_approval", "running",
    ]  # fmt: skip
    assert body["timeline"][0]["actor"] == "test"
    assert body["next_states"] == ["completed", "partially_completed", "denied"]
    assert body["approval_required"] is True


def test_an_unknown_reference_is_a_404_envelope(api: httpx.Client) -> None:
    error = _assert_envelope(api.get("/api/v1/requests/PLG-0000-0000"), 404)
    assert error["message"] == "there is no request PLG-0000-0000"
    error = _assert_envelope(api.post("/api/v1/requests/PLG-0000-0000/approve"), 404)
    assert error["message"] == "there is no request PLG-0000-0000"
    error = _assert_envelope(api.get("/api/v1/requests/not-a-ref"), 400)
    assert "is not a request reference" in error["message"]


def test_file_a_request_for_someone(server: StaffServer, api: httpx.Client) -> None:
    response = api.post(
        "/api/v1/requests",
        json={
            "type": "access",
            "email": "jo@example.com",
            "jurisdiction": "uk",
            "identity": {"contact.postal_address": "BS1 4QA"},
            "language": "fr",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    ref = body["reference"]
    assert (body["state"], body["type"], body["language"]) == ("received", "access", "fr")
    assert body["identity"] == {"contact.postal_address": "BS1 4QA"}
    assert body["timeline"][0]["actor"] == "staff:omar"
    assert jobs(server, ref) == [("request.acknowledge", "pending")]
    with server.store.session() as session:
        assert get_request(session, ref).email == "jo@example.com"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"type": "acess", "email": "jo@example.com", "jurisdiction": "uk"}, 400,
         "unknown request type 'acess'"),
        ({"type": "access", "email": "nobody", "jurisdiction": "uk"}, 400,
         "'nobody' is not an email address"),
        ({"type": "access", "email": "jo@example.com", "jurisdiction": "uk", "age": 3}, 422,
         "age"),
        ({"type": "access", "jurisdiction": "uk"}, 422, "email"),
        ({"type": "objection", "email": "jo@example.com", "jurisdiction": "uk",
          "details": {"grounds": "x" * 2001}}, 400,
         "an objection's grounds take at most 2000 characters, not 2001"),
        ({"type": "objection", "email": "jo@example.com", "jurisdiction": "uk",
          "details": {"grounds": ["a list"]}}, 400, "an objection's grounds are a text"),
    ],
)  # fmt: skip
def test_filing_refuses_what_is_wrong(
    server: StaffServer, api: httpx.Client, body: dict[str, object], status: int, message: str
) -> None:
    error = _assert_envelope(api.post("/api/v1/requests", json=body), status)
    assert message in error["message"]
    assert api.get("/api/v1/requests").json()["requests"] == []


def test_approve_starts_the_work(server: StaffServer, api: httpx.Client) -> None:
    ref = awaiting_approval(server)
    response = api.post(f"/api/v1/requests/{ref}/approve", json={"note": "checked the ID"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "running"
    last = body["timeline"][-1]
    assert (last["from_state"], last["to_state"], last["actor"], last["note"]) == (
        "awaiting_approval",
        "running",
        "staff:omar",
        "checked the ID",
    )
    assert ("request.run", "pending") in jobs(server, ref)
    # Approving again is a conflict: it is running now.
    error = _assert_envelope(api.post(f"/api/v1/requests/{ref}/approve"), 409)
    assert error["message"] == (
        f"request {ref} is 'running': only a request awaiting approval can be approved"
    )


def test_deny_closes_with_the_reason(server: StaffServer, api: httpx.Client) -> None:
    ref = awaiting_approval(server)
    reason = "the request is manifestly unfounded"
    response = api.post(f"/api/v1/requests/{ref}/deny", json={"reason": reason})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["state"], body["outcome"]) == ("denied", reason)
    assert body["closed_at"] is not None
    assert body["next_states"] == []
    assert body["timeline"][-1]["actor"] == "staff:omar"
    assert ("request.closing_mail", "pending") in jobs(server, ref)
    _assert_envelope(api.post(f"/api/v1/requests/{ref}/deny", json={"reason": ""}), 422)
    error = _assert_envelope(api.post(f"/api/v1/requests/{ref}/deny", json={"reason": "x"}), 400)
    assert error["message"] == "a request in state 'denied' cannot move to 'denied'"


def test_extend_moves_the_due_date_once(server: StaffServer, api: httpx.Client) -> None:
    ref = file(server)
    before = api.get(f"/api/v1/requests/{ref}").json()
    response = api.post(
        f"/api/v1/requests/{ref}/extend", json={"reason": "four systems to search by hand"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["extended_due_at"] == body["due"]
    assert dt.date.fromisoformat(body["due"]) - dt.date.fromisoformat(before["due"]) == (
        dt.timedelta(days=45)
    )
    assert body["extension_reason"] == "four systems to search by hand"
    assert (body["timeline"][-1]["kind"], body["timeline"][-1]["actor"]) == (
        "extended",
        "staff:omar",
    )
    error = _assert_envelope(
        api.post(f"/api/v1/requests/{ref}/extend", json={"reason": "more"}), 400
    )
    assert "was extended already" in error["message"]


def test_transition_by_hand(server: StaffServer, api: httpx.Client) -> None:
    ref = file(server, "access", "uk")
    move(server, ref, "identity_pending")
    stale = api.post(
        f"/api/v1/requests/{ref}/transition", json={"to": "verified", "expected": "received"}
    )
    error = _assert_envelope(stale, 409)
    assert error["message"] == f"request {ref} is now 'identity_pending', not 'received'"
    response = api.post(
        f"/api/v1/requests/{ref}/transition",
        json={
            "to": "verified",
            "note": "passport seen at the shop",
            "expected": "identity_pending",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    # Verified by hand, it goes on by itself: here to an approval.
    assert body["state"] == "awaiting_approval"
    assert body["due"] is not None, "the clock started"
    moves = [(e["to_state"], e["actor"]) for e in body["timeline"] if e["kind"] == "state"]
    assert moves[-2:] == [("verified", "staff:omar"), ("awaiting_approval", "staff:omar")]
    refused = api.post(f"/api/v1/requests/{ref}/transition", json={"to": "completed"})
    error = _assert_envelope(refused, 400)
    assert "cannot move to 'completed'" in error["message"]
    _assert_envelope(api.post(f"/api/v1/requests/{ref}/transition", json={"to": "lost"}), 422)


def test_the_flow_on_each_store(
    tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A store other than a SQLite file needs the shared secret.
    monkeypatch.setenv("PLEDGE_SECRET_KEY", "k" * 40)
    with staff_server(tmp_path, store_url, approval=True) as server:
        server.add_user("omar", Role.PRIVACY_OFFICER)
        headers = {"Authorization": f"Bearer {server.add_token('omar')}"}
        with httpx.Client(base_url=server.url, timeout=15, headers=headers) as api:
            created = api.post(
                "/api/v1/requests",
                json={"type": "erasure", "email": "jo@example.com", "jurisdiction": "uk"},
            )
            assert created.status_code == 201, created.text
            ref = created.json()["reference"]
            move(server, ref, "identity_pending", "verified", "awaiting_approval")
            approved = api.post(f"/api/v1/requests/{ref}/approve")
            assert approved.json()["state"] == "running"
            assert ("request.run", "pending") in jobs(server, ref)
            listed = api.get("/api/v1/requests", params={"state": "running"}).json()
            assert [item["reference"] for item in listed["requests"]] == [ref]


def test_an_agents_proof_is_accepted_or_refused(server: StaffServer, api: httpx.Client) -> None:
    declaration = load_declaration(server.declaration).declaration
    with server.store.session(write=True) as session:
        refs = []
        for _ in range(2):
            ref = submit_request(
                session,
                declaration,
                type="know",
                email="jane@example.com",
                jurisdiction="us-ca",
                agent_name="Rights Helpers LLC",
                agent_email="agent@rights-helpers.example",
            ).id
            attach_agent_proof(
                session,
                ref,
                filename="permission.pdf",
                content_type="application/pdf",
                content=b"%PDF-1.4 signed",
                key=b"k" * 32,
            )
            transition(session, ref, "identity_pending", actor="test")
            refs.append(ref)
    accepted = api.post(f"/api/v1/requests/{refs[0]}/agent-proof", json={"accepted": True})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state"] == "awaiting_approval"  # this server asks for approval
    unexplained = api.post(f"/api/v1/requests/{refs[1]}/agent-proof", json={"accepted": False})
    assert unexplained.status_code == 400
    refused = api.post(
        f"/api/v1/requests/{refs[1]}/agent-proof",
        json={"accepted": False, "reason": "the permission is not signed"},
    )
    assert refused.status_code == 200 and refused.json()["state"] == "denied"
    again = api.post(f"/api/v1/requests/{refs[1]}/agent-proof", json={"accepted": True})
    assert again.status_code == 400 and "reviewed already" in again.text


def test_lifting_needs_a_restriction_in_force(server: StaffServer, api: httpx.Client) -> None:
    ref = file(server, "restriction", "uk")
    nothing = api.post(f"/api/v1/requests/{ref}/lift-restriction", json={"reason": "resolved"})
    assert nothing.status_code == 409
    declaration = load_declaration(server.declaration).declaration
    with server.store.session(write=True) as session:
        row = get_request(session, ref)
        record_decisions(session, declaration, row, access=None)
    lifted = api.post(f"/api/v1/requests/{ref}/lift-restriction", json={"reason": "resolved"})
    assert lifted.status_code == 200, lifted.text
    with server.store.session() as session:
        decision = session.scalars(select(SubjectDecisionRow)).one()
    assert decision.lifted_by == "staff:omar"
