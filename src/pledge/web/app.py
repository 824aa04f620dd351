"""The web application: built from one Settings object, nothing read at import time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import anyio.to_thread
from fastapi import FastAPI

from pledge import __version__
from pledge.settings import Settings
from pledge.web.admin_console import admin_console_routes
from pledge.web.admin_login import install_staff_auth
from pledge.web.admin_retention import retention_console_routes
from pledge.web.api import api_routes
from pledge.web.api_requests import request_api_routes
from pledge.web.errors import install_error_handlers
from pledge.web.health import health_routes
from pledge.web.privacy_center import privacy_center_routes
from pledge.web.public import public_routes
from pledge.web.reload import Reloader, install_sighup, watch_declaration
from pledge.web.security import SecurityHeaders
from pledge.web.state import DeclarationHolder

_WATCHER_STOP_SECONDS = 5

TAGS = [
    {"name": "notice", "description": "The privacy notice, in each declared language."},
    {"name": "declaration", "description": "The declaration behind the notice, as JSON."},
    {"name": "versions", "description": "Each published version of the notice."},
    {"name": "health", "description": "Whether the server runs, and what it serves."},
    {"name": "requests", "description": "Rights requests, for staff: a session or an API token."},
]


def create_app(settings: Settings) -> FastAPI:
    """The app serving `settings.declaration`; the store opens and the file loads at start-up."""
    holder = DeclarationHolder(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(holder.start)
        reloader = Reloader(holder)
        stop = asyncio.Event()
        watcher = await _start_watcher(reloader, stop) if settings.watch else None
        remove_sighup = install_sighup(lambda: reloader.request("SIGHUP"))
        try:
            yield
        finally:
            remove_sighup()
            stop.set()
            if watcher is not None:
                await _stop(watcher)
            await reloader.finish()
            holder.close()

    app = FastAPI(
        title="Pledge",
        version=__version__,
        description="A company's privacy notice, published from its declaration.",
        openapi_tags=TAGS,
        redoc_url=None,  # one docs page; ReDoc would need its own script and font origins
        lifespan=lifespan,
    )
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app)
    app.include_router(public_routes(holder))
    app.include_router(api_routes(holder))
    install_staff_auth(app, holder)
    app.include_router(admin_console_routes(holder))
    app.include_router(retention_console_routes(holder))
    app.include_router(request_api_routes(holder))
    app.include_router(privacy_center_routes(holder))
    app.include_router(health_routes(holder))
    return app


async def _start_watcher(reloader: Reloader, stop: asyncio.Event) -> asyncio.Task[None]:
    armed = asyncio.Event()
    watcher = asyncio.create_task(watch_declaration(reloader, stop, armed))
    await armed.wait()
    # An edit between the first read and the watch taking hold would go unseen: catch up.
    if reloader.holder.changed_on_disk():
        await reloader.reload("changed during start-up")
    return watcher


async def _stop(watcher: asyncio.Task[None]) -> None:
    # The watch notices `stop` within one step (50 ms); cancel it if it does not.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(watcher, _WATCHER_STOP_SECONDS)
