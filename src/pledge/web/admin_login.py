"""Signing staff in and out: the login form, the session cookie, and the account page.

The login form is itself guarded against cross-site posts (a site tricking a browser into
signing in to an account of the attacker's): GET gives the browser a random id in an
HttpOnly, SameSite=Strict cookie and the form a keyed hash of it; a post counts only when
the two match. Failures get one message whatever went wrong, are logged without the
password, and are throttled per address and per username (pledge.auth.throttle), counted in
the store so that every server process and a restarted one see the same failures.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
import secrets
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response

from pledge.auth.passwords import MAX_LENGTH
from pledge.auth.roles import Role
from pledge.auth.sessions import (
    ABSOLUTE_TIMEOUT,
    COOKIE,
    IDLE_TIMEOUT,
    NewSession,
    end_session,
    start_session,
)
from pledge.auth.users import authenticate, normalise_username
from pledge.web.admin_pages import PRIVATE_HEADERS, admin_page
from pledge.web.auth import (
    LOGIN_PATH,
    NotSignedIn,
    SignInRequired,
    Staff,
    StaffAuth,
    answer_not_signed_in,
    redirect_to_sign_in,
    staff_auth,
    staff_page,
)
from pledge.web.state import DeclarationHolder

log = logging.getLogger("pledge.auth")

HOME = "/admin"  # the console's request list (pledge.web.admin_console)
LOGIN_COOKIE = "pledge_login"
WRONG = "wrong username or password"
_FORM_LABEL = b"pledge staff login form"
_BROWSER_ID = re.compile(r"[A-Za-z0-9_-]{32,64}")
# A path on this site: one slash, then no second slash or backslash that would make it
# another host ("//evil.example", "/\\evil.example"), and no spaces or control characters.
_LOCAL_PATH = re.compile(r"/(?![/\\])[^\s\\\x00-\x1f\x7f]*")
_MAX_NEXT = 2000


def install_staff_auth(app: FastAPI, holder: DeclarationHolder) -> StaffAuth:
    """Make the staff dependencies work on `app`, and serve the login and logout pages."""
    auth = StaffAuth(holder)
    auth.warm_up()
    app.state.staff_auth = auth
    app.add_exception_handler(NotSignedIn, answer_not_signed_in)
    app.add_exception_handler(SignInRequired, redirect_to_sign_in)
    app.include_router(login_routes())
    return auth


def safe_next(value: str | None) -> str:
    """Where to go after signing in: `value` if it is a path on this site, else home."""
    if value and len(value) <= _MAX_NEXT and _LOCAL_PATH.fullmatch(value):
        return value
    return HOME


def sign_in(
    auth: StaffAuth, username: str, password: str, previous: str | None = None
) -> NewSession | None:
    """A new session when the password is right for an active account; else None.

    The browser's `previous` session, if any, ends: one browser, one session.
    """
    with auth.holder.store.session(write=True) as session:
        user = authenticate(session, username, password, hasher=auth.hasher)
        if user is None:
            return None
        if previous:
            end_session(session, previous)
        return start_session(session, user, now=auth.clock())


def sign_out(auth: StaffAuth, token: str) -> None:
    with auth.holder.store.session(write=True) as session:
        end_session(session, token)


def login_routes() -> APIRouter:
    router = APIRouter(prefix="/admin", include_in_schema=False)

    @router.get("/login")
    async def login_page(request: Request, next: str = "") -> Response:
        auth = staff_auth(request)
        target = safe_next(next)
        if await auth.identify(request, bearer=False) is not None:
            return RedirectResponse(target, status_code=303, headers=PRIVATE_HEADERS)
        return _login_form(auth, request, target)

    @router.post("/login")
    async def login(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        login_token: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "",
    ) -> Response:
        auth = staff_auth(request)
        target = safe_next(next)
        name = normalise_username(username)[:120]
        if not _is_genuine(auth, request, login_token):
            return _login_form(
                auth, request, target, name, "the form had expired: please sign in again", 400
            )
        address = request.client.host if request.client else "unknown"
        throttle, now = auth.throttle, auth.clock()
        # Counted as a failure before the password is checked (see pledge.auth.throttle).
        attempt = await anyio.to_thread.run_sync(throttle.attempt, address, name, now)
        if attempt is None:
            log.warning("staff sign-in refused for %r from %s: too many failures", name, address)
            wait = await anyio.to_thread.run_sync(throttle.retry_after, address, name, now)
            # None when a failure left the window in between: the next try may pass.
            seconds = math.ceil(wait.total_seconds()) if wait is not None else 1
            minutes = max(1, math.ceil(seconds / 60))
            return _login_form(
                auth,
                request,
                target,
                name,
                f"too many failed sign-ins: try again in {minutes} minute"
                + ("s" if minutes != 1 else ""),
                429,
                {"Retry-After": str(seconds)},
            )
        new = None
        if name and len(password) <= MAX_LENGTH:
            previous = request.cookies.get(COOKIE)
            new = await anyio.to_thread.run_sync(sign_in, auth, name, password, previous)
        if new is None:
            log.warning("staff sign-in failed for %r from %s", name, address)
            return _login_form(auth, request, target, name, WRONG, 200)
        await anyio.to_thread.run_sync(throttle.succeeded, name, attempt)
        log.info("staff sign-in: %s from %s", name, address)
        response = RedirectResponse(target, status_code=303, headers=PRIVATE_HEADERS)
        response.set_cookie(
            COOKIE,
            new.token,
            max_age=int(ABSOLUTE_TIMEOUT.total_seconds()),
            path="/",
            secure=auth.secure_cookies,
            httponly=True,
            samesite="strict",
        )
        response.delete_cookie(LOGIN_COOKIE, path=LOGIN_PATH)
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        auth = staff_auth(request)
        token = request.cookies.get(COOKIE)
        # A live session must be ended with its CSRF token (`identify` checks it), so that
        # another site cannot sign people out; a dead one has nothing left to end.
        if token and await auth.identify(request, bearer=False) is not None:
            await anyio.to_thread.run_sync(sign_out, auth, token)
        response = RedirectResponse(LOGIN_PATH, status_code=303, headers=PRIVATE_HEADERS)
        response.delete_cookie(
            COOKIE, path="/", secure=auth.secure_cookies, httponly=True, samesite="strict"
        )
        return response

    @router.get("/account")
    def account(staff: Annotated[Staff, Depends(staff_page(Role.VIEWER))]) -> Response:
        return admin_page(
            "account.html.j2",
            {
                "staff": staff,
                "idle_minutes": int(IDLE_TIMEOUT.total_seconds() // 60),
                "absolute_hours": int(ABSOLUTE_TIMEOUT.total_seconds() // 3600),
            },
        )

    return router


def _login_form(
    auth: StaffAuth,
    request: Request,
    target: str,
    username: str = "",
    error: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    browser = _browser_id(request) or secrets.token_urlsafe(32)
    context = {
        "staff": None,
        "next": target,
        "username": username,
        "error": error,
        "login_token": _form_token(auth, browser),
    }
    response = admin_page("login.html.j2", context, status=status, headers=headers)
    if _browser_id(request) != browser:
        response.set_cookie(
            LOGIN_COOKIE,
            browser,
            path=LOGIN_PATH,
            secure=auth.secure_cookies,
            httponly=True,
            samesite="strict",
        )
    return response


def _browser_id(request: Request) -> str | None:
    value = request.cookies.get(LOGIN_COOKIE, "")
    return value if _BROWSER_ID.fullmatch(value) else None


def _form_token(auth: StaffAuth, browser: str) -> str:
    key = hmac.new(auth.holder.services.keys.links, _FORM_LABEL, hashlib.sha256).digest()
    return hmac.new(key, browser.encode(), hashlib.sha256).hexdigest()


def _is_genuine(auth: StaffAuth, request: Request, given: str) -> bool:
    browser = _browser_id(request)
    if browser is None or not given:
        return False
    return hmac.compare_digest(given.encode(), _form_token(auth, browser).encode())
