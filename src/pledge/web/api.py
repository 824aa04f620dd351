"""The JSON API (/api/v1): the public declaration and the notice's version history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, create_model

from pledge.declaration.model import Declaration
from pledge.notice_versions import NoticeVersion, get_version, list_versions
from pledge.web.errors import ERROR_RESPONSES
from pledge.web.state import DeclarationHolder

# `sources` says where the company's databases are and how their tables and columns map
# to people: internal plumbing, useful to an attacker and promised to no reader of the
# notice. The public declaration is the declaration without it.
PRIVATE_SECTIONS = frozenset({"sources"})

_PUBLIC_FIELDS: dict[str, Any] = {
    name: (field.annotation, field)
    for name, field in Declaration.model_fields.items()
    if name not in PRIVATE_SECTIONS
}
PublicDeclaration: type[BaseModel] = create_model(
    "PublicDeclaration",
    __config__=ConfigDict(extra="forbid", frozen=True),
    __doc__="The declaration as published: every section but the private `sources`.",
    **_PUBLIC_FIELDS,
)


class NoticeVersionOut(BaseModel):
    number: int = Field(description="1, 2, 3... in the order the versions were recorded")
    effective_date: dt.date = Field(description="the notice's 'last updated' date")
    recorded_at: dt.datetime
    digest: str = Field(description="sha256 of the declaration's canonical JSON")
    changes: list[str] = Field(description="what changed since the previous version")

    @classmethod
    def of(cls, version: NoticeVersion) -> NoticeVersionOut:
        return cls(
            number=version.number,
            effective_date=version.effective_date,
            recorded_at=version.recorded_at,
            digest=version.digest,
            changes=list(version.changes),
        )


class NoticeVersions(BaseModel):
    current: int = Field(description="the version this server publishes now")
    versions: list[NoticeVersionOut] = Field(description="every version, oldest first")


def api_routes(holder: DeclarationHolder) -> APIRouter:
    router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)

    @router.get(
        "/declaration",
        response_model=PublicDeclaration,
        tags=["declaration"],
        summary="The declaration now published, without its private sections",
    )
    def declaration() -> dict[str, Any]:
        return holder.current.declaration.model_dump(mode="json", exclude=set(PRIVATE_SECTIONS))

    @router.get("/notice/versions", tags=["versions"], summary="Every version of the notice")
    def versions() -> NoticeVersions:
        recorded = list_versions(holder.store)
        return NoticeVersions(
            current=holder.current.version,
            versions=[NoticeVersionOut.of(version) for version in recorded],
        )

    @router.get("/notice/versions/{number}", tags=["versions"], summary="One notice version")
    def version(number: int) -> NoticeVersionOut:
        return NoticeVersionOut.of(get_version(holder.store, number))

    return router
