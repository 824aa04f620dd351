"""The console in a real Chromium: sign in, open a request from the list, deny it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pledge.auth.roles import Role
from tests.web.console import PASSWORD, Console, serving_console

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]

pytestmark = pytest.mark.browser


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with serving_console(tmp_path) as served:
        yield served


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"NO BROWSER: {CHROMIUM} is missing (apt-get install -y chromium, or scripts/setup)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def test_an_officer_denies_a_request_in_the_browser(console: Console, tmp_path: Path) -> None:
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    other = console.file(email="bob@example.com", days_ago=2)
    ref = console.file(email="ann@example.com", days_ago=60)
    console.move(ref, "identity_pending")
    console.add_user("olive", Role.PRIVACY_OFFICER)
    reason = "We hold no account for this address and it asked three times today."
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(locale="en-GB", viewport={"width": 1280, "height": 900})
            # A Content-Security-Policy refusal shows as a console error.
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

            page.goto(f"{console.url}/admin")
            expect(page).to_have_url(f"{console.url}/admin/login?next=/admin")
            page.get_by_label("Username").fill("olive")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()

            expect(page.get_by_role("heading", name="Requests")).to_be_visible()
            rows = page.locator("tbody tr")
            expect(rows).to_have_count(2)
            # Overdue first, and flagged.
            expect(rows.first).to_contain_text(ref)
            expect(rows.first).to_contain_text("OVERDUE")
            expect(rows.nth(1)).to_contain_text(other)

            page.get_by_role("link", name=ref).click()
            expect(page.get_by_role("heading", name=ref)).to_be_visible()
            page.get_by_label("Reason for the denial (mailed to the person)").fill(reason)
            page.get_by_role("button", name="Deny").click()

            expect(page).to_have_url(f"{console.url}/admin/requests/{ref}")
            expect(page.get_by_role("status")).to_contain_text("Denied.")
            expect(page.get_by_role("heading", name="Actions")).to_have_count(0)
            page.screenshot(path=str(tmp_path / "denied.png"), full_page=True)
        finally:
            browser.close()

    assert errors == []
    row = console.request(ref)
    assert row.state == "denied"
    assert row.outcome == reason
    [denied] = [e for e in console.events(ref, "state") if e.to_state == "denied"]
    assert denied.actor == "staff:olive"
