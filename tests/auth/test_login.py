"""Signing in and out through the real server: cookies, CSRF, timeouts, throttling."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import select

from pledge.auth.passwords import HASHER
from pledge.auth.roles import Role
from pledge.auth.users import create_user, disable_user, get_user
from pledge.store.tables import RateTryRow, StaffSessionRow
from tests.auth.live_staff import (
    PASSWORD,
    StaffServer,
    csrf_token,
    later,
    login_token,
    sign_in,
    signed_in,
    staff_server,
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[StaffServer]:
    with staff_server(tmp_path) as running:
        running.add_user("ann", Role.PRIVACY_OFFICER)
        yield running


def test_the_login_page_has_its_own_policy_and_a_form_cookie(server: StaffServer) -> None:
    with server.client() as client:
        page = client.get("/admin/login")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "form-action 'self'" in page.headers["content-security-policy"]
    assert "script-src" not in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    cookie = page.headers["set-cookie"].lower()
    assert cookie.startswith("pledge_login=")
    for attribute in ("httponly", "samesite=strict", "path=/admin/login"):
        assert attribute in cookie
    assert '<input type="password" id="password" name="password"' in page.text


def test_signing_in_sets_a_strict_session_cookie(server: StaffServer) -> None:
    with server.client() as client:
        response = sign_in(client, "Ann")
        assert response.status_code == 303
        assert response.headers["location"] == "/admin"
        [session_cookie] = [
            value
            for name, value in response.headers.multi_items()
            if name == "set-cookie" and value.startswith("pledge_session=")
        ]
        lowered = session_cookie.lower()
        for attribute in ("httponly", "samesite=strict", "path=/"):
            assert attribute in lowered
        assert "secure" not in lowered, "plain http: a Secure cookie would never come back"
        token = client.cookies["pledge_session"]
        page = client.get("/admin/account")
    assert page.status_code == 200
    assert "signed in as <strong>ann</strong>" in page.text
    assert page.headers["cache-control"] == "no-store"
    with server.store.session() as session:
        [row] = session.scalars(select(StaffSessionRow))
    assert row.id == hashlib.sha256(token.encode()).hexdigest()


def test_the_cookie_is_secure_when_people_use_https(tmp_path: Path) -> None:
    with staff_server(tmp_path, public_url="https://privacy.example.com") as running:
        running.add_user("ann", Role.VIEWER)
        with running.client() as client:
            page = client.get("/admin/login")
            # The form cookie is Secure too, so this client (on plain http) keeps it back:
            # send it by hand, as a browser reaching the server over https would.
            form_cookie = page.headers["set-cookie"]
            assert "; secure" in form_cookie.lower()
            response = client.post(
                "/admin/login",
                data={"username": "ann", "password": PASSWORD, "login_token": login_token(page)},
                headers={"Cookie": form_cookie.split(";")[0]},
            )
    assert response.status_code == 303
    cookies = [v.lower() for n, v in response.headers.multi_items() if n == "set-cookie"]
    [session_cookie] = [c for c in cookies if c.startswith("pledge_session=")]
    assert "; secure" in session_cookie


def test_unknown_user_wrong_password_and_disabled_account_look_the_same(
    server: StaffServer,
) -> None:
    server.add_user("dora", Role.VIEWER)
    with server.store.session(write=True) as session:
        disable_user(session, "dora")
    answers = {}
    with server.client() as client:
        for username, password in [
            ("ann", "not the password"),
            ("nobody", PASSWORD),
            ("dora", PASSWORD),
        ]:
            response = sign_in(client, username, password)
            body = response.text.replace(f'value="{username}"', 'value="USERNAME"')
            answers[username] = (response.status_code, body)
            assert "pledge_session" not in client.cookies
    assert answers["ann"] == answers["nobody"] == answers["dora"]
    status, body = answers["ann"]
    assert status == 200
    assert "wrong username or password" in body


def test_the_form_must_come_from_our_page(server: StaffServer) -> None:
    with server.client() as client:
        # A post made elsewhere has no form cookie (SameSite=Strict) or no matching field.
        forged = client.post("/admin/login", data={"username": "ann", "password": PASSWORD})
        assert forged.status_code == 400
        assert "pledge_session" not in client.cookies
        token = login_token(client.get("/admin/login"))
        wrong = client.post(
            "/admin/login",
            data={"username": "ann", "password": PASSWORD, "login_token": token[::-1]},
        )
        assert wrong.status_code == 400
        assert "pledge_session" not in client.cookies


@pytest.mark.parametrize(
    ("asked", "landing"),
    [
        ("/admin/account?tab=tokens", "/admin/account?tab=tokens"),
        ("/api/v1/requests", "/api/v1/requests"),
        ("//evil.example/phish", "/admin"),
        ("/\\evil.example", "/admin"),
        ("https://evil.example/", "/admin"),
        ("javascript:alert(1)", "/admin"),
        ("", "/admin"),
    ],
)
def test_next_stays_on_this_site(server: StaffServer, asked: str, landing: str) -> None:
    with server.client() as client:
        response = sign_in(client, "ann", next=asked)
    assert response.status_code == 303
    assert response.headers["location"] == landing


def test_a_page_sends_the_browser_to_sign_in_and_back(server: StaffServer) -> None:
    with server.client() as client:
        response = client.get("/admin/account?x=1")
        assert response.status_code == 303
        assert response.headers["location"] == "/admin/login?next=/admin/account%3Fx%3D1"
        page = client.get(response.headers["location"])
        assert 'name="next" value="/admin/account?x=1"' in page.text
        back = client.post(
            "/admin/login",
            data={
                "username": "ann",
                "password": PASSWORD,
                "login_token": login_token(page),
                "next": "/admin/account?x=1",
            },
        )
        assert back.headers["location"] == "/admin/account?x=1"
        # Signed in, the login page sends the browser on.
        again = client.get("/admin/login?next=/admin/account")
        assert again.status_code == 303
        assert again.headers["location"] == "/admin/account"


def test_logout_needs_the_csrf_token_and_ends_the_session(server: StaffServer) -> None:
    with signed_in(server, "ann") as (client, csrf):
        token = client.cookies["pledge_session"]
        refused = client.post("/admin/logout")
        assert refused.status_code == 403
        assert refused.json()["error"]["message"] == "the CSRF token is missing or wrong"
        assert client.get("/admin/account").status_code == 200, "still signed in"
        wrong = client.post("/admin/logout", data={"csrf_token": csrf[::-1]})
        assert wrong.status_code == 403
        out = client.post("/admin/logout", data={"csrf_token": csrf})
        assert out.status_code == 303
        assert out.headers["location"] == "/admin/login"
        assert "pledge_session" not in client.cookies
        with server.store.session() as session:
            assert session.scalars(select(StaffSessionRow)).first() is None
        # The old cookie, replayed, opens nothing.
        client.cookies.set("pledge_session", token)
        assert client.get("/admin/account").status_code == 303


def test_the_csrf_token_may_come_as_a_header(server: StaffServer) -> None:
    with signed_in(server, "ann") as (client, csrf):
        out = client.post("/admin/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 303
    with server.store.session() as session:
        assert session.scalars(select(StaffSessionRow)).first() is None


def test_a_session_ends_after_thirty_idle_minutes(server: StaffServer) -> None:
    start = dt.datetime.now(dt.UTC)
    server.set_time(start)
    with signed_in(server, "ann") as (client, _):
        for minutes in (29, 58):
            server.set_time(later(minutes, start))
            assert client.get("/admin/account").status_code == 200, f"live at minute {minutes}"
        server.set_time(later(58 + 31, start))
        response = client.get("/admin/account")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/login")


def test_a_session_ends_twelve_hours_after_sign_in(server: StaffServer) -> None:
    start = dt.datetime.now(dt.UTC)
    server.set_time(start)
    with signed_in(server, "ann") as (client, _):
        for minutes in range(25, 12 * 60, 25):
            server.set_time(later(minutes, start))
            assert client.get("/admin/account").status_code == 200, f"live at minute {minutes}"
        server.set_time(later(12 * 60, start))
        assert client.get("/admin/account").status_code == 303


def test_ten_failures_in_fifteen_minutes_block_sign_in(
    server: StaffServer, caplog: pytest.LogCaptureFixture
) -> None:
    start = dt.datetime.now(dt.UTC)
    server.set_time(start)
    caplog.set_level(logging.INFO, logger="pledge.auth")
    with server.client() as client:
        for attempt in range(10):
            response = sign_in(client, "ann", f"guess number {attempt}")
            assert "wrong username or password" in response.text
        blocked = sign_in(client, "ann", PASSWORD)
        assert blocked.status_code == 429
        assert "too many failed sign-ins: try again in 15 minutes" in blocked.text
        assert int(blocked.headers["retry-after"]) == 15 * 60
        assert "pledge_session" not in client.cookies
        # The address is blocked for other usernames too.
        assert sign_in(client, "bob", PASSWORD).status_code == 429
        server.set_time(later(15, start))
        assert sign_in(client, "ann", PASSWORD).status_code == 303
    failures = [r for r in caplog.records if "sign-in failed" in r.getMessage()]
    assert len(failures) == 10
    assert all("'ann'" in r.getMessage() and "127.0.0.1" in r.getMessage() for r in failures)
    assert "guess number" not in caplog.text
    assert PASSWORD not in caplog.text


def test_servers_on_one_store_share_the_failures_and_a_restart_keeps_them(
    tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every server process of one store shares the secret, as in production.
    monkeypatch.setenv("PLEDGE_SECRET_KEY", "k" * 40)
    folders = [tmp_path / name for name in ("one", "two", "restarted")]
    for folder in folders:
        folder.mkdir()
    with staff_server(folders[0], store_url) as one, staff_server(folders[1], store_url) as two:
        one.add_user("ann", Role.VIEWER)
        for server, guesses in ((one, range(5)), (two, range(5, 10))):
            with server.client() as client:
                for guess in guesses:
                    answer = sign_in(client, "ann", f"guess {guess}")
                    assert "wrong username or password" in answer.text
        with two.client() as client:
            blocked = sign_in(client, "ann", PASSWORD)
        assert blocked.status_code == 429
        assert 14 * 60 <= int(blocked.headers["retry-after"]) <= 15 * 60
    with staff_server(folders[2], store_url) as restarted, restarted.client() as client:
        assert sign_in(client, "ann", PASSWORD).status_code == 429
        assert sign_in(client, "bob", PASSWORD).status_code == 429  # the address too
        with restarted.store.session() as session:
            tries = list(session.scalars(select(RateTryRow)))
    assert sorted(row.scope for row in tries) == ["login address"] * 10 + ["login username"] * 10
    plain = {hashlib.sha256(key.encode()).hexdigest() for key in ("ann", "127.0.0.1")}
    assert not any(row.key_digest in plain or "ann" in row.key_digest for row in tries)


def test_sign_in_replaces_an_old_hash(server: StaffServer) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with server.store.session(write=True) as session:
        create_user(session, "olga", PASSWORD, Role.VIEWER, hasher=weak)
    with server.client() as client:
        assert sign_in(client, "olga").status_code == 303
    with server.store.session() as session:
        stored = get_user(session, "olga").password_hash
    assert extract_parameters(stored) == extract_parameters(HASHER.hash(PASSWORD))
    with server.client() as client:
        assert sign_in(client, "olga").status_code == 303, "the new hash works"


def test_the_account_page_shows_the_sign_out_form(server: StaffServer) -> None:
    with signed_in(server, "ann") as (client, csrf):
        page = client.get("/admin/account")
        assert csrf_token(client) == csrf, "the same token for the whole session"
    assert "privacy officer" in page.text
    assert f'name="csrf_token" value="{csrf}"' in page.text


def test_signing_in_again_replaces_the_browsers_session(server: StaffServer) -> None:
    with server.client() as client:
        page = client.get("/admin/login")
        form_cookie = client.cookies["pledge_login"]
        form = {"username": "ann", "password": PASSWORD, "login_token": login_token(page)}
        assert client.post("/admin/login", data=form).status_code == 303
        first = client.cookies["pledge_session"]
        # The same browser posts the form again (a second tab, say) while signed in.
        client.cookies.set("pledge_login", form_cookie, path="/admin/login")
        assert client.post("/admin/login", data=form).status_code == 303
        second = client.cookies["pledge_session"]
        assert second != first
        assert client.get("/admin/account").status_code == 200
        client.cookies.clear()
        client.cookies.set("pledge_session", first)
        assert client.get("/admin/account").status_code == 303, "the first session ended"
    with server.store.session() as session:
        assert len(list(session.scalars(select(StaffSessionRow)))) == 1
