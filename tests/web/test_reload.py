"""Reloading the declaration while a real server runs: on file edits, refused when broken."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from babel.dates import format_date

from tests.web.live import DEMO_NAME, LiveServer, edit, wait_for

NEW_NAME = "Rowan Print Co"
ORG_NAME_LINE = f"name: {DEMO_NAME}\n"  # the organisation's; the first line with this text


def _health(server: LiveServer) -> dict[str, Any]:
    body: dict[str, Any] = server.client.get("/health").json()
    return body


def _when_notice_shows(server: LiveServer, text: str) -> str | None:
    page = server.client.get("/privacy.md").text
    return page if text in page else None


def test_an_edit_is_served_without_restart(fresh_server: LiveServer) -> None:
    before = fresh_server.client.get("/privacy.md").text
    assert DEMO_NAME in before
    assert "Last updated: 1 November 2026" in before  # the demo's declared date, version 1

    edit(fresh_server.declaration, ORG_NAME_LINE, f"name: {NEW_NAME}\n")

    wait_for(lambda: _when_notice_shows(fresh_server, NEW_NAME), "the new name")
    health = _health(fresh_server)
    assert health["version"] == 2
    assert health["status"] == "ok"

    versions = fresh_server.client.get("/api/v1/notice/versions").json()
    assert versions["current"] == 2
    assert [v["number"] for v in versions["versions"]] == [1, 2]
    first, second = versions["versions"]
    assert first["digest"] != second["digest"]
    assert second["effective_date"] == dt.datetime.now(dt.UTC).date().isoformat()
    assert second["changes"], "a meaningful edit lists what changed"
    # The notice's "last updated" is the date the store gave the new version.
    shown = format_date(dt.date.fromisoformat(second["effective_date"]), "long", locale="en_GB")
    assert f"Last updated: {shown}" in fresh_server.client.get("/privacy.md").text
    assert fresh_server.client.get("/api/v1/declaration").json()["organisation"]["name"] == NEW_NAME


def test_a_comment_only_edit_records_no_version(fresh_server: LiveServer) -> None:
    loaded_at = _health(fresh_server)["loaded_at"]
    edit(fresh_server.declaration, "pledge: 1\n", "pledge: 1\n# reviewed by legal, no change\n")

    health = wait_for(
        lambda: h if (h := _health(fresh_server))["loaded_at"] != loaded_at else None,
        "the reload after a comment edit",
    )
    assert health["version"] == 1
    versions = fresh_server.client.get("/api/v1/notice/versions").json()["versions"]
    assert [v["number"] for v in versions] == [1]


def test_a_broken_edit_keeps_the_old_notice(
    fresh_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pledge.web")
    path = fresh_server.declaration
    line = path.read_text(encoding="utf-8").splitlines().index("  country: GB") + 1
    edit(path, "  country: GB\n", "  country: Great Britain\n")

    health = wait_for(
        lambda: h if (h := _health(fresh_server))["last_reload_error"] else None,
        "the refused reload to show in /health",
    )
    assert health["status"] == "reload_failed"
    assert health["version"] == 1
    problems = health["last_reload_error"]["problems"]
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:{line}:")
    assert "country" in problems[0]
    # The log says the same, one line per problem.
    assert any(problems[0] in record.getMessage() for record in caplog.records)

    page = fresh_server.client.get("/privacy.md")
    assert page.status_code == 200
    assert DEMO_NAME in page.text

    # Repairing the file (and changing the name) publishes again and clears the error.
    edit(path, "  country: Great Britain\n", "  country: GB\n")
    edit(path, ORG_NAME_LINE, f"name: {NEW_NAME}\n")
    wait_for(lambda: _when_notice_shows(fresh_server, NEW_NAME), "the repaired declaration")
    health = wait_for(
        lambda: h if (h := _health(fresh_server))["last_reload_error"] is None else None,
        "the reload error to clear",
    )
    assert health["status"] == "ok"
    assert health["version"] == 2


def test_a_deleted_file_keeps_the_old_notice(fresh_server: LiveServer) -> None:
    fresh_server.declaration.unlink()
    health = wait_for(
        lambda: h if (h := _health(fresh_server))["last_reload_error"] else None,
        "the refused reload of a missing file",
    )
    assert "no such file" in health["last_reload_error"]["problems"][0]
    assert DEMO_NAME in fresh_server.client.get("/privacy.md").text
