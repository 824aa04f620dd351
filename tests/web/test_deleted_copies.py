"""A person's copy deleted from the store (its link expired, or their data was erased since):
the status page says so instead of offering a download, and the console says when the offer
ended. Read through a real server; the copies are deleted by pledge.rights.package_expiry, as
the sweep and an erasure delete them, on the store's real clock."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from pledge.auth.roles import Role
from pledge.rights.delivery import DOWNLOAD_DAYS, status_token, store_result
from pledge.rights.package_expiry import delete_erased, delete_expired
from pledge.web.privacy_center_view import day_in_words
from tests.web.center import CENTER
from tests.web.console import Console, serving_console

DONE = ("identity_pending", "verified", "running", "completed")


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with serving_console(tmp_path) as served:
        yield served


def _answered(console: Console, *, days_ago: int, email: str = "ann@example.com") -> str:
    """An access request answered `days_ago` days ago with a package; its reference."""
    made = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    ref = console.file(type="access", jurisdiction="uk", email=email, days_ago=days_ago + 1)
    console.move(ref, *DONE)
    with console.store.session(write=True) as session:
        store_result(
            session,
            ref,
            summary={"found": True, "tables": {"shop.customers": [1, 0]}},
            package=b"PK a zip of the person's data",
            key=console.keys.package,
            now=made,
        )
    return ref


def _status(console: Console, ref: str, lang: str) -> str:
    token = status_token(ref, key=console.keys.links)
    with console.client() as client:
        page = client.get(f"{CENTER}/status/{token}", params={"lang": lang})
    assert page.status_code == 200, page.text
    return html.unescape(page.text)


def _copy_line(page: str) -> str:
    found = re.search(r"Their copy: (.*?)\.</p>", html.unescape(page), re.DOTALL)
    assert found, "the result says nothing of the person's copy"
    return found.group(1)


def test_the_status_page_says_an_expired_copy_was_deleted(console: Console) -> None:
    offered = _answered(console, days_ago=DOWNLOAD_DAYS - 1)
    expired = _answered(console, days_ago=DOWNLOAD_DAYS + 2, email="bob@example.com")
    ended = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).date()
    assert "was deleted" not in _status(console, expired, "en")  # expired, not deleted yet
    with console.store.session(write=True) as session:
        assert delete_expired(session, now=dt.datetime.now(dt.UTC), actor="test") == [expired]

    english = _status(console, expired, "en")
    french = _status(console, expired, "fr")

    said = f"Your copy expired on {day_in_words(ended, 'en', 'uk')} and was deleted."
    assert said in english
    assert "/privacy/requests/download/" not in english
    assert "Download your data" not in english
    dit = f"Votre copie a expiré le {day_in_words(ended, 'fr', 'uk')} et a été supprimée."
    assert dit in french
    assert "/privacy/requests/download/" not in french
    still = _status(console, offered, "en")
    assert "/privacy/requests/download/" in still and "was deleted" not in still


def test_the_console_says_when_the_offer_of_a_deleted_copy_ended(console: Console) -> None:
    hers = _answered(console, days_ago=3)
    his = _answered(console, days_ago=3, email="bob@example.com")
    erasure = console.file(type="erasure", jurisdiction="uk", email="ANN@example.com")
    console.move(erasure, *DONE)
    now = dt.datetime.now(dt.UTC)
    with console.store.session(write=True) as session:
        assert delete_erased(session, now=now, actor="test") == [hers]
    viewer = console.signed_in("vera", Role.VIEWER)

    assert _copy_line(viewer.page(f"/admin/requests/{hers}")).startswith(
        f"deleted {now:%Y-%m-%d} (offer ended)"
    )
    kept = _copy_line(viewer.page(f"/admin/requests/{his}"))
    assert kept.startswith("a sealed package, offered until") and "deleted" not in kept
