"""What the privacy center files for each kind of request: the details each one needs (an
objection's grounds among them), an agent's proof kept sealed, and codes whose wrong tries
count."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from pledge.declaration.load import load_declaration
from pledge.rights.workflow import MAX_GROUNDS
from pledge.store import open_store
from pledge.store.tables import AgentProofRow, RequestRow
from pledge.web.privacy_center_form import grounds_field
from pledge.web.privacy_center_view import Choice
from pledge.web.privacy_center_words import Words
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
from tests.web.live import DEMO, store_url

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


def _object(
    center: Center, activities: list[str], grounds: str | None, lang: str = "en"
) -> tuple[int, str]:
    """Send the uk objection form in `lang`; the status code and the page it answered."""
    with center.client() as client:
        params = {"jurisdiction": "uk", "type": "objection", "lang": lang}
        page = client.get(CENTER, params=params)
        data: dict[str, str | list[str]] = {
            "form_token": form_token(page.text),
            "jurisdiction": "uk",
            "type": "objection",
            "email": DEMO_PERSON,
            "activity": activities,
        }
        if grounds is not None:
            data["grounds"] = grounds
        answer = client.post(f"{CENTER}?lang={lang}", data=data, files={"agent_proof": ("", b"")})
        return answer.status_code, html.unescape(answer.text)


def _grounds_box(page: str) -> str:
    found = re.search(r"<textarea [^>]*>(.*?)</textarea>", page, re.DOTALL)
    assert found, "the form has no text area for the grounds"
    return found.group(0)


def test_the_objection_form_asks_for_grounds_only_for_uses_other_than_marketing() -> None:
    declaration = load_declaration(DEMO).declaration
    fraud, newsletter = Choice("fraud", "Fraud"), Choice("newsletter", "Newsletter")
    both = grounds_field(declaration, "objection", [fraud, newsletter], Words("en"))
    assert both is not None and not both.required and both.limit == MAX_GROUNDS
    assert "Direct marketing needs no reason" in both.help and "2,000 characters" in both.help
    only_fraud = grounds_field(declaration, "objection", [fraud], Words("fr"))
    assert only_fraud is not None and only_fraud.required  # every use offered needs them
    assert "situation particulière" in only_fraud.help and "prospection" not in only_fraud.help
    assert grounds_field(declaration, "objection", [newsletter], Words("en")) is None
    assert grounds_field(declaration, "withdraw_consent", [fraud], Words("en")) is None


def test_grounds_are_required_once_a_use_other_than_marketing_is_ticked(center: Center) -> None:
    with center.client() as client:
        form = client.get(CENTER, params={"jurisdiction": "uk", "type": "objection"}).text
        assert "Your grounds" in form and 'name="grounds"' in form
        assert " required" not in _grounds_box(form)  # newsletter alone needs none
        withdraw = client.get(CENTER, params={"jurisdiction": "eu", "type": "withdraw_consent"})
        assert 'name="grounds"' not in withdraw.text

    status, page = _object(center, ["fraud", "newsletter"], "  \r\n ")
    assert status == 400
    assert "Give your grounds: why, in your particular situation" in page
    # Nothing filed, and what the person gave is still there.
    assert _requests(center) == []
    assert f'value="{DEMO_PERSON}"' in page
    assert 'value="fraud" checked' in page and 'value="newsletter" checked' in page

    grounds = "I am a fraud investigator myself.\r\nYour checks flag me every week."
    status, _ = _object(center, ["fraud", "newsletter"], f"  {grounds}\r\n")
    assert status == 303
    [row] = _requests(center)
    assert row.details == {
        "activities": ["fraud", "newsletter"],
        "grounds": "I am a fraud investigator myself.\nYour checks flag me every week.",
    }
    assert row.approval_required  # staff weigh them before the objection applies


def test_an_objection_to_marketing_alone_needs_no_grounds(center: Center) -> None:
    status, _ = _object(center, ["newsletter"], "")
    assert status == 303
    [row] = _requests(center)
    assert row.details == {"activities": ["newsletter"]}
    assert not row.approval_required


def test_grounds_too_long_are_refused_and_kept_to_shorten(center: Center) -> None:
    too_long = "x" * (MAX_GROUNDS + 1)
    status, page = _object(center, ["support"], too_long)
    assert status == 400
    assert "Your grounds are 2,001 characters long: shorten them to at most 2,000." in page
    assert too_long in _grounds_box(page)
    assert _requests(center) == []
    # A line break is one character, as the browser's text area counts it, though sent as two.
    fits = "y" * (MAX_GROUNDS - 11) + "\r\n" + "z" * 10
    status, _ = _object(center, ["support"], fits)
    assert status == 303
    [row] = _requests(center)
    assert row.details["grounds"] == fits.replace("\r\n", "\n")


def test_the_grounds_errors_speak_french(center: Center) -> None:
    status, page = _object(center, ["support"], "", lang="fr")
    assert status == 400
    assert "Vos motifs" in page
    assert "Indiquez vos motifs\u00a0: pourquoi, dans votre situation particulière" in page
    status, page = _object(center, ["support"], "x" * 2500, lang="fr")
    assert status == 400
    assert "Vos motifs font 2\u202f500 caractères\u00a0: raccourcissez-les à 2\u202f000" in page
    assert _requests(center) == []
