"""The staff console's request pages: the list, one request, its plan, and the actions.

    GET  /admin                          the requests, overdue first, with filters (viewer)
    GET  /admin/requests/{ref}           one request: fields, timeline, jobs, proof (viewer)
    GET  /admin/requests/{ref}/plan      what Pledge would run for the person (viewer)
    GET  /admin/requests/{ref}/proof     the agent's proof of authority, unsealed (viewer)
    POST /admin/requests/{ref}/{action}  approve, deny, extend... (privacy officer); those
                                         on a recipient's notice name it (`recipient`)
    GET  /admin/requests/{ref}/{action}  back to the request (after signing in again)

Pages are server-rendered with no script (the staff policy allows none). An action answers
303 back to the request's page, which shows what happened, or why nothing did.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from pledge.auth.roles import Role
from pledge.errors import NotFound, PledgeError
from pledge.rights.deadlines import DUE_SOON_DAYS
from pledge.rights.lifecycle import STATES
from pledge.rights.package_crypto import unseal
from pledge.rights.reference import normalise_reference
from pledge.rights.requests import get_request, list_requests
from pledge.rights.types import REQUEST_TYPES
from pledge.rights.workflow import proof_of
from pledge.web.admin_console_actions import ACTIONS, ActionInput, act
from pledge.web.admin_console_flash import Flash, Flasher
from pledge.web.admin_console_plan import plan_for
from pledge.web.admin_console_view import (
    ListedRequest,
    request_page,
    state_counts,
    state_words,
    type_words,
)
from pledge.web.admin_pages import PRIVATE_HEADERS, admin_page
from pledge.web.auth import Staff, staff_auth, staff_page
from pledge.web.state import DeclarationHolder

log = logging.getLogger("pledge.web")

Viewer = Annotated[Staff, Depends(staff_page(Role.VIEWER))]
Officer = Annotated[Staff, Depends(staff_page(Role.PRIVACY_OFFICER))]

PAGE_SIZE = 100
_PROOF_SUFFIX = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
# A download is never rendered as a page of this site, even if a browser sniffs it as one.
_DOWNLOAD_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Filters:
    """The list's filters, as the query string gives them."""

    state: str = ""
    type: str = ""
    overdue: bool = False
    due_soon: bool = False
    email: str = ""
    page: int = 1

    def page_link(self, page: int) -> str:
        """The list with these filters, at page `page`."""
        query = {
            "state": self.state,
            "type": self.type,
            "overdue": "1" if self.overdue else "",
            "due_soon": "1" if self.due_soon else "",
            "email": self.email,
            "page": str(page) if page > 1 else "",
        }
        given = urlencode({k: v for k, v in query.items() if v})
        return f"/admin?{given}" if given else "/admin"


