"""GET /health: what is being served, since when, and whether the last reload was refused."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from pledge.web.state import DeclarationHolder


class ReloadErrorOut(BaseModel):
    at: dt.datetime
    problems: list[str] = Field(description="one `file:line:col: message — hint` per problem")


class Health(BaseModel):
    status: Literal["ok", "reload_failed"] = Field(
        description="`reload_failed`: the file on disk was refused and an older one is served"
    )
    declaration: str = Field(description="the declaration file being served")
    version: int = Field(description="the notice version being served")
    loaded_at: dt.datetime
    last_reload_error: ReloadErrorOut | None


def health_routes(holder: DeclarationHolder) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health", summary="Liveness and what is served")
    async def health() -> Health:
        published = holder.current
        failure = holder.last_reload_error
        return Health(
            status="ok" if failure is None else "reload_failed",
            declaration=str(holder.path),
            version=published.version,
            loaded_at=published.loaded_at,
            last_reload_error=(
                ReloadErrorOut(at=failure.at, problems=failure.problems) if failure else None
            ),
        )

    return router
