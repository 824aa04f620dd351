"""The record as a workbook, reopened with openpyxl the way a reader's spreadsheet would."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

from pledge.records.ropa import COLUMNS, headers
from pledge.records.ropa_xlsx import ropa_xlsx_bytes, write_ropa_xlsx
from tests.records.demo import demo, variant, with_archive, with_us_analytics


def open_workbook(path: Path) -> Any:
    return openpyxl.load_workbook(path)


def record_rows(sheet: Any) -> dict[str, dict[str, Any]]:
    """The main sheet as {reference: {header: value}}."""
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    return {line[0]: dict(zip(header, line, strict=True)) for line in values[1:]}


def test_three_sheets_with_the_record_first(tmp_path: Path) -> None:
    path = tmp_path / "ropa.xlsx"
    write_ropa_xlsx(demo(), path, "en")
    workbook = open_workbook(path)
    assert workbook.sheetnames == ["Record of processing", "Controller", "Retention"]


def test_the_record_sheet_has_a_bold_frozen_filtered_header_and_a_row_per_activity(
    tmp_path: Path,
) -> None:
    declaration = demo()
    path = tmp_path / "ropa.xlsx"
    write_ropa_xlsx(declaration, path, "en")
    sheet = open_workbook(path)["Record of processing"]
    assert [c.value for c in sheet[1]] == headers("en")
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == "A1:P8"
    assert sheet.max_row == len(declaration.activities) + 1
    assert all(cell.alignment.wrap_text for line in sheet.iter_rows() for cell in line)
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKLMNOP"]
    assert all(10 <= width <= 60 for width in widths)
    assert widths[0] < widths[2]  # the short reference column is narrower than the purposes


def test_cells_hold_the_record_in_words(tmp_path: Path) -> None:
    path = tmp_path / "ropa.xlsx"
    write_ropa_xlsx(demo(), path, "en")
    rows = record_rows(open_workbook(path)["Record of processing"])
    accounting = rows["accounting"]
    assert accounting["Legal basis"] == (
        "Legal obligation (Art. 6(1)(c))\nObligation: UK company law and HMRC rules require "
        "us to keep accounting records for six years."
    )
    assert accounting["Retention and erasure"] == (
        "Invoices: 6 years from the date of issue, then deleted (Companies Act 2006, s. 388)"
    )
    assert accounting["Transfers to third countries and safeguards"] == "None"
    assert rows["orders"]["Systems holding the data"] == (
        "shop.customers\nshop.customer_addresses\nshop.addresses\nshop.orders\n"
        "shop.order_lines\nshop.payments"
    )
    assert rows["newsletter"]["Categories of personal data"] == (
        "Email address\nMarketing preferences"
    )


def test_a_recipient_outside_the_home_region_shows_in_the_transfers_column(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ropa.xlsx"
    write_ropa_xlsx(variant(with_us_analytics), path, "en")
    rows = record_rows(open_workbook(path)["Record of processing"])
    assert rows["analytics"]["Transfers to third countries and safeguards"] == (
        "Acme Insights Inc. (United States): Standard contractual clauses\n"
        "Bharat Dashboards (India): no safeguard declared"
    )
    assert rows["orders"]["Transfers to third countries and safeguards"] == "None"


def test_the_controller_sheet_lists_the_organisation_dpo_representative_and_authorities(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ropa.xlsx"
    write_ropa_xlsx(demo(), path, "en")
    sheet = open_workbook(path)["Controller"]
    rows = [tuple(line) for line in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("Section", "Item", "Value")
    assert ("Organisation", "Legal name", "Maple & Finch Ltd") in rows
    assert ("Organisation", "Companies House", "09876543") in rows
    assert ("Data protection officer", "Email", "dpo@maplefinch.example") in rows
    representative = "Representative (European Union)"
    assert (representative, "Name", "Finch Representation SARL") in rows
    # Declared for the EU; the UK and California fall back to the built-in profiles.
    authorities = {row[0]: row[2] for row in rows if row[1] == "Name"}
    assert authorities["Supervisory authority (European Union)"].startswith("CNIL")
    assert authorities["Supervisory authority (United Kingdom)"] == (
        "Information Commissioner's Office (ICO)"
    )
    assert (
        "California Privacy Protection Agency" in authorities["Supervisory authority (California)"]
    )
    assert all(row[2] for row in rows)  # no empty values


def test_an_archive_shows_on_the_record_and_at_the_end_of_its_rule(tmp_path: Path) -> None:
    for lang, sheets, at_end, cell in (
        (
            "en",
            ("Record of processing", "Retention"),
            "archived (restricted access) for 2 years, then deleted",
            "Customer accounts: 3 years from last contact, then archived (restricted access) "
            "for 2 years, then deleted",
        ),
        (
            "fr",
            ("Registre des traitements", "Conservation"),
            "archivées (accès restreint) pendant 2 ans, puis supprimées",
            "Comptes clients : 3 ans à compter du dernier contact, puis archivées (accès "
            "restreint) pendant 2 ans, puis supprimées",
        ),
    ):
        path = tmp_path / f"ropa-{lang}.xlsx"
        write_ropa_xlsx(variant(with_archive), path, lang)
        workbook = open_workbook(path)
        retention_header = next(c for c in COLUMNS if c.key == "retention").header(lang)
        orders = record_rows(workbook[sheets[0]])["orders"]
        assert orders[retention_header].split("\n")[0] == cell
        retention = list(workbook[sheets[1]].iter_rows(values_only=True))
        account = next(line for line in retention if line[0] == "customer_account")
        assert account[2:5] == (
            "3 years" if lang == "en" else "3 ans",
            "from last contact" if lang == "en" else "à compter du dernier contact",
            at_end,
        )
        assert account[7] == cell.split(": " if lang == "en" else " : ", 1)[1]
        invoices = next(line for line in retention if line[0] == "invoices")
        assert invoices[4] == ("deleted" if lang == "en" else "supprimées")


def test_the_retention_sheet_has_a_row_per_rule_and_who_uses_it(tmp_path: Path) -> None:
    declaration = demo()
    path = tmp_path / "ropa.xlsx"
    write_ropa_xlsx(declaration, path, "en")
    sheet = open_workbook(path)["Retention"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == (
        "Reference",
        "Rule",
        "Duration",
        "Counted from",
        "At the end",
        "Required by",
        "Used by",
        "In words",
    )
    assert len(values) == len(declaration.retention) + 1
    invoices = next(line for line in values if line[0] == "invoices")
    assert invoices[1:6] == (
        "Invoices",
        "6 years",
        "from the date of issue",
        "deleted",
        "Companies Act 2006, s. 388",
    )
    assert invoices[6] == (
        "Taking and delivering your orders\nAccounting and tax\n"
        "shop.orders\nshop.payments\nshop.invoices"
    )
    newsletter = next(line for line in values if line[0] == "newsletter")
    assert newsletter[7] == "deleted on consent withdrawal; ends early on objection"


def test_french_sheets_and_headers(tmp_path: Path) -> None:
    path = tmp_path / "registre.xlsx"
    write_ropa_xlsx(demo(), path, "fr")
    workbook = open_workbook(path)
    assert workbook.sheetnames == [
        "Registre des traitements",
        "Responsable du traitement",
        "Conservation",
    ]
    sheet = workbook["Registre des traitements"]
    assert [c.value for c in sheet[1]] == headers("fr")
    rows = record_rows(sheet)
    assert rows["accounting"]["Base légale"].startswith("Obligation légale (art. 6(1)(c))\n")
    assert [c.value for c in workbook["Conservation"][1]][:3] == ["Référence", "Règle", "Durée"]


def test_the_same_declaration_gives_the_same_bytes() -> None:
    declaration = demo()
    first = ropa_xlsx_bytes(declaration, "en")
    assert ropa_xlsx_bytes(declaration, "en") == first
    # Nothing in the file depends on when it was written: entries carry a fixed time and the
    # document's dates are the notice's last update.
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert declaration.notice.last_updated is not None
    reopened = openpyxl.load_workbook(io.BytesIO(first))
    expected = dt.datetime.combine(declaration.notice.last_updated, dt.time())
    assert reopened.properties.created == expected
    assert reopened.properties.modified == expected