def admin_console_routes(holder: DeclarationHolder) -> APIRouter:
    router = APIRouter(prefix="/admin", include_in_schema=False)

    def flasher(request: Request) -> Flasher:
        return Flasher(holder.services.keys.links, secure=staff_auth(request).secure_cookies)

    @router.get("")
    def requests_list(
        staff: Viewer,
        state: str = "",
        type: str = "",
        overdue: str = "",
        due_soon: str = "",
        email: str = "",
        page: str = "1",
    ) -> Response:
        filters, problems = _filters(state, type, overdue, due_soon, email, page)
        now = dt.datetime.now(dt.UTC)
        with holder.store.session() as session:
            rows = list_requests(
                session,
                state=filters.state or None,
                type=filters.type or None,
                overdue_only=filters.overdue,
                due_within_days=DUE_SOON_DAYS if filters.due_soon else None,
                email_contains=filters.email or None,
                limit=PAGE_SIZE + 1,
                offset=(filters.page - 1) * PAGE_SIZE,
                now=now,
            )
            counts = state_counts(session)
        more = len(rows) > PAGE_SIZE
        return admin_page(
            "requests.html.j2",
            {
                "staff": staff,
                "filters": filters,
                "problems": problems,
                "requests": [ListedRequest.of(row, now) for row in rows[:PAGE_SIZE]],
                "counts": counts,
                "total": sum(c.count for c in counts),
                "states": [(s, state_words(s)) for s in STATES],
                "types": [(t, type_words(t)) for t in REQUEST_TYPES],
                "due_soon_days": DUE_SOON_DAYS,
                "next_page": filters.page_link(filters.page + 1) if more else "",
                "previous_page": filters.page_link(filters.page - 1) if filters.page > 1 else "",
            },
        )

    @router.get("/requests/{ref}")
    def request_detail(request: Request, staff: Viewer, ref: str) -> Response:
        reference = _reference(ref)
        if reference is None:
            return _missing(staff, ref)
        if reference != ref:
            return RedirectResponse(f"/admin/requests/{reference}", 303, headers=PRIVATE_HEADERS)
        try:
            with holder.store.session() as session:
                page = request_page(session, reference, dt.datetime.now(dt.UTC))
        except NotFound:
            return _missing(staff, ref)
        flashes = flasher(request)
        response = admin_page(
            "request.html.j2",
            {
                "staff": staff,
                "request": page,
                "flash": flashes.read(request, reference),
                "can_act": staff.role.allows(Role.PRIVACY_OFFICER),
            },
        )
        flashes.clear(request, response)
        return response

    @router.get("/requests/{ref}/plan")
    def request_plan(staff: Viewer, ref: str) -> Response:
        reference = _reference(ref)
        try:
            with holder.store.session() as session:
                row = get_request(session, reference or ref)
        except PledgeError:
            return _missing(staff, ref)
        # Outside the store's transaction: it reads the company databases, maybe slowly.
        outcome = plan_for(holder.services, holder.current.declaration, row)
        return admin_page(
            "plan.html.j2",
            {"staff": staff, "reference": row.id, "email": row.email, "plan": outcome},
        )

    @router.get("/requests/{ref}/proof")
    def agent_proof(staff: Viewer, ref: str) -> Response:
        try:
            with holder.store.session() as session:
                proof = proof_of(session, ref)
        except PledgeError:
            return _missing(staff, ref)
        if proof is None:
            return _missing(staff, ref, "this request has no agent's proof")
        content = unseal(proof.content, holder.services.keys.package, ref=proof.request_id)
        log.info("staff %s downloaded the agent's proof of %s", staff.username, proof.request_id)
        suffix = _PROOF_SUFFIX.get(proof.content_type, "")
        return Response(
            content,
            media_type=proof.content_type,
            headers={
                **_DOWNLOAD_HEADERS,
                "Content-Disposition": f'attachment; filename="{proof.request_id}-proof{suffix}"',
            },
        )

    @router.get("/requests/{ref}/{action}")
    def action_address(staff: Viewer, ref: str, action: str) -> Response:
        # Where the login sends back someone whose session ended as they pressed a button:
        # the request's page, to press it again.
        reference = _reference(ref)
        if reference is None or action not in ACTIONS:
            return _missing(staff, ref)
        return RedirectResponse(f"/admin/requests/{reference}", 303, headers=PRIVATE_HEADERS)

    @router.post("/requests/{ref}/{action}")
    def request_action(
        request: Request,
        staff: Officer,
        ref: str,
        action: str,
        reason: Annotated[str, Form()] = "",
        seen: Annotated[str, Form()] = "",
        recipient: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        reference = _reference(ref)
        if reference is None or action not in ACTIONS:
            return _missing(staff, ref, f"there is no action '{action}'" if reference else "")
        given = ActionInput(staff.actor, reason, dt.datetime.now(dt.UTC), recipient)
        try:
            with holder.store.session(write=True) as session:
                done = act(session, reference, action, given, seen)
        except NotFound:
            return _missing(staff, ref)
        except PledgeError as exc:
            flash = Flash("error", str(exc))
        else:
            # The jobs the action queued exist now that its transaction committed.
            holder.wake_jobs()
            flash = Flash("done", done)
        response = RedirectResponse(
            f"/admin/requests/{reference}", status_code=303, headers=PRIVATE_HEADERS
        )
        flasher(request).put(response, reference, flash)
        return response

    return router


def _filters(
    state: str, type: str, overdue: str, due_soon: str, email: str, page: str
) -> tuple[Filters, list[str]]:
    """The filters asked for; an unknown value is dropped, and said to be."""
    problems = []
    if state and state not in STATES:
        problems.append(f"there is no state '{state}': showing every state")
        state = ""
    if type and type not in REQUEST_TYPES:
        problems.append(f"there is no request type '{type}': showing every type")
        type = ""
    number = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    filters = Filters(
        state=state,
        type=type,
        overdue=overdue not in ("", "0"),
        due_soon=due_soon not in ("", "0"),
        email=email.strip()[:320],
        page=number,
    )
    return filters, problems


def _reference(typed: str) -> str | None:
    try:
        return normalise_reference(typed)
    except PledgeError:
        return None


def _missing(staff: Staff, ref: str, message: str = "") -> Response:
    return admin_page(
        "missing.html.j2",
        {"staff": staff, "message": message or f"there is no request '{ref}'"},
        status=404,
    )
