"""The record as CSV, read back with the csv module."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pledge.records.ropa import headers
from pledge.records.ropa_csv import write_ropa_csv
from tests.records.demo import demo, variant, with_archive, with_us_analytics


def read_back(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def test_a_file_starts_with_a_utf8_bom_for_excel(tmp_path: Path) -> None:
    path = tmp_path / "ropa.csv"
    write_ropa_csv(demo(), path, "fr")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfR\xc3\xa9f\xc3\xa9rence,")  # BOM, then "Référence"
    assert raw.count(b"\xef\xbb\xbf") == 1


def test_one_row_per_activity_with_values_joined_by_semicolons(tmp_path: Path) -> None:
    declaration = demo()
    path = tmp_path / "ropa.csv"
    write_ropa_csv(declaration, path, "en")
    rows = read_back(path)
    assert list(rows[0]) == headers("en")
    assert [row["Reference"] for row in rows] == list(declaration.activities)
    orders = rows[0]
    assert orders["Recipients"] == (
        "Stripe Payments Europe (processor, Ireland); "
        "Royal Mail and DPD (third party, United Kingdom)"
    )
    assert orders["Systems holding the data"] == (
        "shop.customers; shop.customer_addresses; shop.addresses; shop.orders; "
        "shop.order_lines; shop.payments"
    )
    accounting = next(row for row in rows if row["Reference"] == "accounting")
    assert accounting["Legal basis"].startswith("Legal obligation (Art. 6(1)(c)); Obligation: ")
    # Several values share one line, so each record is exactly one CSV line.
    assert path.read_bytes().count(b"\r\n") == len(declaration.activities) + 1
    assert b"\n" not in path.read_bytes().replace(b"\r\n", b"")


def test_a_stream_gets_the_same_text_and_transfers_show(tmp_path: Path) -> None:
    declaration = variant(with_us_analytics)
    stream = io.StringIO()
    write_ropa_csv(declaration, stream, "en")
    path = tmp_path / "ropa.csv"
    write_ropa_csv(declaration, str(path), "en")
    assert stream.getvalue() == path.read_bytes().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(stream.getvalue().removeprefix("\ufeff"))))
    analytics = next(row for row in rows if row["Reference"] == "analytics")
    assert analytics["Transfers to third countries and safeguards"] == (
        "Acme Insights Inc. (United States): Standard contractual clauses; "
        "Bharat Dashboards (India): no safeguard declared"
    )


def test_french_text_survives_the_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "registre.csv"
    write_ropa_csv(demo(), path, "fr")
    rows = read_back(path)
    assert list(rows[0])[6] == "Délégué à la protection des données"
    accounting = next(row for row in rows if row["Référence"] == "accounting")
    assert accounting["Traitement"] == "Comptabilité et fiscalité"
    assert accounting["Transferts vers des pays tiers et garanties"] == "Aucun"


def test_an_archive_is_stated_in_the_retention_cell(tmp_path: Path) -> None:
    path = tmp_path / "ropa.csv"
    write_ropa_csv(variant(with_archive), path, "en")
    orders = next(row for row in read_back(path) if row["Reference"] == "orders")
    assert orders["Retention and erasure"] == (
        "Customer accounts: 3 years from last contact, then archived (restricted access) for "
        "2 years, then deleted; "
        "Invoices: 6 years from the date of issue, then deleted (Companies Act 2006, s. 388)"
    )
