"""The plan page: what Pledge would run for a request's person, read from the company's
live databases, and a plain message when one of them cannot be reached."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from pledge.auth.roles import Role
from pledge.demo import CRM_URL_ENV, DEMO_PERSON, SHOP_URL_ENV
from tests.demo.generated import close, generate
from tests.web.console import serving_console


def _pre(page: str) -> str:
    found = re.search(r"<pre>(.*?)</pre>", page, re.DOTALL)
    assert found, "the page shows no plan"
    return html.unescape(found.group(1))


def _error(page: str) -> str:
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', page, re.DOTALL)
    assert found, "the page shows no problem"
    return html.unescape(found.group(1))


def test_the_plan_is_explained_from_the_live_schemas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop, crm = f"sqlite:///{tmp_path / 'shop.db'}", f"sqlite:///{tmp_path / 'crm.db'}"
    close(generate(shop, crm, scale=25))
    monkeypatch.setenv(SHOP_URL_ENV, shop)
    monkeypatch.setenv(CRM_URL_ENV, crm)
    with serving_console(tmp_path) as console:
        ref = console.file(type="access", jurisdiction="uk", email=DEMO_PERSON)
        viewer = console.signed_in("vera", Role.VIEWER)

        page = viewer.page(f"/admin/requests/{ref}/plan")

    plan = _pre(page)
    assert plan.startswith(f"Plan for email={DEMO_PERSON}")
    assert "shop (sqlite)" in plan and "crm (sqlite)" in plan
    assert "SELECT" in plan and "customers" in plan
    assert f'href="/admin/requests/{ref}"' in page


def test_a_source_that_cannot_be_reached_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crm = f"sqlite:///{tmp_path / 'crm.db'}"
    close(generate(f"sqlite:///{tmp_path / 'shop.db'}", crm, scale=25))
    # A database file in a folder that does not exist: SQLite cannot open it.
    monkeypatch.setenv(SHOP_URL_ENV, f"sqlite:///{tmp_path / 'gone' / 'shop.db'}")
    monkeypatch.setenv(CRM_URL_ENV, crm)
    with serving_console(tmp_path) as console:
        ref = console.file(email=DEMO_PERSON)
        officer = console.signed_in("olive", Role.PRIVACY_OFFICER)

        response = officer.client.get(f"/admin/requests/{ref}/plan")

    assert response.status_code == 200
    problem = _error(response.text)
    assert problem.startswith("The plan could not be built: source 'shop' could not be reached:")
    assert "unable to open database file" in problem
    assert "crm" not in problem
    assert "<pre>" not in response.text


def test_a_source_without_its_url_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SHOP_URL_ENV, raising=False)
    monkeypatch.delenv(CRM_URL_ENV, raising=False)
    with serving_console(tmp_path) as console:
        ref = console.file(email=DEMO_PERSON)
        viewer = console.signed_in("vera", Role.VIEWER)

        page = viewer.page(f"/admin/requests/{ref}/plan")

    assert f"the environment variable {SHOP_URL_ENV} is not set" in _error(page)
    assert f"Export {SHOP_URL_ENV}=" in page
