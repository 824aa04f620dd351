"""The package a person downloads after an access or portability request: one zip file.

It holds the same data four ways: data.json (every value with its column's category),
one CSV per table (UTF-8 with a BOM, so spreadsheet programs read accents right), data.xlsx
(one sheet per table) and report.html, which explains each table (package_report.py).
Shared rows are only described, as access.py hands them over: which categories they hold.

The same input gives the same bytes: rows are sorted by key and every zip entry, the
workbook's own included, is stamped with `generated_at`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from pledge.declaration.model import LANGUAGES, Declaration
from pledge.errors import PledgeError
from pledge.records.ropa import category_name
from pledge.rights.package_report import (
    LeftOut,
    plain,
    portable,
    render_report,
    say,
    shared_words,
    table_title,
)
from pledge.sources.access import AccessResult, TableAccess

FORMAT = "pledge-access-package/1"
ZipTime = tuple[int, int, int, int, int, int]
SHEET_NAME_LIMIT = 31  # Excel refuses longer sheet names
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
# Characters XML 1.0, hence xlsx, cannot hold.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def build_package(
    declaration: Declaration,
    result: AccessResult,
    *,
    lang: str,
    request_ref: str,
    generated_at: datetime,
    portability: bool = False,
) -> bytes:
    """The zip file of the person's data, with its report in `lang`."""
    if lang not in LANGUAGES:
        raise PledgeError(f"no report in {lang!r}", f"use one of {', '.join(LANGUAGES)}")
    tables: Sequence[TableAccess] = tuple(_sorted(t) for t in result.tables)
    left_out: tuple[LeftOut, ...] = ()
    if portability:
        tables, left_out = portable(declaration, tables)
    stamp = _zip_time(generated_at)
    files: dict[str, bytes] = {
        "report.html": render_report(
            declaration,
            tables,
            left_out,
            lang=lang,
            request_ref=request_ref,
            generated_at=generated_at,
            portability=portability,
        ).encode(),
        "data.json": _json(
            declaration, tables, left_out, lang, request_ref, generated_at, portability
        ),
        "data.xlsx": _xlsx(tables, stamp, generated_at),
    }
    names: set[str] = set()
    for table in tables:
        name = _unique(_NOT_IN_FILE_NAMES.sub("_", table_title(table)), names, limit=200)
        files[f"csv/{name}.csv"] = _csv(table)
    return _zip(files, stamp)


def _sorted(table: TableAccess) -> TableAccess:
    """The rows in key order, whatever order the database returned them in."""
    keys = [c for c, category in table.columns.items() if category is None] or list(table.columns)

    def order(row: Mapping[str, Any]) -> tuple[tuple[int, Any], ...]:
        return tuple(_sortable(row[c]) for c in keys)

    return TableAccess(
        table.source, table.table, table.columns, tuple(sorted(table.rows, key=order)),
        tuple(sorted(table.shared, key=lambda s: s.categories)),
    )  # fmt: skip


def _sortable(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return (1, value)
    return (2, str(plain(value)))


def _json(
    declaration: Declaration,
    tables: Iterable[TableAccess],
    left_out: Iterable[LeftOut],
    lang: str,
    request_ref: str,
    generated_at: datetime,
    portability: bool,
) -> bytes:
    def category(code: str | None) -> dict[str, str | None]:
        name = category_name(declaration, code, lang) if code else say("key", lang)
        return {"category": code, "category_name": name}

    sources: dict[str, dict[str, Any]] = {}
    for table in tables:
        sources.setdefault(table.source, {})[table.table] = {
            "columns": {c: category(k) for c, k in table.columns.items()},
            "records": [
                {c: {"value": plain(row[c]), **category(k)} for c, k in table.columns.items()}
                for row in table.rows
            ],
            "shared_records": [
                {
                    "description": shared_words(declaration, shared, lang),
                    "categories": [category(k) for k in shared.categories],
                }
                for shared in table.shared
            ],
        }
    document = {
        "format": FORMAT,
        "organisation": declaration.organisation.legal_name or declaration.organisation.name,
        "request": request_ref,
        "generated_at": generated_at.isoformat(),
        "language": lang,
        "portability": portability,
        "sources": sources,
        "left_out": [item.words(declaration, lang) for item in left_out],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode() + b"\n"


def _csv(table: TableAccess) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow("" if row[c] is None else plain(row[c]) for c in table.columns)
    return ("\ufeff" + out.getvalue()).encode()


def _xlsx(tables: Sequence[TableAccess], stamp: ZipTime, generated_at: datetime) -> bytes:
    workbook = Workbook()
    first = workbook.active
    names: set[str] = set()
    bold = Font(bold=True)
    for index, table in enumerate(tables):
        sheet = first if index == 0 else workbook.create_sheet()
        sheet.title = _unique(
            _NOT_IN_SHEET_NAMES.sub("_", table_title(table)).strip("'") or "table",
            names,
            limit=SHEET_NAME_LIMIT,
        )
        sheet.append(list(table.columns))
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        for row in table.rows:
            sheet.append([_spreadsheet_value(row[c]) for c in table.columns])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                # A text starting with "=" is data, never a formula to run.
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    if not tables:
        first.title = "-"
    moment = generated_at.replace(tzinfo=None, microsecond=0)
    workbook.properties.creator = "Pledge"
    workbook.properties.created = workbook.properties.modified = moment
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    with zipfile.ZipFile(raw) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    return _zip(entries, stamp)


def _spreadsheet_value(value: Any) -> Any:
    if isinstance(value, bool | int | float | Decimal):
        return value
    shown = plain(value)
    return None if shown is None else _NOT_IN_XML.sub("", str(shown))


def _unique(name: str, taken: set[str], *, limit: int) -> str:
    """`name` cut to `limit` characters, with "~2", "~3"... when it is already taken."""
    candidate, number = name[:limit], 1
    while candidate.casefold() in taken:
        number += 1
        suffix = f"~{number}"
        candidate = name[: limit - len(suffix)] + suffix
    taken.add(candidate.casefold())
    return candidate


def _zip_time(moment: datetime) -> ZipTime:
    # Zip dates start in 1980.
    if moment.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def _zip(files: Mapping[str, bytes], stamp: ZipTime) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return out.getvalue()
