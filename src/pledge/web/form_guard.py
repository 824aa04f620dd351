"""Guarding the privacy center's forms against cross-site posts, for people with no login.

The design is a signed double submit. The browser gets a random id in a cookie that is
HttpOnly and SameSite=Strict; each form carries a hidden field with HMAC(key, that id).
A post counts only when the field matches the cookie it came with.

Why this and not a signed token alone: the forms are anonymous, so anyone can fetch a
page and copy a valid token into a form on their own site; binding the token to a cookie
that browsers never send on a cross-site post (SameSite=Strict) makes that copy worthless.
Why signed and not the bare cookie value in the field: someone able to plant a cookie for
our site (from a sibling subdomain, say) still cannot forge the field without the key.
The key is derived from the download-link key with its own label, so it opens nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "pledge_form"
FIELD = "form_token"
_LABEL = b"pledge privacy center forms"
_BROWSER_ID = re.compile(r"[A-Za-z0-9_-]{32,64}")


def form_key(links_key: bytes) -> bytes:
    """The key of form tokens, separate from the key it is derived from."""
    return hmac.new(links_key, _LABEL, hashlib.sha256).digest()


def browser_id(request: Request) -> str | None:
    """The id this browser was given, if it sent a well-formed one."""
    value = request.cookies.get(COOKIE, "")
    return value if _BROWSER_ID.fullmatch(value) else None


def new_browser_id() -> str:
    return secrets.token_urlsafe(32)


def form_token(key: bytes, browser: str) -> str:
    """The hidden field for a browser: forms it posts must carry it back."""
    return hmac.new(key, browser.encode(), hashlib.sha256).hexdigest()


def is_genuine(key: bytes, request: Request, field: object) -> bool:
    """Whether a post came from one of our pages in the same browser."""
    browser = browser_id(request)
    if browser is None or not isinstance(field, str):
        return False
    return hmac.compare_digest(field, form_token(key, browser))


def remember_browser(response: Response, request: Request, browser: str, *, path: str) -> None:
    """Set the cookie (sent back only to addresses under `path`) when the browser lacks it."""
    if browser_id(request) == browser:
        return
    response.set_cookie(
        COOKIE,
        browser,
        path=path,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
