"""A served staff console for tests: the demo declaration, a store in the test's folder,
staff accounts signed in through the real login form, and requests filed in the store.

The server runs no jobs (`run_jobs=False`): what an action queued stays in the jobs table
for the test to read, and no job moves a request on behind the test's back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import select

from pledge.auth.roles import Role
from pledge.auth.users import create_user
from pledge.declaration.load import load_declaration
from pledge.declaration.model import Declaration
from pledge.rights.requests import create_request, get_request, transition
from pledge.services import Keys, load_secret
from pledge.settings import Settings
from pledge.store import Store, open_store
from pledge.store.tables import JobRow, RequestEventRow, RequestRow
from tests.web.live import copy_demo, start_server, store_url

PASSWORD = "correct horse battery staple"
_LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_ROW_REF = re.compile(r'<tr class="[^"]*" data-ref="([^"]+)"')


@dataclass
class Console:
    url: str
    folder: Path
    store: Store
    declaration: Declaration
    keys: Keys
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self) -> httpx.Client:
        """A browser of its own (its own cookies), closed with the server; redirects are not
        followed."""
        client = httpx.Client(base_url=self.url, timeout=20)
        self.clients.append(client)
        return client

    def add_user(self, username: str, role: Role) -> None:
        with self.store.session(write=True) as session:
            create_user(session, username, PASSWORD, role)

    def signed_in(self, username: str, role: Role) -> Staff:
        """A new account of `role`, signed in through the login form of a fresh client."""
        self.add_user(username, role)
        client = self.client()
        sign_in(client, username)
        page = client.get("/admin")
        assert page.status_code == 200, page.text
        return Staff(client, username, csrf_token(page.text))

    def file(
        self,
        *,
        type: str = "know",
        email: str = "ann@example.com",
        jurisdiction: str = "us-ca",
        days_ago: int = 0,
        approval_required: bool = False,
        agent: bool = False,
        details: dict[str, object] | None = None,
    ) -> str:
        """A request made `days_ago` days ago, as the privacy center files it; its reference."""
        received = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
        with self.store.session(write=True) as session:
            row = create_request(
                session,
                self.declaration,
                type=type,
                email=email,
                jurisdiction=jurisdiction,
                now=received,
                approval_required=approval_required,
                details=details,
                agent_name="Agnes Agent" if agent else None,
                agent_email="agnes@agents.example" if agent else None,
            )
            return row.id

    def move(self, ref: str, *states: str, note: str | None = None) -> None:
        """Take the request through `states`, in order, as the pipeline would."""
        with self.store.session(write=True) as session:
            for state in states:
                transition(session, ref, state, actor="test", note=note)

    def request(self, ref: str) -> RequestRow:
        with self.store.session() as session:
            return get_request(session, ref)

    def events(self, ref: str, kind: str) -> list[RequestEventRow]:
        with self.store.session() as session:
            return list(
                session.scalars(
                    select(RequestEventRow)
                    .where(RequestEventRow.request_id == ref, RequestEventRow.kind == kind)
                    .order_by(RequestEventRow.id)
                )
            )

    def jobs(self, ref: str, kind: str) -> list[JobRow]:
        with self.store.session() as session:
            return list(
                session.scalars(
                    select(JobRow).where(JobRow.ref == ref, JobRow.kind == kind).order_by(JobRow.id)
                )
            )


@dataclass
class Staff:
    client: httpx.Client
    username: str
    csrf: str

    def act(self, ref: str, action: str, **form: str) -> httpx.Response:
        """Post an action's form as the page does (with the CSRF token and the state seen)."""
        return self.client.post(
            f"/admin/requests/{ref}/{action}", data={"csrf_token": self.csrf, **form}
        )

    def page(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, response.text
        return response.text


def sign_in(client: httpx.Client, username: str, next_path: str = "/admin") -> None:
    """Sign in as a browser does: open the form, send it back with its token."""
    form = client.get("/admin/login", params={"next": next_path})
    assert form.status_code == 200, form.text
    found = _LOGIN_TOKEN.search(form.text)
    assert found, "the login page has no form token"
    response = client.post(
        "/admin/login",
        data={
            "username": username,
            "password": PASSWORD,
            "login_token": found.group(1),
            "next": next_path,
        },
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == next_path


def csrf_token(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def listed(page: str) -> list[str]:
    """The references of the request list, in the order shown."""
    return _ROW_REF.findall(page)


@contextmanager
def serving_console(folder: Path) -> Iterator[Console]:
    declaration_path = copy_demo(folder)
    url = store_url(folder)
    settings = Settings.build(
        declaration_path, store_url=url, host="127.0.0.1", port=0, watch=False, run_jobs=False
    )
    running = start_server(settings)
    store = open_store(url)
    console: Console | None = None
    try:
        console = Console(
            running.url,
            folder,
            store,
            load_declaration(declaration_path).declaration,
            # The server made its secret beside the store when it started: the same keys.
            Keys.derive(load_secret(url)),
        )
        yield console
    finally:
        for client in console.clients if console else []:
            client.close()
        store.close()
        running.stop()
