"""The published notice over real HTTP: formats, languages and headers."""

from __future__ import annotations

import html

import pytest

from tests.web.live import DEMO_NAME, LiveServer

FRENCH_TITLE = "Prise et livraison de vos commandes"  # the demo's `orders` activity, in French
ENGLISH_TITLE = "Taking and delivering your orders"


def test_privacy_is_the_html_notice(live_server: LiveServer) -> None:
    response = live_server.client.get("/privacy")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = html.unescape(response.text)
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert DEMO_NAME in page
    assert ENGLISH_TITLE in page
    assert response.headers["content-language"] == "en"
    assert "accept-language" in response.headers["vary"].lower()


def test_privacy_md_is_markdown(live_server: LiveServer) -> None:
    response = live_server.client.get("/privacy.md")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/markdown; charset=utf-8"
    assert response.text.lstrip().startswith("#")
    assert "<html" not in response.text.lower()
    assert DEMO_NAME in response.text
    assert ENGLISH_TITLE in response.text
    assert "accept-language" in response.headers["vary"].lower()


@pytest.mark.parametrize("path", ["/privacy", "/privacy.md"])
def test_french_from_accept_language(live_server: LiveServer, path: str) -> None:
    response = live_server.client.get(path, headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert response.headers["content-language"] == "fr"
    assert FRENCH_TITLE in html.unescape(response.text)
    assert ENGLISH_TITLE not in html.unescape(response.text)


def test_lang_query_overrides_header(live_server: LiveServer) -> None:
    response = live_server.client.get("/privacy?lang=en", headers={"Accept-Language": "fr"})
    assert response.headers["content-language"] == "en"
    assert ENGLISH_TITLE in html.unescape(response.text)
    french = live_server.client.get("/privacy?lang=fr", headers={"Accept-Language": "en"})
    assert french.headers["content-language"] == "fr"


@pytest.mark.parametrize(
    ("query", "header"),
    [("", "de-DE,de;q=0.9"), ("?lang=de", ""), ("?lang=zz-top", "it")],
)
def test_unsupported_language_gets_the_first_declared(
    live_server: LiveServer, query: str, header: str
) -> None:
    headers = {"Accept-Language": header} if header else {}
    response = live_server.client.get(f"/privacy{query}", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-language"] == "en"
    assert ENGLISH_TITLE in html.unescape(response.text)


def test_root_redirects_to_the_notice(live_server: LiveServer) -> None:
    response = live_server.client.get("/?lang=fr")
    assert response.status_code in (302, 307)
    assert response.headers["location"] == "/privacy?lang=fr"
    followed = live_server.client.get("/", follow_redirects=True)
    assert followed.status_code == 200
    assert str(followed.url).endswith("/privacy")


@pytest.mark.parametrize("path", ["/privacy", "/privacy.md", "/health", "/api/v1/nope", "/docs"])
def test_security_headers_on_every_response(live_server: LiveServer, path: str) -> None:
    response = live_server.client.get(path)
    policy = response.headers["content-security-policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    assert directives["default-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" in directives["style-src"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_notice_policy_allows_no_script(live_server: LiveServer) -> None:
    policy = live_server.client.get("/privacy").headers["content-security-policy"]
    assert "script-src" not in policy
