"""The privacy center served for real: its steps, its words, and that it tells nobody
whether a person is in the company's databases."""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import re
import secrets
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pledge.rights.delivery import status_token
from pledge.rights.package_crypto import download_token
from pledge.services import Keys
from pledge.store import open_store
from pledge.store.tables import RequestRow
from tests.web.center import (
    CENTER,
    DEMO_PERSON,
    JANE_POSTCODE,
    POSTAL,
    Center,
    file_request,
    form_token,
    mails_to,
    serving_center,
    status_path,
    wait_for_code,
)
from tests.web.live import store_url, wait_for

_REFERENCE = re.compile(r"PLG-[0-9A-Z]{4}-[0-9A-Z]{4}")
_LANGUAGE_LINK = re.compile(r'<a href="[^"]*" hreflang=')


@pytest.fixture
def center(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Center]:
    with serving_center(tmp_path, monkeypatch) as served:
        yield served


def _filed_requests(center: Center) -> int:
    with open_store(store_url(center.folder)) as store, store.session() as session:
        return session.scalar(select(func.count()).select_from(RequestRow)) or 0


def _links_key() -> bytes:
    return Keys.derive(os.environ["PLEDGE_SECRET_KEY"].encode()).links


def test_the_form_asks_where_then_what_then_the_details(center: Center) -> None:
    with center.client() as client:
        first = client.get(CENTER, headers={"Accept-Language": "en-GB"})
        assert first.status_code == 200
        assert "Where do you live?" in first.text
        for place in ("United Kingdom", "European Union", "California"):
            assert place in first.text
        policy = first.headers["content-security-policy"]
        assert "form-action 'self'" in policy and "script-src" not in policy
        assert "<script" not in first.text
        assert first.headers["cache-control"] == "no-store"

        uk = client.get(CENTER, params={"jurisdiction": "uk"}).text
        assert "You live in: United Kingdom" in uk
        assert "Access" in uk and "Erasure" in uk and "Portability" in uk
        assert "Right to know" not in uk  # the CCPA's word, not the UK's
        california = client.get(CENTER, params={"jurisdiction": "us-ca"}).text
        assert "Right to know" in california and "Portability" not in california

        access = client.get(CENTER, params={"jurisdiction": "uk", "type": "access"}).text
        assert 'name="email"' in access
        assert f'name="identity.{POSTAL}"' in access and "Postal address" in access
        assert "we also ask for your postcode" in access  # the declaration's own words
        assert 'name="agent_proof"' in access
        portable = client.get(CENTER, params={"jurisdiction": "uk", "type": "portability"}).text
        assert f'name="identity.{POSTAL}"' in portable  # a copy too: the same second check
        # A type the law of the place does not grant falls back to the choice of types.
        know_in_uk = client.get(CENTER, params={"jurisdiction": "uk", "type": "know"}).text
        assert 'name="email"' not in know_in_uk and "What would you like to ask?" in know_in_uk

        fixing = client.get(CENTER, params={"jurisdiction": "us-ca", "type": "correct"}).text
        assert 'name="correction_category_1"' in fixing and 'value="contact.phone"' in fixing
        assert f'name="identity.{POSTAL}"' not in fixing

        objection = client.get(CENTER, params={"jurisdiction": "uk", "type": "objection"}).text
        for activity in ("Preventing payment fraud", "Our newsletter", "Answering your questions"):
            assert activity in objection
        assert "Taking and delivering your orders" not in objection  # a contract: no objection
        withdraw = client.get(CENTER, params={"jurisdiction": "eu", "type": "withdraw_consent"})
        assert 'value="newsletter"' in withdraw.text and 'value="analytics"' in withdraw.text
        assert 'value="fraud"' not in withdraw.text


