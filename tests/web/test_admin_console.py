"""The console's request pages, read through a real server: the list, its order and
filters, one request with its timeline, jobs and proof, and who may see them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from pledge.auth.roles import Role
from pledge.rights.delivery import store_result
from pledge.store.tables import JobRow
from tests.web.console import Console, listed, serving_console


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with serving_console(tmp_path) as served:
        yield served


def _row(page: str, ref: str) -> str:
    found = re.search(rf'<tr class="[^"]*" data-ref="{ref}">.*?</tr>', page, re.DOTALL)
    assert found, f"{ref} is not listed"
    return found.group(0)


def test_the_list_puts_overdue_requests_first_and_flags_them(console: Console) -> None:
    # Under the CCPA a request to know is due 45 calendar days after it was received.
    fresh = console.file(email="carl@example.com", days_ago=0)
    closed = console.file(email="dora@example.com", days_ago=70)
    console.move(closed, "identity_pending", "denied", note="manifestly unfounded")
    stopped = console.file(type="access", jurisdiction="uk", email="eve@example.com")
    soon = console.file(email="bob@example.com", days_ago=40)
    late = console.file(email="ann@example.com", days_ago=60)
    viewer = console.signed_in("vera", Role.VIEWER)

    page = viewer.page("/admin")

    assert listed(page) == [late, soon, fresh, stopped, closed]
    assert "OVERDUE" in _row(page, late)
    assert "15 days overdue" in _row(page, late)
    assert "DUE SOON" in _row(page, soon)
    assert "5 days left" in _row(page, soon)
    assert "Request to know" in _row(page, soon)
    assert "OVERDUE" not in _row(page, fresh) and "DUE SOON" not in _row(page, fresh)
    assert "clock stopped" in _row(page, stopped)
    assert "closed" in _row(page, closed)
    # Counts per state, whatever the filters.
    assert '<span data-state="received">4</span>' in page
    assert '<span data-state="denied">1</span>' in page


def test_the_filters_narrow_the_list(console: Console) -> None:
    late = console.file(email="ann@example.com", days_ago=60)
    soon = console.file(email="Bob.Smith@Example.com", days_ago=40)
    fresh = console.file(email="carl@example.com")
    access = console.file(type="access", jurisdiction="uk", email="eve@example.com")
    denied = console.file(email="dora@example.com")
    console.move(denied, "identity_pending", "denied", note="a duplicate")
    viewer = console.signed_in("vera", Role.VIEWER)

    def shown(**query: str) -> list[str]:
        return listed(viewer.page("/admin?" + "&".join(f"{k}={v}" for k, v in query.items())))

    assert shown(state="denied") == [denied]
    assert shown(overdue="1") == [late]
    assert shown(due_soon="1") == [late, soon]
    assert shown(type="access") == [access]
    assert shown(type="know", state="received") == [late, soon, fresh]
    assert shown(email="bob.SMITH") == [soon]
    assert shown(email="%") == []  # a LIKE wildcard is matched as itself
    page = viewer.page("/admin?state=lost")
    assert "There is no state &#39;lost&#39;: showing every state." in page
    assert len(listed(page)) == 5


def test_the_request_page_shows_the_timeline_the_jobs_and_the_proof(console: Console) -> None:
    ref = console.file(type="delete", email="ann@example.com", days_ago=3)
    console.move(ref, "identity_pending", "verified", "running")
    now = dt.datetime.now(dt.UTC)
    summary = {
        "found": True,
        "tables": {
            "shop.customers": {"deleted": 1, "anonymised": 0, "held": 0, "shared": 0},
            "shop.orders": {"deleted": 0, "anonymised": 3, "held": 2, "shared": 0},
        },
        "kept": [
            {
                "source": "shop",
                "table": "orders",
                "rules": ["tax_records"],
                "until": "2032-04-05",
                "required_by": ["HMRC: six years of accounting records"],
            }
        ],
        "recipients": ["mailer"],
        "check": ["nothing identifiable remains outside the legal holds"],
    }
    with console.store.session(write=True) as session:
        store_result(session, ref, summary=summary, package=None, key=console.keys.package, now=now)
        session.add(
            JobRow(
                kind="request.erase_source",
                ref=f"{ref}:shop",
                state="failed",
                attempts=5,
                run_after=now,
                created_at=now,
                finished_at=now,
                last_error="gave up after 5 attempts: OperationalError: database is locked",
            )
        )
    viewer = console.signed_in("vera", Role.VIEWER)

    page = viewer.page(f"/admin/requests/{ref}")

    assert f"<h1>{ref}</h1>" in page
    assert "Request to delete" in page
    # The timeline, oldest first, with who did what.
    timeline = page[page.index('id="timeline"') : page.index('id="result"')]
    assert timeline.index("received") < timeline.index("waiting for identity → identity confirmed")
    assert "identity confirmed → running" in timeline
    assert "test" in timeline
    # The jobs: the acknowledgement queued at filing, and the one that failed for a source.
    jobs = page[page.index('id="jobs"') :]
    assert "request.acknowledge" in jobs and "pending" in jobs
    assert f"{ref}:shop" in jobs
    assert "OperationalError: database is locked" in jobs
    # The proof of the erasure.
    result = page[page.index('id="result"') : page.index('id="recipients"')]
    assert "shop.customers" in result and "shop.orders" in result
    assert "kept under a legal hold" in result
    assert "tax_records" in result and "2032-04-05" in result and "HMRC" in result
    assert "Re-check after erasure" in result
    assert "nothing identifiable remains outside the legal holds" in result
    assert "Recipients to tell: mailer." in result
    assert "Show the plan" in page


def test_the_request_page_shows_an_objections_grounds_escaped(console: Console) -> None:
    grounds = "My <b>employer</b> reads your fraud alerts.\nThey cost me a job & more."
    ref = console.file(
        type="objection",
        jurisdiction="uk",
        approval_required=True,
        details={"activities": ["fraud"], "grounds": grounds},
    )
    console.move(ref, "identity_pending", "verified", "awaiting_approval")
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)

    page = officer.page(f"/admin/requests/{ref}")

    fields = page[page.index('id="fields"') : page.index('id="plan"')]
    assert "<dt>Details: grounds</dt>" in fields
    # Weighed before approving: shown as written, line breaks kept, never as markup.
    assert (
        '<dd style="white-space: pre-line">My &lt;b&gt;employer&lt;/b&gt; reads your fraud '
        "alerts.\nThey cost me a job &amp; more.</dd>"
    ) in fields
    assert "<b>employer" not in page
    assert 'action="/admin/requests/' + ref + '/approve"' in page


def test_a_reference_typed_loosely_leads_to_the_request(console: Console) -> None:
    ref = console.file()
    viewer = console.signed_in("vera", Role.VIEWER)

    loose = ref.lower().replace("plg-", "").replace("-", "")
    response = viewer.client.get(f"/admin/requests/{loose}")

    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/requests/{ref}"


def test_an_unknown_request_is_a_page_saying_so(console: Console) -> None:
    viewer = console.signed_in("vera", Role.VIEWER)

    for path in ("/admin/requests/PLG-0000-0000", "/admin/requests/not-a-reference!"):
        response = viewer.client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "There is no request" in response.text


def test_without_signing_in_the_pages_send_the_browser_to_the_login(console: Console) -> None:
    ref = console.file()
    with console.client() as anonymous:
        for path in ("/admin", f"/admin/requests/{ref}", f"/admin/requests/{ref}/plan"):
            response = anonymous.get(path)
            assert response.status_code == 303
            assert response.headers["location"].startswith("/admin/login?next=/admin")
        assert ref not in anonymous.get("/admin").text


def test_the_console_pages_carry_the_staff_policy_and_no_script(console: Console) -> None:
    ref = console.file()
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)

    for path in ("/admin", f"/admin/requests/{ref}", f"/admin/requests/{ref}/plan"):
        response = officer.client.get(path)
        assert response.status_code == 200
        assert "form-action 'self'" in response.headers["content-security-policy"]
        assert "script-src" not in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-store"
        assert "<script" not in response.text
