"""The requests API's follow-ups (a recipient's notice tried again or told by hand, a mail
whose job gave up queued again) and an agent's proof filed with the request."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from pledge.auth.roles import Role
from pledge.rights.package_crypto import unseal
from pledge.rights.requests import ACKNOWLEDGE_JOB
from pledge.services import Keys, load_secret
from pledge.store.tables import AgentProofRow, JobRow, RecipientNoticeRow, RequestRow
from tests.auth.live_staff import StaffServer, staff_server
from tests.web.test_api import _assert_envelope
from tests.web.test_api_requests import file, jobs, move

PDF = b"%PDF-1.4\n% the person's signed permission\n%%EOF\n"
AGENT = {"agent_name": "Rights Helpers LLC", "agent_email": "agent@rights-helpers.example"}
NEW_REQUEST = {"type": "know", "email": "jo@example.com", "jurisdiction": "us-ca"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[StaffServer]:
    with staff_server(tmp_path) as running:
        running.add_user("omar", Role.PRIVACY_OFFICER)
        running.add_user("vera", Role.VIEWER)
        yield running


def client_of(server: StaffServer, username: str) -> httpx.Client:
    token = server.add_token(username)
    return httpx.Client(
        base_url=server.url, timeout=15, headers={"Authorization": f"Bearer {token}"}
    )


@pytest.fixture
def api(server: StaffServer) -> Iterator[httpx.Client]:
    with client_of(server, "omar") as client:
        yield client


def erased_with_a_failed_notice(server: StaffServer) -> str:
    ref = file(server, "delete")
    move(server, ref, "identity_pending", "verified", "running", "completed")
    with server.store.session(write=True) as session:
        session.add_all(
            [
                RecipientNoticeRow(
                    request_id=ref, recipient="couriers", channel="webhook", state="failed",
                    attempts=5, last_error="the webhook in COURIERS_WEBHOOK answered HTTP 503",
                ),
                RecipientNoticeRow(
                    request_id=ref, recipient="mailer", channel="email", state="sent",
                    attempts=1, sent_at=dt.datetime.now(dt.UTC),
                ),
            ]
        )  # fmt: skip
    return ref


def notice_of(body: dict[str, object], recipient: str) -> dict[str, object]:
    notices = body["recipient_notices"]
    assert isinstance(notices, list)
    [found] = [n for n in notices if n["recipient"] == recipient]
    assert isinstance(found, dict)
    return found


def test_a_failed_notice_is_tried_again(server: StaffServer, api: httpx.Client) -> None:
    ref = erased_with_a_failed_notice(server)

    response = api.post(f"/api/v1/requests/{ref}/notices/couriers/retry")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (notice_of(body, "couriers")["state"], notice_of(body, "couriers")["attempts"]) == (
        "pending",
        0,
    )
    last = body["timeline"][-1]
    assert (last["kind"], last["actor"], last["note"]) == (
        "recipient",
        "staff:omar",
        "couriers: the notice will be tried again",
    )
    assert ("request.notify_recipients", "pending") in jobs(server, ref)
    error = _assert_envelope(api.post(f"/api/v1/requests/{ref}/notices/couriers/retry"), 409)
    assert error["message"].startswith("the notice to couriers is pending, not failed")


def test_a_recipient_is_recorded_as_told_by_hand(server: StaffServer, api: httpx.Client) -> None:
    ref = erased_with_a_failed_notice(server)
    path = f"/api/v1/requests/{ref}/notices/couriers/told-by-hand"
    _assert_envelope(api.post(path, json={}), 422)
    error = _assert_envelope(api.post(path, json={"how": "  "}), 400)
    assert error["message"] == "say how the recipient was told"

    response = api.post(path, json={"how": "by phone to their DPO"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert notice_of(body, "couriers")["state"] == "sent"
    last = body["timeline"][-1]
    assert (last["actor"], last["note"]) == (
        "staff:omar",
        "couriers told by hand: by phone to their DPO",
    )
    error = _assert_envelope(api.post(path, json={"how": "again"}), 409)
    assert error["message"] == "couriers was told already"


def test_an_unknown_notice_is_a_404(server: StaffServer, api: httpx.Client) -> None:
    ref = erased_with_a_failed_notice(server)
    error = _assert_envelope(api.post(f"/api/v1/requests/{ref}/notices/hmrc/retry"), 404)
    assert error["message"] == f"request {ref} has no notice to hmrc"
    error = _assert_envelope(api.post("/api/v1/requests/PLG-0000-0000/notices/hmrc/retry"), 404)
    assert error["message"] == "there is no request PLG-0000-0000"


def test_a_mail_that_gave_up_is_queued_again(server: StaffServer, api: httpx.Client) -> None:
    ref = file(server)
    assert api.get(f"/api/v1/requests/{ref}").json()["failed_mails"] == []
    error = _assert_envelope(api.post(f"/api/v1/requests/{ref}/resend-mail"), 409)
    assert (
        error["message"] == f"no mail of request {ref} failed for good: there is none to send again"
    )
    with server.store.session(write=True) as session:
        [queued] = session.scalars(select(JobRow).where(JobRow.ref == ref)).all()
        queued.state, queued.attempts, queued.last_error = "failed", 5, "gave up: relay down"
    assert api.get(f"/api/v1/requests/{ref}").json()["failed_mails"] == ["the acknowledgement"]

    response = api.post(f"/api/v1/requests/{ref}/resend-mail")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["failed_mails"] == []
    last = body["timeline"][-1]
    assert (last["kind"], last["actor"]) == ("mail", "staff:omar")
    assert jobs(server, ref) == [(ACKNOWLEDGE_JOB, "failed"), (ACKNOWLEDGE_JOB, "pending")]


def test_a_viewer_cannot_follow_up(server: StaffServer) -> None:
    ref = erased_with_a_failed_notice(server)
    with client_of(server, "vera") as viewer:
        for path, body in [
            (f"/api/v1/requests/{ref}/notices/couriers/retry", None),
            (f"/api/v1/requests/{ref}/notices/couriers/told-by-hand", {"how": "by phone"}),
            (f"/api/v1/requests/{ref}/resend-mail", None),
        ]:
            _assert_envelope(viewer.post(path, json=body), 403)


def test_openapi_describes_the_follow_ups_and_the_proof(server: StaffServer) -> None:
    with server.client() as client:
        spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/requests/{ref}/notices/{recipient}/retry",
        "/api/v1/requests/{ref}/notices/{recipient}/told-by-hand",
        "/api/v1/requests/{ref}/resend-mail",
    ):
        operation = paths[path]["post"]
        assert operation["tags"] == ["requests"] and operation["summary"]
        assert operation["security"] == [{"apiToken": []}, {"staffSession": []}]
        assert {"403", "404", "409"} <= set(operation["responses"])
    schemas = spec["components"]["schemas"]
    assert "agent_proof" in schemas["NewRequest"]["properties"]
    assert "content_base64" in schemas["AgentProofUpload"]["properties"]
    assert "failed_mails" in schemas["RequestDetail"]["properties"]


def encoded(content: bytes) -> str:
    return base64.b64encode(content).decode()


def test_an_agents_request_carries_the_proof_sealed(server: StaffServer, api: httpx.Client) -> None:
    # As `base64` prints it by default: in lines of 76 characters.
    wrapped = "\n".join(encoded(PDF)[i : i + 76] for i in range(0, len(encoded(PDF)), 76))
    proof = {"filename": "permission.pdf", "content_type": "application/pdf"}
    response = api.post(
        "/api/v1/requests",
        json={**NEW_REQUEST, **AGENT, "agent_proof": {**proof, "content_base64": wrapped}},
    )

    assert response.status_code == 201, response.text
    body = response.json()
    ref = body["reference"]
    assert body["agent_name"] == AGENT["agent_name"]
    received = [e for e in body["timeline"] if e["kind"] == "verification"]
    assert [(e["actor"], e["note"]) for e in received] == [
        (
            "staff:omar",
            f"proof of authority received (application/pdf, {len(PDF)} bytes), to be reviewed",
        )
    ]
    keys = Keys.derive(load_secret(server.store.url))
    with server.store.session() as session:
        stored = session.get_one(AgentProofRow, ref)
        assert (stored.filename, stored.content_type) == ("permission.pdf", "application/pdf")
        assert stored.content != PDF
        assert unseal(stored.content, keys.package, ref=ref) == PDF


@pytest.mark.parametrize(
    ("extra", "status", "message"),
    [
        ({**AGENT, "agent_proof": {"filename": "p.html", "content_type": "text/html",
          "content_base64": encoded(b"<p>hi</p>")}}, 400,
         "a proof must be a PDF, PNG or JPEG file, not text/html"),
        ({**AGENT, "agent_proof": {"filename": "p.pdf", "content_type": "application/pdf",
          "content_base64": encoded(b"%PDF" + b"0" * (5 * 1024 * 1024))}}, 422,
         "body.agent_proof.content_base64: Value error, the proof must be a file of at most"
         " 5 MB"),
        ({**AGENT, "agent_proof": {"filename": "p.pdf", "content_type": "application/pdf",
          "content_base64": "not base64!"}}, 422,
         "body.agent_proof.content_base64: Value error, this is not base64"),
        ({**AGENT, "agent_proof": {"filename": "p.pdf", "content_type": "application/pdf",
          "content_base64": ""}}, 400, "the proof must be a file of at most 5 MB"),
        ({"agent_proof": {"filename": "p.pdf", "content_type": "application/pdf",
          "content_base64": encoded(PDF)}}, 400,
         "an agent's proof comes with the agent's name and email address"),
    ],
)  # fmt: skip
def test_a_proof_that_cannot_be_kept_files_nothing(
    server: StaffServer, api: httpx.Client, extra: dict[str, object], status: int, message: str
) -> None:
    error = _assert_envelope(api.post("/api/v1/requests", json={**NEW_REQUEST, **extra}), status)
    assert error["message"].startswith(message)
    with server.store.session() as session:
        assert session.scalars(select(RequestRow)).all() == []
        assert session.scalars(select(AgentProofRow)).all() == []
