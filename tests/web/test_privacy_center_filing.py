"""What the privacy center files for each kind of request: the details each one needs, an
agent's proof kept sealed, and codes whose wrong tries count."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from pledge.store import open_store
from pledge.store.tables import AgentProofRow, RequestRow
from tests.web.center import (
    CENTER,
    DEMO_PERSON,
    JANE_POSTCODE,
    POSTAL,
    Center,
    file_request,
    form_token,
    serving_center,
    status_path,
    wait_for_code,
)
from tests.web.live import store_url

PDF = b"%PDF-1.4\n% signed permission of Jane Doe\n%%EOF\n"


@pytest.fixture
def center(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Center]:
    with serving_center(tmp_path, monkeypatch) as served:
        yield served


def _requests(center: Center) -> list[RequestRow]:
    with open_store(store_url(center.folder)) as store, store.session() as session:
        rows = list(session.scalars(select(RequestRow).order_by(RequestRow.received_at)))
        session.expunge_all()
        return rows


def _proofs(center: Center) -> list[AgentProofRow]:
    with open_store(store_url(center.folder)) as store, store.session() as session:
        rows = list(session.scalars(select(AgentProofRow)))
        session.expunge_all()
        return rows


def _agent_post(center: Center, proof: tuple[str, bytes, str], **fields: str) -> tuple[int, str]:
    with center.client() as client:
        page = client.get(CENTER, params={"jurisdiction": "us-ca", "type": "delete"})
        data = {
            "form_token": form_token(page.text),
            "jurisdiction": "us-ca",
            "type": "delete",
            "email": DEMO_PERSON,
            "agent": "yes",
            "agent_name": "Ada Agent",
            "agent_email": "ada@agents.example",
            **fields,
        }
        answer = client.post(CENTER, data=data, files={"agent_proof": proof})
        if answer.status_code != 303:
            return answer.status_code, html.unescape(answer.text)
        return 303, html.unescape(client.get(answer.headers["location"]).text)


def test_a_correction_is_filed_with_what_to_correct(center: Center) -> None:
    with center.client() as client:
        answer = file_request(
            client,
            email=DEMO_PERSON,
            jurisdiction="us-ca",
            type="correct",
            fields={
                "correction_category_1": "contact.phone",
                "correction_value_1": "+44 7700 900999",
                "correction_category_2": "addresses.postcode",
                "correction_value_2": "BS8 3HZ",
            },
        )
        status_path(answer)
    [row] = _requests(center)
    assert (row.type, row.jurisdiction) == ("correct", "us-ca")
    assert row.details == {
        "corrections": {"contact.phone": "+44 7700 900999", "addresses.postcode": "BS8 3HZ"}
    }


def test_an_objection_names_the_activities_ticked(center: Center) -> None:
    with center.client() as client:
        answer = file_request(
            client,
            email=DEMO_PERSON,
            type="objection",
            fields={"activity": "newsletter"},
        )
        status_path(answer)
        # A made-up activity is not one of the boxes: nothing ticked is left, so it is refused.
        refused = file_request(
            client, email=DEMO_PERSON, type="objection", fields={"activity": "orders"}
        )
        assert refused.status_code == 400 and "Choose at least one use." in refused.text
    [row] = _requests(center)
    assert row.details == {"activities": ["newsletter"]}


def test_an_access_request_keeps_the_second_check_and_the_language(center: Center) -> None:
    with center.client() as client:
        page = client.get(CENTER, params={"jurisdiction": "eu", "type": "access", "lang": "fr"})
        answer = client.post(
            f"{CENTER}?lang=fr",
            data={
                "form_token": form_token(page.text),
                "jurisdiction": "eu",
                "type": "access",
                "email": DEMO_PERSON,
                f"identity.{POSTAL}": JANE_POSTCODE,
            },
        )
        assert "lang=fr" in status_path(answer)
    [row] = _requests(center)
    assert row.identity == {POSTAL: JANE_POSTCODE}
    assert row.language == "fr"


def test_an_agent_files_with_a_proof_that_is_kept_sealed(center: Center) -> None:
    status, page = _agent_post(center, ("permission.pdf", PDF, "application/pdf"))
    assert status == 303
    assert "Waiting for us to check the agent's permission" in page
    assert 'name="code"' not in page  # the agent gets no code: staff review the proof
    [row] = _requests(center)
    assert (row.agent_name, row.agent_email, row.email) == (
        "Ada Agent",
        "ada@agents.example",
        DEMO_PERSON,
    )
    [proof] = _proofs(center)
    assert (proof.filename, proof.content_type) == ("permission.pdf", "application/pdf")
    assert PDF not in proof.content  # sealed at rest


def test_an_agent_without_a_usable_proof_is_asked_for_one(center: Center) -> None:
    status, page = _agent_post(center, ("", b"", "application/octet-stream"))
    assert status == 400 and "signed permission" in page
    status, page = _agent_post(center, ("permission.txt", b"I agree", "text/plain"))
    assert status == 400 and "must be a PDF, PNG or JPEG file" in page
    status, page = _agent_post(
        center, ("permission.pdf", PDF, "application/pdf"), agent_email="nope"
    )
    assert status == 400
    assert _requests(center) == [] and _proofs(center) == []


def test_five_wrong_codes_kill_the_code_even_across_pages(center: Center) -> None:
    with center.client() as client:
        path = status_path(
            file_request(client, email=DEMO_PERSON, fields={f"identity.{POSTAL}": JANE_POSTCODE})
        )
        code = wait_for_code(center.smtp, DEMO_PERSON)
        token = form_token(client.get(path).text)
        action = path.split("?")[0] + "/code"
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(5):
            answer = client.post(action, data={"form_token": token, "code": wrong})
            assert "said=wrong" in answer.headers["location"]
        # Each wrong try was kept, though the page answered "did not work": the code is dead.
        late = client.post(action, data={"form_token": token, "code": code})
        assert "said=wrong" in late.headers["location"]
    [row] = _requests(center)
    assert row.state == "identity_pending"
