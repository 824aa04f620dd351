"""Who is calling: staff by session cookie or API token, as FastAPI dependencies.

    officer: Annotated[Staff, Depends(staff_api(Role.PRIVACY_OFFICER))]   # JSON routes
    viewer: Annotated[Staff, Depends(staff_page(Role.VIEWER))]            # HTML pages

Without credentials the API answers 401 in the error envelope and a page redirects (303) to
/admin/login?next=<the page>; a role too low gets 403. A request made with the session
cookie and an unsafe method (POST, PUT, PATCH, DELETE) must carry the session's CSRF token,
as the form field `csrf_token` or the header `X-CSRF-Token`; one made with a bearer token
needs none, as no browser sends that header by itself.

`pledge.web.admin_login.install_staff_auth(app, holder)` makes these work on an app: it
puts a `StaffAuth` on `app.state` and serves the login and logout pages.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import quote

import anyio.to_thread
from argon2 import PasswordHasher
from fastapi import Request, Security
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from pledge.auth.passwords import HASHER, dummy_hash
from pledge.auth.roles import Role
from pledge.auth.sessions import COOKIE, find_session, touch_session
from pledge.auth.throttle import LoginThrottle
from pledge.auth.tokens import find_token, touch_token
from pledge.errors import PledgeError
from pledge.web.errors import error_response
from pledge.web.state import DeclarationHolder

Clock = Callable[[], dt.datetime]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
LOGIN_PATH = "/admin/login"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

BEARER = HTTPBearer(
    scheme_name="apiToken",
    bearerFormat="plg_...",
    description="An API token from `pledge token create USERNAME --name NAME`; it acts as its "
    "user, with that user's role.",
    auto_error=False,
)
SESSION_COOKIE = APIKeyCookie(
    name=COOKIE,
    scheme_name="staffSession",
    description="The cookie set by signing in at /admin/login. Requests with an unsafe method "
    f"must also send the session's CSRF token in the `{CSRF_HEADER}` header.",
    auto_error=False,
)


@dataclass(frozen=True)
class Staff:
    """The member of staff making the request, and how they proved it."""

    user_id: int
    username: str
    role: Role
    via: Literal["session", "token"]
    csrf_token: str | None  # the session's; None for a bearer token

    @property
    def actor(self) -> str:
        """How events they cause name them."""
        return f"staff:{self.username}"


class NotSignedIn(PledgeError):
    """No credentials, or ones that open nothing (unknown, expired, revoked)."""

    status_code = 401


class Forbidden(PledgeError):
    status_code = 403


class SignInRequired(Exception):
    """A page was asked for without a session: the browser is sent to sign in."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class StaffAuth:
    """What the dependencies and the login pages share: the store, a clock, the throttle.

    `clock` may be replaced (tests move time on to see sessions end).
    """

    def __init__(
        self,
        holder: DeclarationHolder,
        *,
        clock: Clock = utc_now,
        hasher: PasswordHasher = HASHER,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self.holder = holder
        self.clock = clock
        self.hasher = hasher
        # The store and the keys exist once the app has started, after this is made.
        self.throttle = throttle or LoginThrottle(
            store=lambda: holder.store, secret=lambda: holder.services.keys.links
        )

    @property
    def secure_cookies(self) -> bool:
        """Cookies get `Secure` when people reach the server over HTTPS."""
        return self.holder.settings.public_url.lower().startswith("https://")

    def warm_up(self) -> None:
        # The dummy hash for unknown usernames is made once; made during the first such
        # login, it would make that answer slower than a known user's.
        dummy_hash(self.hasher)

    def from_session(self, token: str) -> Staff | None:
        now = self.clock()
        with self.holder.store.session() as session:
            found = find_session(session, token, now=now)
        if found is None:
            return None
        if found.due_for_touch(now):
            with self.holder.store.session(write=True) as session:
                touch_session(session, found.session_id, now=now)
        return Staff(found.user_id, found.username, found.role, "session", found.csrf_token)

    def from_token(self, token: str) -> Staff | None:
        now = self.clock()
        with self.holder.store.session() as session:
            found = find_token(session, token)
        if found is None:
            return None
        if found.due_for_touch(now):
            with self.holder.store.session(write=True) as session:
                touch_token(session, found.token_id, now=now)
        return Staff(found.user_id, found.username, found.role, "token", None)

    async def identify(self, request: Request, *, bearer: bool) -> Staff | None:
        """The caller, from a bearer token (if `bearer`) or the session cookie; None if
        neither is presented or the cookie's session is over. A bearer token that opens
        nothing is refused outright: its sender meant to use it."""
        header = request.headers.get("authorization")
        if bearer and header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise NotSignedIn(
                    "the Authorization header is not 'Bearer <token>'",
                    "send an API token from `pledge token create` as 'Authorization: Bearer …'",
                )
            staff = await anyio.to_thread.run_sync(self.from_token, token.strip())
            if staff is None:
                raise NotSignedIn(
                    "the API token is not valid: it is unknown or revoked, or its user is disabled",
                    "make a new one with `pledge token create`",
                )
            return staff
        cookie = request.cookies.get(COOKIE)
        if not cookie:
            return None
        staff = await anyio.to_thread.run_sync(self.from_session, cookie)
        if staff is not None and request.method not in SAFE_METHODS:
            await _check_csrf(request, staff)
        return staff


def staff_auth(request: Request) -> StaffAuth:
    auth = getattr(request.app.state, "staff_auth", None)
    if not isinstance(auth, StaffAuth):
        raise RuntimeError("pledge.web.admin_login.install_staff_auth was not called")
    return auth


def staff_api(role: Role) -> Callable[..., Awaitable[Staff]]:
    """A dependency for JSON routes: the caller with at least `role`, else 401 or 403."""

    async def api_staff(
        request: Request,
        response: Response,
        # Declared so the OpenAPI schema names both ways in; `identify` reads them itself.
        bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
        cookie: Annotated[str | None, Security(SESSION_COOKIE)],
    ) -> Staff:
        # What staff read is personal data and differs per caller: no cache may keep it.
        response.headers["Cache-Control"] = "no-store"
        staff = await staff_auth(request).identify(request, bearer=True)
        if staff is None:
            raise NotSignedIn(
                "this needs a signed-in member of staff",
                f"send 'Authorization: Bearer <token>', or sign in at {LOGIN_PATH}",
            )
        return _allowed(staff, role)

    return api_staff


def staff_page(role: Role) -> Callable[..., Awaitable[Staff]]:
    """A dependency for HTML pages: the signed-in caller with at least `role`; without a
    session the browser is redirected to the login page, then back."""

    async def page_staff(request: Request) -> Staff:
        staff = await staff_auth(request).identify(request, bearer=False)
        if staff is None:
            query = f"?{request.url.query}" if request.url.query else ""
            raise SignInRequired(f"{request.url.path}{query}")
        return _allowed(staff, role)

    return page_staff


def _allowed(staff: Staff, role: Role) -> Staff:
    if not staff.role.allows(role):
        needs = f"the role '{role.value}'" + ("" if role.alone else " or higher")
        raise Forbidden(
            f"this needs {needs}; {staff.username} is '{staff.role.value}'",
            "ask an admin to change your role",
        )
    return staff


async def _check_csrf(request: Request, staff: Staff) -> None:
    given = request.headers.get(CSRF_HEADER)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if given is None and media_type in _FORM_TYPES:
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    expected = staff.csrf_token or ""
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Forbidden(
            "the CSRF token is missing or wrong",
            f"send the session's token as the form field '{CSRF_FIELD}' or the header"
            f" '{CSRF_HEADER}'; reload the page if it was open a long time",
        )


async def answer_not_signed_in(request: Request, exc: Exception) -> JSONResponse:
    """The 401 envelope, with the challenge RFC 9110 asks a 401 to carry."""
    assert isinstance(exc, NotSignedIn)
    return error_response(
        401, exc.message, exc.hint, headers={"WWW-Authenticate": 'Bearer realm="pledge"'}
    )


async def redirect_to_sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(
        f"{LOGIN_PATH}?next={quote(exc.next_path, safe='/')}",
        status_code=303,
        headers={"Cache-Control": "no-store"},
    )
