"""The notice in a real Chromium: it renders, its headings show, the CSP blocks nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.web.live import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
MIN_SCREENSHOT_BYTES = 20_000

pytestmark = pytest.mark.browser


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"NO BROWSER: {CHROMIUM} is missing (apt-get install -y chromium, or scripts/setup)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def test_notice_renders_in_chromium(live_server: LiveServer, tmp_path: Path) -> None:
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    screenshot = tmp_path / "privacy.png"
    blocked: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="en-GB", viewport={"width": 1280, "height": 900})
            # A Content-Security-Policy refusal shows as a console error.
            page.on(
                "console", lambda msg: blocked.append(msg.text) if msg.type == "error" else None
            )
            response = page.goto(f"{live_server.url}/privacy")
            assert response is not None
            assert response.ok
            assert response.headers["content-language"] == "en"

            title = page.locator("h1")
            expect(title).to_have_count(1)
            expect(title).to_be_visible()
            expect(title).to_have_text("Privacy notice")
            expect(page.get_by_role("heading", name="Who we are")).to_be_visible()
            # The notice's inline CSS got past the Content-Security-Policy and applied.
            styled = page.evaluate(
                "() => [...document.querySelectorAll('style')]"
                ".every(s => s.sheet !== null && s.sheet.cssRules.length > 0)"
            )
            assert styled, "an inline <style> of the notice was not applied"
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()

    assert blocked == [], f"the browser reported errors: {blocked}"
    assert screenshot.exists()
    assert screenshot.stat().st_size > MIN_SCREENSHOT_BYTES