def test_the_center_speaks_french(center: Center) -> None:
    with center.client() as client:
        asked = client.get(CENTER, params={"lang": "fr", "jurisdiction": "uk"})
        assert asked.headers["content-language"] == "fr"
        text = html.unescape(asked.text)
        assert "Vous vivez ici\u00a0: Royaume-Uni" in text and "Droit d'accès" in text
        browser = client.get(CENTER, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
        assert "Où vivez-vous\u00a0?" in browser.text
        assert 'href="/privacy/requests?lang=en"' in browser.text  # the way back to English


def test_a_known_and_an_unknown_address_get_the_same_answer(center: Center) -> None:
    stranger = f"nobody-{secrets.token_hex(4)}@example.org"
    with center.client() as jane_client, center.client() as stranger_client:
        jane = file_request(
            jane_client, email=DEMO_PERSON, fields={f"identity.{POSTAL}": JANE_POSTCODE}
        )
        other = file_request(
            stranger_client, email=stranger, fields={f"identity.{POSTAL}": "ZZ1 1ZZ"}
        )
        assert jane.status_code == other.status_code == 303
        jane_path, other_path = status_path(jane), status_path(other)
        # Both are sent a code: whoever gave the address learns nothing from the mails either.
        wait_for_code(center.smtp, DEMO_PERSON)
        wait_for_code(center.smtp, stranger)
        assert len(mails_to(center.smtp, DEMO_PERSON)) == len(mails_to(center.smtp, stranger))

        pages = [jane_client.get(jane_path), stranger_client.get(other_path)]
        assert [page.status_code for page in pages] == [200, 200]
        texts = []
        for page, path in zip(pages, (jane_path, other_path), strict=True):
            token = path.split("/status/")[1].split("?")[0]
            text = page.text.replace(token, "TOKEN")
            text = _REFERENCE.sub("REF", text)
            texts.append(text.replace(form_token(page.text), "FORM"))
        assert texts[0] == texts[1]
        assert "If the address you gave is right, a code is on its way" in texts[0]


def test_the_emailed_code_confirms_the_request(center: Center) -> None:
    with center.client() as client:
        filed = file_request(
            client, email=DEMO_PERSON, fields={f"identity.{POSTAL}": JANE_POSTCODE}
        )
        path = status_path(filed)
        code = wait_for_code(center.smtp, DEMO_PERSON)
        page = client.get(path)
        token = form_token(page.text)
        code_action = path.split("?")[0] + "/code"

        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        answer = client.post(code_action, data={"form_token": token, "code": wrong})
        assert answer.status_code == 303 and "said=wrong" in answer.headers["location"]
        assert "That code did not work" in client.get(answer.headers["location"]).text

        answer = client.post(code_action, data={"form_token": token, "code": code})
        assert answer.status_code == 303 and "said=confirmed" in answer.headers["location"]
        confirmed = client.get(answer.headers["location"]).text
        assert "you confirmed that the request comes from you" in confirmed
        assert "You confirmed it is you." in confirmed
        assert 'name="code"' not in confirmed  # no code is asked for any more


def test_a_new_code_can_be_asked_for(center: Center) -> None:
    with center.client() as client:
        path = status_path(
            file_request(client, email=DEMO_PERSON, fields={f"identity.{POSTAL}": JANE_POSTCODE})
        )
        first = wait_for_code(center.smtp, DEMO_PERSON)
        sent = len(mails_to(center.smtp, DEMO_PERSON))
        page = client.get(path)
        answer = client.post(
            path.split("?")[0] + "/resend", data={"form_token": form_token(page.text)}
        )
        assert answer.status_code == 303 and "said=resent" in answer.headers["location"]
        second = wait_for_code(center.smtp, DEMO_PERSON, after=sent)
        assert (
            "If a new code can be sent, it is on its way."
            in client.get(answer.headers["location"]).text
        )
        # The new code replaced the first one.
        code_action = path.split("?")[0] + "/code"
        if first != second:
            stale = client.post(
                code_action, data={"form_token": form_token(page.text), "code": first}
            )
            assert "said=wrong" in stale.headers["location"]
        right = client.post(code_action, data={"form_token": form_token(page.text), "code": second})
        assert "said=confirmed" in right.headers["location"]


def test_posts_from_elsewhere_are_refused_and_file_nothing(center: Center) -> None:
    form = {"jurisdiction": "uk", "type": "erasure", "email": DEMO_PERSON}
    with center.client() as stranger, center.client() as visitor:
        # A page on another site posting straight here: no cookie, no token.
        answer = stranger.post(CENTER, data=form)
        assert answer.status_code == 403 and "Please try again" in answer.text
        # A token copied from someone else's page is worth nothing without their cookie.
        page = visitor.get(CENTER, params={"jurisdiction": "uk", "type": "erasure"})
        copied = {**form, "form_token": form_token(page.text)}
        assert stranger.post(CENTER, data=copied).status_code == 403
        # The visitor's own cookie with a made-up token.
        assert visitor.post(CENTER, data={**form, "form_token": "0" * 64}).status_code == 403
        assert _filed_requests(center) == 0
        assert visitor.post(CENTER, data=copied).status_code == 303
        assert _filed_requests(center) == 1


def test_a_form_with_mistakes_is_shown_again_with_what_to_fix(center: Center) -> None:
    with center.client() as client:
        answer = file_request(client, email="not-an-address", fields={f"identity.{POSTAL}": ""})
        assert answer.status_code == 400
        assert "Give a valid email address" in answer.text
        assert "Fill in: Postal address." in answer.text
        assert 'value="not-an-address"' in answer.text
        fixing = file_request(
            client,
            email=DEMO_PERSON,
            jurisdiction="us-ca",
            type="correct",
            fields={"correction_category_1": "contact.phone", "correction_value_1": ""},
        )
        assert fixing.status_code == 400 and "Say what to correct" in fixing.text
    assert _filed_requests(center) == 0


def test_links_that_do_not_work_all_get_one_vague_page(center: Center) -> None:
    with center.client() as client:
        path = status_path(
            file_request(client, email=DEMO_PERSON, fields={f"identity.{POSTAL}": JANE_POSTCODE})
        )
        token = path.split("/status/")[1].split("?")[0]
        reference = token.split(".")[0]
        altered = token[:-1] + ("A" if token[-1] != "A" else "B")
        key = _links_key()
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        expired = download_token(reference, key=key, expires_at=past)
        unknown = status_token("PLG-2345-6789", key=key)
        bad = [
            client.get(f"{CENTER}/status/nonsense"),
            client.get(f"{CENTER}/status/{altered}"),
            client.get(f"{CENTER}/status/{unknown}"),
            client.get(f"{CENTER}/download/nonsense"),
            client.get(f"{CENTER}/download/{expired}"),
            client.get(f"{CENTER}/download/{token}"),  # a status token is no download token
        ]
        page = client.get(path)
        posted = client.post(
            f"{CENTER}/status/{altered}/code",
            data={"form_token": form_token(page.text), "code": "123456"},
        )
        bad.append(posted)
        assert {answer.status_code for answer in bad} == {404}
        # One page, whatever was wrong; only its link to the other language names the address.
        assert len({_LANGUAGE_LINK.sub("", answer.text) for answer in bad}) == 1
        assert "This link does not work" in bad[0].text
        assert reference not in bad[0].text


def test_the_whole_path_without_a_browser(center: Center) -> None:
    """File, confirm, wait for the answer, then download with a second code."""
    with center.client() as client:
        path = status_path(
            file_request(client, email=DEMO_PERSON, fields={f"identity.{POSTAL}": JANE_POSTCODE})
        )
        code = wait_for_code(center.smtp, DEMO_PERSON)
        page = client.get(path)
        client.post(
            path.split("?")[0] + "/code", data={"form_token": form_token(page.text), "code": code}
        )

        def download_link() -> str | None:
            found = re.search(r'href="(/privacy/requests/download/[^"]+)"', client.get(path).text)
            return found.group(1).replace("&amp;", "&") if found else None

        link = wait_for(download_link, "the package to be ready", seconds=60)
        before = len(mails_to(center.smtp, DEMO_PERSON))
        offer = client.get(link)
        assert offer.status_code == 200 and "we send a code" in offer.text
        sent = client.post(
            link.split("?")[0] + "/send", data={"form_token": form_token(offer.text)}
        )
        assert sent.status_code == 303
        assert "We sent a code to your address" in client.get(sent.headers["location"]).text
        second = wait_for_code(center.smtp, DEMO_PERSON, after=before)

        action = link.split("?")[0]
        wrong = f"{(int(second) + 1) % 1_000_000:06d}"
        refused = client.post(action, data={"form_token": form_token(offer.text), "code": wrong})
        assert refused.status_code == 303 and "said=wrong" in refused.headers["location"]
        got = client.post(action, data={"form_token": form_token(offer.text), "code": second})
        assert got.status_code == 200, got.text
        assert got.headers["content-type"] == "application/zip"
        assert got.headers["content-disposition"].startswith("attachment;")
        assert got.headers["cache-control"] == "no-store"
        names = zipfile.ZipFile(io.BytesIO(got.content)).namelist()
        assert "data.json" in names and "report.html" in names
