"""Who may call the requests API: tokens, sessions with their CSRF token, roles, OpenAPI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pledge.auth.roles import Role
from pledge.auth.tokens import revoke_token
from pledge.auth.users import disable_user
from pledge.rights.requests import get_request
from tests.auth.live_staff import StaffServer, signed_in, staff_server
from tests.web.test_api import _assert_envelope
from tests.web.test_api_requests import awaiting_approval, file

NEW_REQUEST = {"type": "access", "email": "jo@example.com", "jurisdiction": "uk"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[StaffServer]:
    with staff_server(tmp_path, approval=True) as running:
        running.add_user("omar", Role.PRIVACY_OFFICER)
        running.add_user("vera", Role.VIEWER)
        running.add_user("ann", Role.ADMIN)
        yield running


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def state_of(server: StaffServer, ref: str) -> str:
    with server.store.session() as session:
        return get_request(session, ref).state


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/requests"),
        ("GET", "/api/v1/requests/PLG-0000-0000"),
        ("POST", "/api/v1/requests"),
        ("POST", "/api/v1/requests/PLG-0000-0000/approve"),
    ],
)
def test_no_credentials_is_a_401_with_a_challenge(
    server: StaffServer, method: str, path: str
) -> None:
    with server.client() as client:
        response = client.request(method, path, json=NEW_REQUEST)
    error = _assert_envelope(response, 401)
    assert error["message"] == "this needs a signed-in member of staff"
    assert "/admin/login" in error["hint"]
    assert response.headers["www-authenticate"] == 'Bearer realm="pledge"'


@pytest.mark.parametrize(
    "header", ["Bearer plg_not-a-real-token", "Basic b21hcjpwYXNzd29yZA==", "Bearer", "plg_x"]
)
def test_a_bad_authorization_header_is_a_401(server: StaffServer, header: str) -> None:
    with server.client() as client:
        response = client.get("/api/v1/requests", headers={"Authorization": header})
    _assert_envelope(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer realm="pledge"'


def test_a_viewer_reads_but_cannot_act(server: StaffServer) -> None:
    ref = awaiting_approval(server)
    with httpx.Client(
        base_url=server.url, timeout=15, headers=bearer(server.add_token("vera"))
    ) as client:
        assert client.get("/api/v1/requests").status_code == 200
        assert client.get(f"/api/v1/requests/{ref}").status_code == 200
        for path, body in [
            (f"/api/v1/requests/{ref}/approve", None),
            (f"/api/v1/requests/{ref}/deny", {"reason": "no"}),
            (f"/api/v1/requests/{ref}/extend", {"reason": "no"}),
            (f"/api/v1/requests/{ref}/transition", {"to": "denied", "note": "no"}),
            ("/api/v1/requests", NEW_REQUEST),
        ]:
            error = _assert_envelope(client.post(path, json=body), 403)
            assert error["message"] == (
                "this needs the role 'privacy_officer' or higher; vera is 'viewer'"
            )
    assert state_of(server, ref) == "awaiting_approval"


def test_an_admin_may_do_what_an_officer_does(server: StaffServer) -> None:
    ref = awaiting_approval(server)
    with httpx.Client(
        base_url=server.url, timeout=15, headers=bearer(server.add_token("ann"))
    ) as client:
        response = client.post(f"/api/v1/requests/{ref}/approve")
    assert response.status_code == 200
    assert response.json()["timeline"][-1]["actor"] == "staff:ann"


def test_a_token_stops_working_when_revoked_or_its_user_disabled(server: StaffServer) -> None:
    omar, vera = server.add_token("omar"), server.add_token("vera")
    with server.client() as client:
        assert client.get("/api/v1/requests", headers=bearer(omar)).status_code == 200
        assert client.get("/api/v1/requests", headers=bearer(vera)).status_code == 200
        with server.store.session(write=True) as session:
            revoke_token(session, "omar", "tests")
            disable_user(session, "vera")
        for token in (omar, vera):
            response = client.get("/api/v1/requests", headers=bearer(token))
            error = _assert_envelope(response, 401)
            assert error["message"].startswith("the API token is not valid")


def test_a_bearer_token_needs_no_csrf_token(server: StaffServer) -> None:
    with server.client() as client:
        response = client.post(
            "/api/v1/requests", json=NEW_REQUEST, headers=bearer(server.add_token("omar"))
        )
    assert response.status_code == 201


def test_a_session_reads_freely_and_writes_with_its_csrf_token(server: StaffServer) -> None:
    ref = awaiting_approval(server)
    with signed_in(server, "omar") as (client, csrf):
        assert client.get("/api/v1/requests").status_code == 200
        missing = client.post(f"/api/v1/requests/{ref}/deny", json={"reason": "no"})
        error = _assert_envelope(missing, 403)
        assert error["message"] == "the CSRF token is missing or wrong"
        wrong = client.post(
            f"/api/v1/requests/{ref}/deny",
            json={"reason": "no"},
            headers={"X-CSRF-Token": csrf[:-1] + ("A" if csrf[-1] != "A" else "B")},
        )
        _assert_envelope(wrong, 403)
        assert state_of(server, ref) == "awaiting_approval", "nothing was done"
        created = client.post("/api/v1/requests", json=NEW_REQUEST)
        _assert_envelope(created, 403)
        done = client.post(f"/api/v1/requests/{ref}/approve", headers={"X-CSRF-Token": csrf})
        assert done.status_code == 200, done.text
    assert state_of(server, ref) == "running"


def test_a_viewers_session_cannot_act_even_with_its_csrf_token(server: StaffServer) -> None:
    ref = file(server)
    with signed_in(server, "vera") as (client, csrf):
        response = client.post(
            f"/api/v1/requests/{ref}/extend",
            json={"reason": "busy"},
            headers={"X-CSRF-Token": csrf},
        )
    _assert_envelope(response, 403)


def test_openapi_describes_the_routes_and_how_to_authenticate(server: StaffServer) -> None:
    with server.client() as client:
        spec = client.get("/openapi.json").json()
    assert "requests" in {tag["name"] for tag in spec["tags"]}
    schemes = spec["components"]["securitySchemes"]
    assert schemes["apiToken"]["type"] == "http"
    assert schemes["apiToken"]["scheme"] == "bearer"
    assert (schemes["staffSession"]["in"], schemes["staffSession"]["name"]) == (
        "cookie",
        "pledge_session",
    )
    paths = spec["paths"]
    routes = {
        ("get", "/api/v1/requests"),
        ("post", "/api/v1/requests"),
        ("get", "/api/v1/requests/{ref}"),
        ("post", "/api/v1/requests/{ref}/approve"),
        ("post", "/api/v1/requests/{ref}/deny"),
        ("post", "/api/v1/requests/{ref}/extend"),
        ("post", "/api/v1/requests/{ref}/transition"),
    }
    for method, path in routes:
        operation = paths[path][method]
        assert operation["tags"] == ["requests"]
        assert operation["security"] == [{"apiToken": []}, {"staffSession": []}]
        for status in ("401", "403", "404"):
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert "201" in paths["/api/v1/requests"]["post"]["responses"]
    schemas = spec["components"]["schemas"]
    detail = schemas["RequestDetail"]
    assert {"timeline", "result", "recipient_notices", "days_left"} <= set(detail["properties"])
    assert detail["examples"], "the detail has an example"
    assert schemas["NewRequest"]["examples"]
    assert not [path for path in paths if path.startswith("/admin")], "pages stay out of it"
