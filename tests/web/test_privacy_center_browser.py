"""The whole path in a real Chromium, as a person takes it: the form, the code from the mail,
the wait for the answer, the download with a second code, and the data in the zip."""

from __future__ import annotations

import csv
import io
import json
import os
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.center import (
    CENTER,
    DEMO_PERSON,
    JANE_POSTCODE,
    Center,
    mails_to,
    serving_center,
    wait_for_code,
)
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

ANSWER_SECONDS = 90


@pytest.fixture
def center(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Center]:
    with serving_center(tmp_path, monkeypatch) as served:
        yield served


def test_a_person_asks_for_their_data_and_downloads_it(center: Center, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        message = f"NO BROWSER: {CHROMIUM} is missing (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    complaints: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="en-GB", accept_downloads=True)
            page = context.new_page()
            # A Content-Security-Policy refusal (a blocked form post, say) shows as an error.
            page.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)

            page.goto(f"{center.url}{CENTER}")
            expect(page.get_by_role("heading", name="Where do you live?")).to_be_visible()
            page.get_by_role("link", name="United Kingdom").click()
            page.get_by_role("link", name="Access").click()
            page.get_by_label("Your email address", exact=True).fill(DEMO_PERSON)
            page.get_by_label("Postal address").fill(JANE_POSTCODE)
            page.get_by_role("button", name="Send my request").click()

            expect(page.get_by_text("a code is on its way")).to_be_visible()
            status_url = page.url
            code = wait_for_code(center.smtp, DEMO_PERSON)
            page.get_by_label("Your code").fill(code)
            page.get_by_role("button", name="Confirm").click()
            expect(
                page.get_by_text("you confirmed that the request comes from you")
            ).to_be_visible()

            # The server's job runner answers the request; the person reloads until it is done.
            link = page.get_by_role("link", name="Download your data")
            deadline = time.monotonic() + ANSWER_SECONDS
            while link.count() == 0:
                assert time.monotonic() < deadline, "the request was not answered in time"
                time.sleep(1)
                page.goto(status_url)
            expect(page.locator("#state")).to_have_text("Done")
            sent_before = len(mails_to(center.smtp, DEMO_PERSON))
            link.click()

            page.get_by_role("button", name="Send me a code").click()
            expect(page.get_by_text("We sent a code to your address")).to_be_visible()
            second = wait_for_code(center.smtp, DEMO_PERSON, after=sent_before)
            page.get_by_label("Your code").fill(second)
            with page.expect_download() as started:
                page.get_by_role("button", name="Download").click()
            saved = tmp_path / started.value.suggested_filename
            started.value.save_as(saved)
        finally:
            browser.close()

    assert complaints == [], f"the browser reported errors: {complaints}"
    assert saved.name.endswith(".zip")
    _check_package(saved)


def _check_package(path: Path) -> None:
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        assert "data.json" in names and "report.html" in names
        assert any(name.endswith(".xlsx") for name in names), names
        tables = [name for name in names if name.endswith(".csv")]
        assert tables, names
        data = json.loads(package.read("data.json"))
        assert DEMO_PERSON in json.dumps(data)
        customers = next(name for name in tables if name.endswith("customers.csv"))
        rows = list(csv.DictReader(io.StringIO(package.read(customers).decode("utf-8-sig"))))
        assert [row["email"] for row in rows] == [DEMO_PERSON]
        assert "Jane Doe" in package.read("report.html").decode("utf-8")
