"""The record of processing as a spreadsheet people can file, filter and hand to an auditor.

Three sheets: the record itself (one row per activity), the controller's details, and the
retention rules. The same declaration always gives the same bytes, so the file can be kept
in version control and a diff shows only real changes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from pledge.declaration.jurisdictions import UnknownJurisdiction, jurisdiction
from pledge.declaration.model import Contact, Declaration, text
from pledge.declaration.vocabulary import label, since
from pledge.records import wording
from pledge.records.ropa import (
    country_name,
    headers,
    jurisdiction_name,
    ropa_rows,
)

SHEETS = {
    "record": ("Record of processing", "Registre des traitements"),
    "controller": ("Controller", "Responsable du traitement"),
    "retention": ("Retention", "Conservation"),
}
CONTROLLER_HEADERS = (("Section", "Rubrique"), ("Item", "Élément"), ("Value", "Valeur"))
RETENTION_HEADERS = (
    ("Reference", "Référence"),
    ("Rule", "Règle"),
    ("Duration", "Durée"),
    ("Counted from", "Point de départ"),
    ("At the end", "À l'échéance"),
    ("Required by", "Exigée par"),
    ("Used by", "Utilisée par"),
    ("In words", "En clair"),
)
LABELS: dict[str, tuple[str, str]] = {
    "organisation": ("Organisation", "Organisme"),
    "dpo": ("Data protection officer", "Délégué à la protection des données"),
    "representative": ("Representative", "Représentant"),
    "authority": ("Supervisory authority", "Autorité de contrôle"),
    "name": ("Name", "Nom"),
    "legal_name": ("Legal name", "Dénomination sociale"),
    "country": ("Country", "Pays"),
    "address": ("Address", "Adresse"),
    "email": ("Email", "E-mail"),
    "phone": ("Phone", "Téléphone"),
    "website": ("Website", "Site web"),
    "web_form": ("Web form", "Formulaire en ligne"),
    "jurisdictions": ("Jurisdictions", "Juridictions"),
    "roles": ("Roles", "Rôles"),
}
# Files carry this date instead of "now", so that writing twice gives identical bytes.
FIXED_TIME = dt.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MIN_WIDTH, MAX_WIDTH = 10, 60


def write_ropa_xlsx(declaration: Declaration, path: Path, lang: str = "en") -> None:
    """Write the record of processing to `path` as an .xlsx workbook in `lang`."""
    path.write_bytes(ropa_xlsx_bytes(declaration, lang))


def ropa_xlsx_bytes(declaration: Declaration, lang: str = "en") -> bytes:
    workbook = Workbook()
    record = workbook.active
    record.title = _word(SHEETS, "record", lang)
    rows = [row.cells("\n") for row in ropa_rows(declaration, lang)]
    _table(record, headers(lang), rows, freeze="C2")

    controller = workbook.create_sheet(_word(SHEETS, "controller", lang))
    columns = [en if lang != "fr" else fr for en, fr in CONTROLLER_HEADERS]
    _table(controller, columns, _controller_rows(declaration, lang), freeze="A2")

    retention = workbook.create_sheet(_word(SHEETS, "retention", lang))
    columns = [en if lang != "fr" else fr for en, fr in RETENTION_HEADERS]
    _table(retention, columns, _retention_rows(declaration, lang), freeze="C2")

    last_updated = declaration.notice.last_updated
    stamp = dt.datetime.combine(last_updated, dt.time()) if last_updated else FIXED_TIME
    workbook.properties.creator = "Pledge"
    workbook.properties.title = _word(SHEETS, "record", lang)
    workbook.properties.created = workbook.properties.modified = stamp
    return _deterministic(workbook)


def _word(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    return wording.words(table, key, lang)


def _table(sheet: Any, columns: list[str], rows: list[list[str]], *, freeze: str) -> None:
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = wrap
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = wrap
    sheet.freeze_panes = freeze
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    for index, header in enumerate(columns, start=1):
        values = [header] + [row[index - 1] for row in rows]
        longest = max(len(part) for value in values for part in value.split("\n"))
        width = min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = width


def _controller_rows(d: Declaration, lang: str) -> list[list[str]]:
    org = d.organisation
    section = _word(LABELS, "organisation", lang)
    rows = [
        [section, _word(LABELS, "name", lang), org.name],
        [section, _word(LABELS, "legal_name", lang), org.legal_name or ""],
        [section, _word(LABELS, "country", lang), country_name(org.country, lang)],
        [section, _word(LABELS, "address", lang), text(org.address, lang)],
        [section, _word(LABELS, "email", lang), org.email or ""],
        [section, _word(LABELS, "phone", lang), org.phone or ""],
        [section, _word(LABELS, "website", lang), org.website or ""],
    ]
    rows += [[section, text(r.registry, lang), r.number] for r in org.registrations]
    codes = ", ".join(jurisdiction_name(code, lang) for code in org.jurisdictions)
    rows.append([section, _word(LABELS, "jurisdictions", lang), codes])
    roles = ", ".join(label("role", role, lang) for role in org.roles)
    rows.append([section, _word(LABELS, "roles", lang), roles])
    if org.dpo:
        rows += _contact_rows(_word(LABELS, "dpo", lang), org.dpo, lang)
    for code, contact in org.representatives.items():
        title = f"{_word(LABELS, 'representative', lang)} ({jurisdiction_name(code, lang)})"
        rows += _contact_rows(title, contact, lang)
    for code in org.jurisdictions:
        rows += _authority_rows(d, code, lang)
    return [row for row in rows if row[2]]


def _contact_rows(section: str, contact: Contact, lang: str) -> list[list[str]]:
    items = [
        ("name", contact.name),
        ("address", text(contact.address, lang)),
        ("email", contact.email),
        ("phone", contact.phone),
        ("web_form", contact.web_form),
    ]
    return [[section, _word(LABELS, key, lang), value] for key, value in items if value]


def _authority_rows(d: Declaration, code: str, lang: str) -> list[list[str]]:
    section = f"{_word(LABELS, 'authority', lang)} ({jurisdiction_name(code, lang)})"
    declared = d.organisation.authorities.get(code)
    if declared is not None:
        items = [
            ("name", text(declared.name, lang)),
            ("address", text(declared.address, lang)),
            ("website", declared.website),
            ("email", declared.email),
            ("phone", declared.phone),
        ]
    else:
        try:
            default = jurisdiction(code).authority
        except UnknownJurisdiction:
            default = None
        if default is None:
            return []
        items = [
            ("name", default.name.get(lang, default.name["en"])),
            ("address", default.address),
            ("website", default.website),
            ("phone", default.phone),
        ]
    return [[section, _word(LABELS, key, lang), value] for key, value in items if value]


def _retention_rows(d: Declaration, lang: str) -> list[list[str]]:
    rows = []
    for key, rule in d.retention.items():
        users = [text(a.name, lang) for a in d.activities.values() if key in a.retention]
        tables = [
            f"{source_name}.{table_name}"
            for source_name, source in d.sources.items()
            for table_name, table in source.tables.items()
            if key in table.retention
        ]
        duration = rule.duration.describe(lang) if rule.duration else text(rule.criteria, lang)
        rows.append(
            [
                key,
                text(rule.name, lang),
                duration,
                since(rule.trigger, lang) if rule.trigger else "",
                wording.end_words(rule, lang),
                text(rule.required_by, lang),
                "\n".join(users + tables),
                wording.retention_words(rule, lang),
            ]
        )
    return rows


def _deterministic(workbook: Workbook) -> bytes:
    # openpyxl stamps every zip entry with the current time; copy the entries into a new
    # archive with a fixed time so that the same declaration always gives the same bytes.
    first = io.BytesIO()
    with zipfile.ZipFile(first, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    final = io.BytesIO()
    with (
        zipfile.ZipFile(first) as source,
        zipfile.ZipFile(final, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(entry.filename))
    return final.getvalue()
