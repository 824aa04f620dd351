"""Rendering the privacy center's pages: templates, language links, the form cookie, headers.

Every page is HTML with inline CSS and no script, under the server's Content-Security-Policy.
Pages about a request carry personal facts, so none is stored by a browser or a proxy
(Cache-Control: no-store), and none is indexed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from pledge.web.form_guard import (
    browser_id,
    form_key,
    form_token,
    new_browser_id,
    remember_browser,
)
from pledge.web.privacy_center_words import LANGUAGE_NAMES, Words
from pledge.web.security import NOTICE_POLICY
from pledge.web.state import DeclarationHolder

CENTER_PATH = "/privacy/requests"
# The notice's policy, but forms may post to this site (the SecurityHeaders middleware
# keeps a policy a response sets itself).
CENTER_POLICY = NOTICE_POLICY.replace("form-action 'none'", "form-action 'self'")
NO_STORE = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": CENTER_POLICY,
}

_ENVIRONMENT = Environment(
    loader=PackageLoader("pledge.web", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class LanguageLink:
    href: str
    code: str
    name: str


def center_url(path: str = "", lang: str | None = None, **query: str) -> str:
    """An address in the center, keeping the language the person reads in."""
    params = {key: value for key, value in query.items() if value}
    if lang:
        params["lang"] = lang
    suffix = f"?{urlencode(params)}" if params else ""
    return f"{CENTER_PATH}{path}{suffix}"


class Pages:
    """Renders the center's pages for one request, in one language."""

    def __init__(
        self, holder: DeclarationHolder, request: Request, lang: str, languages: list[str]
    ) -> None:
        self.holder = holder
        self.request = request
        self.lang = lang
        self.languages = languages
        self.words = Words(lang)
        # Reuse the browser's id; a page shown to a browser without one gives it one.
        self.browser = browser_id(request) or new_browser_id()

    @property
    def form_key(self) -> bytes:
        return form_key(self.holder.services.keys.links)

    def render(self, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        declaration = self.holder.current.declaration
        body = _ENVIRONMENT.get_template(f"privacy_center/{template}").render(
            w=self.words,
            lang=self.lang,
            company=declaration.organisation.name,
            other_languages=self._other_languages(),
            notice_href=f"/privacy?{urlencode({'lang': self.lang})}",
            form_token=form_token(self.form_key, self.browser),
            **context,
        )
        headers = {**NO_STORE, "Content-Language": self.lang, "Vary": "Accept-Language, Cookie"}
        response = HTMLResponse(body, status_code=status, headers=headers)
        remember_browser(response, self.request, self.browser, path=CENTER_PATH)
        return response

    def message(
        self,
        status: int,
        title_key: str,
        text_key: str,
        *,
        back: tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        **fields: object,
    ) -> HTMLResponse:
        """A page that only says something: a dead link, too many tries, a stale form."""
        back_href, back_label = back or (center_url(lang=self.lang), self.words("new_request"))
        response = self.render(
            "message.html.j2",
            status=status,
            title=self.words(title_key),
            message=self.words(text_key, **fields),
            back_href=back_href,
            back_label=back_label,
        )
        response.headers.update(headers or {})
        return response

    def bad_link(self) -> HTMLResponse:
        """One page for every link that is not valid: mistyped, altered, expired or unknown."""
        return self.message(404, "bad_link_title", "bad_link_text")

    def stale_form(self) -> HTMLResponse:
        return self.message(403, "form_expired_title", "form_expired_text")

    def too_many(self, retry_after: int) -> HTMLResponse:
        minutes = max(1, -(-retry_after // 60))
        return self.message(
            429,
            "too_many_title",
            "too_many_text",
            headers={"Retry-After": str(max(1, retry_after))},
            minutes=minutes,
        )

    def redirect(self, url: str) -> Response:
        """After a post, the page to show next (303: the browser fetches it with GET)."""
        return RedirectResponse(url, status_code=303, headers=NO_STORE)

    def _other_languages(self) -> list[LanguageLink]:
        links = []
        for code in self.languages:
            if code == self.lang:
                continue
            query = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
            query.append(("lang", code))
            href = f"{self.request.url.path}?{urlencode(query)}"
            # Posts are not repeated: a language link on a page answering one leads to the start.
            if self.request.method != "GET":
                href = center_url(lang=code)
            links.append(LanguageLink(href, code, LANGUAGE_NAMES.get(code, code)))
        return links
