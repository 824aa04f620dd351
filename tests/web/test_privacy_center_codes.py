"""Who may get and type an identity code in the privacy center, on each kind of store.

An agent never: staff review the agent's proof instead, and the center answers an agent's
code posts as it answers any refused code. A request staff filed from the CLI or the API
gets a code mail with the link to its status page, where the person types the code.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from pledge.auth.roles import Role
from pledge.auth.tokens import create_token
from pledge.auth.users import create_user
from pledge.cli import run
from pledge.rights import get_request
from pledge.rights.delivery import status_token
from pledge.rights.verification import code_digest
from pledge.services import Keys
from pledge.store import open_store
from pledge.store.tables import RequestEventRow, RequestRow, VerificationCodeRow
from tests.store.postgres import postgres_url, store_url
from tests.web.center import (
    CENTER,
    DEMO_PERSON,
    Center,
    body_text,
    form_token,
    mails_to,
    serving_center,
    status_path,
    wait_for_code,
)
from tests.web.live import wait_for

__all__ = ["postgres_url", "store_url"]

AGENT = "ada@agents.example"
PDF = b"%PDF-1.4\n% signed permission of Jane Doe\n%%EOF\n"
PUBLIC_URL = "https://privacy.maplefinch.example"
_LINK = re.compile(r"https?://\S+/privacy/requests/status/[^\s\"<>]+")


@pytest.fixture
def center(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str) -> Iterator[Center]:
    # Links in mails start with the address people reach the server at, not the one it
    # listens on (which a test cannot know before it starts).
    monkeypatch.setenv("PLEDGE_PUBLIC_URL", PUBLIC_URL)
    with serving_center(tmp_path, monkeypatch, store_url) as served:
        yield served


def _keys() -> Keys:
    return Keys.derive(os.environ["PLEDGE_SECRET_KEY"].encode())


def _request(center: Center, ref: str) -> RequestRow:
    with open_store(center.settings.store_url) as store, store.session() as session:
        row = get_request(session, ref)
        session.expunge(row)
        return row


def _reference_of(center: Center, email: str) -> str:
    with open_store(center.settings.store_url) as store, store.session() as session:
        found = session.scalar(select(RequestRow.id).where(RequestRow.email == email))
    assert found is not None, f"no request for {email}"
    return found


def _wait_for_state(center: Center, ref: str, *states: str) -> str:
    def probe() -> str | None:
        state = _request(center, ref).state
        return state if state in states else None

    return wait_for(probe, f"{ref} to reach {' or '.join(states)}", seconds=30)


def _notes(center: Center, ref: str) -> list[str]:
    with open_store(center.settings.store_url) as store, store.session() as session:
        query = select(RequestEventRow.note).where(RequestEventRow.request_id == ref)
        return [note or "" for note in session.scalars(query.order_by(RequestEventRow.id))]


def _plant_code(center: Center, ref: str, code: str) -> None:
    """A live identity code, as one issued before Pledge refused codes for agents would be."""
    now = dt.datetime.now(dt.UTC)
    with open_store(center.settings.store_url) as store, store.session(write=True) as session:
        session.add(
            VerificationCodeRow(
                request_id=ref,
                digest=code_digest(_keys().verification, ref, code),
                state="live",
                attempts=0,
                issued_at=now,
                expires_at=now + dt.timedelta(minutes=15),
                purpose="identity",
            )
        )


@contextmanager
def _staff_api(center: Center) -> Iterator[httpx.Client]:
    with open_store(center.settings.store_url) as store, store.session(write=True) as session:
        create_user(session, "omar", "correct horse battery staple", Role.PRIVACY_OFFICER)
        token = create_token(session, "omar", "tests").token
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=center.url, timeout=20, headers=headers) as client:
        yield client


def _file_as_agent(client: httpx.Client) -> str:
    """The agent's filing through the form, with the proof; the status page's path."""
    page = client.get(CENTER, params={"jurisdiction": "us-ca", "type": "delete"})
    data = {
        "form_token": form_token(page.text),
        "jurisdiction": "us-ca",
        "type": "delete",
        "email": DEMO_PERSON,
        "agent": "yes",
        "agent_name": "Ada Agent",
        "agent_email": AGENT,
    }
    proof = ("permission.pdf", PDF, "application/pdf")
    return status_path(client.post(CENTER, data=data, files={"agent_proof": proof}))


def _try_codes(center: Center, client: httpx.Client, status: str, ref: str) -> None:
    """Ask for a new code, then type a live one, as the hidden forms would: both answered
    as a refused code is, whatever the reason."""
    # The status page of an agent's request has no code form: the token from another page.
    form = client.get(CENTER, params={"jurisdiction": "us-ca", "type": "delete"})
    token = form_token(form.text)
    base = status.split("?")[0]
    resent = client.post(f"{base}/resend", data={"form_token": token})
    assert resent.status_code == 303 and "said=resent" in resent.headers["location"]
    _plant_code(center, ref, "123456")
    typed = client.post(f"{base}/code", data={"form_token": token, "code": "123456"})
    assert typed.status_code == 303 and "said=wrong" in typed.headers["location"]
    page = html.unescape(client.get(typed.headers["location"]).text)
    assert "That code did not work" in page and 'name="code"' not in page


def _codes_mailed_to(center: Center, address: str) -> list[str]:
    return [
        body_text(mail)
        for mail in mails_to(center.smtp, address)
        if "code" in str(mail.message["Subject"]).lower()
    ]


def test_an_agent_gets_no_code_and_a_code_counts_for_nothing_until_the_proof_is_accepted(
    center: Center,
) -> None:
    with center.client() as agent:
        status = _file_as_agent(agent)
        ref = status.split("/status/")[1].split(".")[0]
        wait_for(lambda: mails_to(center.smtp, AGENT) or None, "the acknowledgement")
        _wait_for_state(center, ref, "identity_pending")
        _try_codes(center, agent, status, ref)
        assert _request(center, ref).state == "identity_pending"
        assert _codes_mailed_to(center, AGENT) == [] and mails_to(center.smtp, DEMO_PERSON) == []
        assert any("agent" in note and "code refused" in note for note in _notes(center, ref))
        # Staff accept the proof: the request goes on as before, with no code.
        with _staff_api(center) as api:
            accepted = api.post(f"/api/v1/requests/{ref}/agent-proof", json={"accepted": True})
        assert accepted.status_code == 200, accepted.text
        assert _wait_for_state(center, ref, "completed") == "completed"
        assert _codes_mailed_to(center, AGENT) == []


def test_an_agents_request_filed_through_the_api_takes_no_code_either(center: Center) -> None:
    with _staff_api(center) as api:
        filed = api.post(
            "/api/v1/requests",
            json={
                "type": "delete",
                "email": DEMO_PERSON,
                "jurisdiction": "us-ca",
                "agent_name": "Ada Agent",
                "agent_email": AGENT,
            },
        )
    assert filed.status_code == 201, filed.text
    ref = filed.json()["reference"]
    wait_for(lambda: mails_to(center.smtp, AGENT) or None, "the acknowledgement")
    _wait_for_state(center, ref, "identity_pending")
    # Its status page's link, had the agent come by it.
    status = f"{CENTER}/status/{status_token(ref, key=_keys().links)}"
    with center.client() as agent:
        _try_codes(center, agent, status, ref)
    assert _request(center, ref).state == "identity_pending"
    assert _codes_mailed_to(center, AGENT) == [] and mails_to(center.smtp, DEMO_PERSON) == []


def _follow_the_mailed_link(center: Center, email: str) -> None:
    """Read the code mail, open its link, type its code: as the person would."""
    code = wait_for_code(center.smtp, email)
    [mail] = _codes_mailed_to(center, email)
    [link] = _LINK.findall(mail)
    assert link.startswith(f"{PUBLIC_URL}/privacy/requests/status/"), link
    path = link.removeprefix(PUBLIC_URL)
    with center.client() as person:
        page = person.get(path)
        assert page.status_code == 200 and 'name="code"' in page.text
        action = path.split("?")[0] + "/code"
        typed = person.post(action, data={"form_token": form_token(page.text), "code": code})
        assert typed.status_code == 303 and "said=confirmed" in typed.headers["location"]


def test_a_request_filed_from_the_cli_or_the_api_mails_the_link_where_the_code_is_typed(
    center: Center, capsys: pytest.CaptureFixture[str]
) -> None:
    by_cli, by_api = "cli.person@example.org", "api.person@example.org"
    exit_code = run(
        ["request", "create", str(center.settings.declaration), "--type", "erasure",
         "--email", by_cli, "--jurisdiction", "uk", "--store", center.settings.store_url]
    )  # fmt: skip
    assert exit_code == 0, capsys.readouterr().err
    with _staff_api(center) as api:
        filed = api.post(
            "/api/v1/requests",
            json={"type": "erasure", "email": by_api, "jurisdiction": "uk", "language": "fr"},
        )
    assert filed.status_code == 201, filed.text
    for email in (by_cli, by_api):
        ref = _reference_of(center, email)
        _follow_the_mailed_link(center, email)
        assert _wait_for_state(center, ref, "running", "completed")
        assert _request(center, ref).verified_at is not None
    # The French mail's link opens the page in French.
    [french] = _codes_mailed_to(center, by_api)
    assert "lang=fr" in _LINK.findall(french)[0]
