"""A real server with staff accounts, and a browser-like client that signs in through the form.

Tests move the server's clock (`server.auth.clock`) to see sessions end; the accounts and
requests they need are written straight to the store the server uses.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI

from pledge.auth.roles import Role
from pledge.auth.tokens import create_token
from pledge.auth.users import create_user
from pledge.settings import Settings
from pledge.store import Store, open_store
from pledge.web.auth import StaffAuth
from tests.web.live import copy_demo, edit, start_server

PASSWORD = "correct horse battery staple"
_LOGIN_TOKEN = re.compile(r'name="login_token" value="([0-9a-f]{64})"')
_CSRF = re.compile(r'name="csrf_token" value="([A-Za-z0-9_-]+)"')


@dataclass
class StaffServer:
    url: str
    declaration: Path
    app: FastAPI
    store: Store  # the test's own connection to the server's store

    @property
    def auth(self) -> StaffAuth:
        auth = self.app.state.staff_auth
        assert isinstance(auth, StaffAuth)
        return auth

    def set_time(self, moment: dt.datetime) -> None:
        """Stop the clock of sign-in and sessions at `moment`."""
        self.auth.clock = lambda: moment

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=15)

    def add_user(self, username: str, role: Role, password: str = PASSWORD) -> None:
        with self.store.session(write=True) as session:
            create_user(session, username, password, role)

    def add_token(self, username: str, name: str = "tests") -> str:
        with self.store.session(write=True) as session:
            return create_token(session, username, name).token


@contextmanager
def staff_server(
    folder: Path,
    store_url: str | None = None,
    *,
    approval: bool = False,
    public_url: str | None = None,
) -> Iterator[StaffServer]:
    """A server for a copy of the demo (with `rights.approval` if asked); jobs do not run, so
    tests see the jobs queued and move requests themselves."""
    declaration = copy_demo(folder)
    if approval:
        edit(declaration, "rights:\n  channels:", "rights:\n  approval: true\n  channels:")
    url = store_url or f"sqlite:///{folder / 'store.db'}"
    settings = Settings.build(declaration, store_url=url, port=0, watch=False, run_jobs=False)
    if public_url is not None:
        settings = dataclasses.replace(settings, public_url=public_url)
    running = start_server(settings)
    try:
        app = running.server.config.app
        assert isinstance(app, FastAPI)
        with open_store(url) as store:
            yield StaffServer(running.url, declaration, app, store)
    finally:
        running.stop()


def login_token(page: httpx.Response) -> str:
    found = _LOGIN_TOKEN.search(page.text)
    assert found, "the login page has no login_token field"
    return found.group(1)


def sign_in(
    client: httpx.Client, username: str, password: str = PASSWORD, next: str = ""
) -> httpx.Response:
    """Fill in the login form as a browser would (GET, then POST with its hidden token)."""
    page = client.get("/admin/login")
    assert page.status_code == 200
    form = {
        "username": username,
        "password": password,
        "login_token": login_token(page),
        "next": next,
    }
    return client.post("/admin/login", data=form)


def csrf_token(client: httpx.Client) -> str:
    """The session's CSRF token, as the signed-in pages carry it."""
    page = client.get("/admin/account")
    assert page.status_code == 200, page.text
    found = _CSRF.search(page.text)
    assert found, "the account page has no csrf_token field"
    return found.group(1)


@contextmanager
def signed_in(server: StaffServer, username: str) -> Iterator[tuple[httpx.Client, str]]:
    """A client signed in as `username`, and its session's CSRF token."""
    with server.client() as client:
        response = sign_in(client, username)
        assert response.status_code == 303, response.text
        yield client, csrf_token(client)


def later(minutes: float, start: dt.datetime | None = None) -> dt.datetime:
    return (start or dt.datetime.now(dt.UTC)) + dt.timedelta(minutes=minutes)
