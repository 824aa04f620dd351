"""The JSON API, health, OpenAPI and the one error envelope, over real HTTP."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sqlite3
from typing import Any

import httpx
import pytest

from pledge.declaration.load import load_declaration
from tests.web.live import DEMO, LiveServer


def test_declaration_is_published_without_sources(live_server: LiveServer) -> None:
    response = live_server.client.get("/api/v1/declaration")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    published = response.json()
    assert "sources" not in published
    # Nothing from the private section leaks under another name.
    assert "PLEDGE_DEMO_SHOP_URL" not in response.text
    assert "url_env" not in response.text
    expected = load_declaration(DEMO).declaration.model_dump(mode="json", exclude={"sources"})
    assert published == expected


def test_versions_start_with_the_declared_date(live_server: LiveServer) -> None:
    body = live_server.client.get("/api/v1/notice/versions").json()
    assert body["current"] == 1
    [first] = body["versions"]
    assert set(first) == {"number", "effective_date", "recorded_at", "digest", "changes"}
    assert first["number"] == 1
    # The first version keeps the date the demo's notice already showed.
    assert first["effective_date"] == "2026-11-01"
    assert re.fullmatch(r"[0-9a-f]{64}", first["digest"])
    assert first["changes"] == []
    one = live_server.client.get("/api/v1/notice/versions/1")
    assert one.status_code == 200
    assert one.json() == first


def test_health(live_server: LiveServer) -> None:
    response = live_server.client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["declaration"] == str(live_server.declaration)
    assert body["version"] == 1
    assert body["last_reload_error"] is None
    loaded_at = dt.datetime.fromisoformat(body["loaded_at"])
    assert abs(dt.datetime.now(dt.UTC) - loaded_at) < dt.timedelta(minutes=1)


def _assert_envelope(response: Any, status: int) -> dict[str, Any]:
    """The one error shape, exactly: nothing more, nothing less."""
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["error"]
    error: dict[str, Any] = body["error"]
    assert list(error) == ["status", "message", "hint"]
    assert error["status"] == status
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["hint"], str)
    return error


def test_unknown_route_gets_the_envelope(live_server: LiveServer) -> None:
    error = _assert_envelope(live_server.client.get("/api/v1/nothing-here"), 404)
    assert error["message"] == "Not Found"
    assert "/docs" in error["hint"]


def test_pledge_error_gets_the_envelope(live_server: LiveServer) -> None:
    # get_version raises pledge.errors.NotFound; its status_code (404) decides the answer.
    error = _assert_envelope(live_server.client.get("/api/v1/notice/versions/99"), 404)
    assert error["message"] == "there is no notice version 99"
    assert error["hint"] == "versions 1 to 1 exist"


def test_invalid_request_gets_the_envelope(live_server: LiveServer) -> None:
    error = _assert_envelope(live_server.client.get("/api/v1/notice/versions/first"), 422)
    assert "number" in error["message"]
    assert "integer" in error["message"]


def test_wrong_method_gets_the_envelope(live_server: LiveServer) -> None:
    response = live_server.client.post("/api/v1/declaration")
    error = _assert_envelope(response, 405)
    assert error["message"] == "Method Not Allowed"
    assert response.headers["allow"] == "GET"


def test_an_internal_failure_gets_the_envelope(fresh_server: LiveServer) -> None:
    # Damage the store under the running server: its next read of versions fails.
    store = fresh_server.declaration.with_name("store.db")
    with contextlib.closing(sqlite3.connect(store)) as database:
        database.execute("DROP TABLE notice_versions")
    response = fresh_server.client.get("/api/v1/notice/versions")
    error = _assert_envelope(response, 500)
    assert error["message"] == "internal error"
    assert "notice_versions" not in response.text, "no internals reach the client"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" in response.headers
    # The server goes on serving what it holds in memory (on a new connection: uvicorn
    # closes the one where the application failed).
    assert httpx.get(f"{fresh_server.url}/privacy").status_code == 200


def test_openapi_describes_the_api(live_server: LiveServer) -> None:
    spec = live_server.client.get("/openapi.json").json()
    assert spec["info"]["title"] == "Pledge"
    assert spec["info"]["version"]
    tags = {tag["name"] for tag in spec["tags"]}
    assert {"notice", "declaration", "versions", "health", "requests"} <= tags
    paths = spec["paths"]
    for path in ("/privacy", "/privacy.md", "/api/v1/declaration", "/api/v1/notice/versions"):
        assert path in paths
    assert "/health" in paths
    assert "/" not in paths
    schemas = spec["components"]["schemas"]
    public = schemas["PublicDeclaration"]["properties"]
    assert "organisation" in public
    assert "sources" not in public
    assert {"number", "effective_date", "digest", "changes"} <= set(
        schemas["NoticeVersionOut"]["properties"]
    )
    assert "last_reload_error" in schemas["Health"]["properties"]
    errors = paths["/api/v1/notice/versions/{number}"]["get"]["responses"]
    for status in ("404", "422"):
        schema = errors[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}


@pytest.mark.parametrize("path", ["/privacy", "/privacy.md"])
def test_openapi_gives_the_notice_media_types(live_server: LiveServer, path: str) -> None:
    spec = live_server.client.get("/openapi.json").json()
    content = spec["paths"][path]["get"]["responses"]["200"]["content"]
    expected = "text/html" if path == "/privacy" else "text/markdown"
    assert list(content) == [expected]


def test_docs_page(live_server: LiveServer) -> None:
    response = live_server.client.get("/docs")
    assert response.status_code == 200
    assert "swagger-ui" in response.text
    assert "/openapi.json" in response.text
    assert "cdn.jsdelivr.net" in response.headers["content-security-policy"]
