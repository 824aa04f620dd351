"""The console's archive pages: rows past their active period, for staff with the role legal.

    GET  /admin/retention/archive          the archived rows: table, rule, when archived,
                                           until when (legal)
    GET  /admin/retention/archive/{id}     one row opened: its key and declared columns;
                                           the opening recorded (legal)

Only the role legal reaches these pages: admin, privacy officers and viewers get 403, and
may only see how many rows the archive holds, on the retention page. The list shows where
each row came from and why it is kept, never a value; opening a row decrypts it and records
who opened it and when (ArchiveReadRow) in the same transaction, so no opening goes
unrecorded (pledge.retention.archive).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from pledge.auth.roles import Role
from pledge.errors import NotFound
from pledge.retention.archive import (
    ArchiveLine,
    archive_count,
    archive_lines,
    archive_reads,
    open_archived,
)
from pledge.web.admin_console_view import moment_words
from pledge.web.admin_pages import admin_page
from pledge.web.auth import Staff, staff_page
from pledge.web.state import DeclarationHolder

log = logging.getLogger("pledge.web")

Legal = Annotated[Staff, Depends(staff_page(Role.LEGAL))]

PER_PAGE = 100


@dataclass(frozen=True)
class Line:
    """An archived row as the list shows it."""

    id: int
    table: str
    rule: str
    archived_at: str
    until: str


@dataclass(frozen=True)
class Field:
    name: str
    value: str


def archive_routes(holder: DeclarationHolder) -> APIRouter:
    """The archive's pages, under the retention page's address (its router includes them)."""
    router = APIRouter(prefix="/archive", include_in_schema=False)

    @router.get("")
    def archive_list(staff: Legal, page: str = "1") -> Response:
        number = int(page) if page.isdigit() and 0 < len(page) < 7 else 1
        number = max(1, number)
        with holder.store.session() as session:
            total = archive_count(session)
            found = archive_lines(session, limit=PER_PAGE, offset=(number - 1) * PER_PAGE)
        context = {
            "staff": staff,
            "lines": [_line(line) for line in found],
            "total": total,
            "page": number,
            "more": number * PER_PAGE < total,
        }
        return admin_page("archive.html.j2", context)

    @router.get("/{row_id}")
    def archived_row(staff: Legal, row_id: str) -> Response:
        now = dt.datetime.now(dt.UTC)
        try:
            if not row_id.isdigit() or len(row_id) > 18:
                raise NotFound(f"there is no archived row '{row_id}'")
            with holder.store.session(write=True) as session:
                opened = open_archived(
                    session,
                    int(row_id),
                    role=staff.role,
                    reader=staff.actor,
                    package_key=holder.services.keys.package,
                    now=now,
                )
                reads = [
                    (r.read_by, moment_words(r.read_at))
                    for r in archive_reads(session, opened.line.id)
                ]
        except NotFound as exc:
            return admin_page(
                "missing.html.j2", {"staff": staff, "message": exc.message}, status=404
            )
        log.info("staff %s opened archived row %s", staff.username, opened.line.id)
        context = {
            "staff": staff,
            "line": _line(opened.line),
            "key": [_field(name, value) for name, value in opened.key.items()],
            "columns": [_field(name, value) for name, value in opened.columns.items()],
            "reads": reads,
        }
        return admin_page("archived_row.html.j2", context)

    return router


def _line(line: ArchiveLine) -> Line:
    return Line(
        id=line.id,
        table=line.name,
        rule=line.rule,
        archived_at=moment_words(line.archived_at),
        until=moment_words(line.until),
    )


def _field(name: str, value: Any) -> Field:
    if value is None:
        return Field(name, "")
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return Field(name, value.isoformat())
    if isinstance(value, bytes):
        return Field(name, f"({len(value)} bytes)")
    return Field(name, str(value))
