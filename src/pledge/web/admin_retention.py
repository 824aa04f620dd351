"""The staff console's retention page: sweeps run and to come, holds, children, a forecast.

    GET  /admin/retention               runs, the next sweep, holds, children, forecast (viewer)
    GET  /admin/retention/runs/{id}     one run's tables: counts, batches, times (viewer)
    POST /admin/retention/preview       a dry run now, then its page (privacy officer)
    POST /admin/retention/run           queue a real sweep now (admin)
    GET  /admin/retention/{action}      back to the page (after signing in again)
    GET  /admin/retention/archive...    the archive, for the role legal (admin_archive)

Like the request pages, these run no script and show counts and the names of tables and
rules, never a value from the company's rows. A dry run is done while staff wait (it only
counts); a real sweep is queued as a job, which the server's runner takes at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from pledge.auth.roles import Role
from pledge.errors import NotFound, PledgeError
from pledge.retention.schedule import queue_manual
from pledge.retention.sweep import run_sweep
from pledge.web.admin_archive import archive_routes
from pledge.web.admin_console_flash import Flash, Flasher
from pledge.web.admin_pages import PRIVATE_HEADERS, admin_page
from pledge.web.admin_retention_forecast import FORECAST_DAYS, ForecastCache, first_line
from pledge.web.admin_retention_view import overview, run_page
from pledge.web.auth import Staff, staff_auth, staff_page
from pledge.web.state import DeclarationHolder

log = logging.getLogger("pledge.web")

Viewer = Annotated[Staff, Depends(staff_page(Role.VIEWER))]
Officer = Annotated[Staff, Depends(staff_page(Role.PRIVACY_OFFICER))]
Admin = Annotated[Staff, Depends(staff_page(Role.ADMIN))]

PAGE = "/admin/retention"
_FLASH_REF = "retention"  # the flash cookie is bound to this page
_ACTIONS = ("preview", "run")


def retention_console_routes(holder: DeclarationHolder) -> APIRouter:
    router = APIRouter(prefix=PAGE, include_in_schema=False)
    # Before "/{action}", which would otherwise take "/archive" for an action.
    router.include_router(archive_routes(holder))
    forecasts = ForecastCache()

    def flasher(request: Request) -> Flasher:
        return Flasher(holder.services.keys.links, secure=staff_auth(request).secure_cookies)

    def back(request: Request, flash: Flash) -> Response:
        response = RedirectResponse(PAGE, status_code=303, headers=PRIVATE_HEADERS)
        flasher(request).put(response, _FLASH_REF, flash)
        return response

    @router.get("")
    def retention_page(request: Request, staff: Viewer) -> Response:
        now = dt.datetime.now(dt.UTC)
        with holder.store.session() as session:
            shown = overview(session, now)
        # Outside the store's transaction: it counts rows in the company's databases.
        published = holder.current
        forecast = forecasts.get(holder.services, published.declaration, published.version, now)
        flashes = flasher(request)
        response = admin_page(
            "retention.html.j2",
            {
                "staff": staff,
                "overview": shown,
                "schedule": holder.settings.sweep.describe(),
                "forecast": forecast,
                "days": FORECAST_DAYS,
                "flash": flashes.read(request, _FLASH_REF),
                "can_preview": staff.role.allows(Role.PRIVACY_OFFICER),
                "can_run": staff.role.allows(Role.ADMIN),
            },
        )
        flashes.clear(request, response)
        return response

    @router.get("/runs/{run_id}")
    def sweep_run(staff: Viewer, run_id: str) -> Response:
        try:
            if not run_id.isdigit() or len(run_id) > 18:
                raise NotFound(f"there is no sweep run '{run_id}'")
            with holder.store.session() as session:
                page = run_page(session, int(run_id))
        except NotFound as exc:
            return _missing(staff, exc.message)
        return admin_page("retention_run.html.j2", {"staff": staff, "page": page})

    @router.post("/preview")
    def preview(request: Request, staff: Officer) -> Response:
        # No store transaction is held here: the sweep opens its own, batch by batch.
        try:
            report = run_sweep(
                holder.store,
                holder.services,
                now=dt.datetime.now(dt.UTC),
                dry_run=True,
                started_by=staff.actor,
            )
        except PledgeError as exc:
            return back(request, Flash("error", _sentence(exc.message, exc.hint)))
        except SQLAlchemyError as exc:
            log.exception("the dry run asked for by %s failed", staff.username)
            return back(request, Flash("error", f"The dry run failed: {first_line(exc)}."))
        return RedirectResponse(
            f"{PAGE}/runs/{report.run_id}", status_code=303, headers=PRIVATE_HEADERS
        )

    @router.post("/run")
    def run_now(request: Request, staff: Admin) -> Response:
        now = dt.datetime.now(dt.UTC)
        with holder.store.session(write=True) as session:
            queue_manual(session, user_id=staff.user_id, now=now)
        # The job exists now that its transaction committed.
        holder.wake_jobs()
        log.info("staff %s asked for a retention sweep", staff.username)
        return back(
            request,
            Flash("done", "A sweep is queued; it is listed below, and its counts once it is done."),
        )

    @router.get("/{action}")
    def action_address(staff: Viewer, action: str) -> Response:
        # Where the login sends back someone whose session ended as they pressed a button.
        if action not in _ACTIONS:
            return _missing(staff, f"there is no page '{PAGE}/{action}'")
        return RedirectResponse(PAGE, status_code=303, headers=PRIVATE_HEADERS)

    return router


def _missing(staff: Staff, message: str) -> Response:
    return admin_page("missing.html.j2", {"staff": staff, "message": message}, status=404)


def _sentence(message: str, hint: str) -> str:
    text = f"{message[:1].upper()}{message[1:]}."
    return f"{text} {hint[:1].upper()}{hint[1:]}." if hint else text
