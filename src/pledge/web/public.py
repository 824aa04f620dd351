"""The published privacy notice, as HTML for people and Markdown for tools."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from pledge.web.language import choose_language
from pledge.web.state import DeclarationHolder, NoticeFormat

LangQuery = Annotated[
    str | None,
    Query(
        description="Language of the notice, e.g. `fr`. An unsupported one falls back to the "
        "Accept-Language header, then to the organisation's first language.",
        max_length=35,
    ),
]


class MarkdownResponse(PlainTextResponse):
    media_type = "text/markdown"


def public_routes(holder: DeclarationHolder) -> APIRouter:
    router = APIRouter(tags=["notice"])

    @router.get("/", include_in_schema=False)
    def home(request: Request) -> RedirectResponse:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/privacy{query}")

    @router.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        # Browsers ask for it on every visit; "nothing here" beats a 404 in each log.
        return Response(status_code=204)

    @router.get("/privacy", response_class=HTMLResponse, summary="The privacy notice (HTML)")
    def privacy_html(request: Request, lang: LangQuery = None) -> Response:
        return _notice(holder, request, lang, "html", HTMLResponse)

    @router.get("/privacy.md", response_class=MarkdownResponse, summary="The notice (Markdown)")
    def privacy_markdown(request: Request, lang: LangQuery = None) -> Response:
        return _notice(holder, request, lang, "md", MarkdownResponse)

    return router


def _notice(
    holder: DeclarationHolder,
    request: Request,
    asked: str | None,
    fmt: NoticeFormat,
    response_class: type[HTMLResponse | PlainTextResponse],
) -> Response:
    published = holder.current  # one snapshot for the whole answer, even if a reload lands
    declared = published.declaration.organisation.languages
    lang = choose_language(asked, request.headers.get("accept-language"), declared)
    headers = {"Content-Language": lang, "Vary": "Accept-Language"}
    return response_class(published.notice(fmt, lang), headers=headers)
