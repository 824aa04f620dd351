"""The package Jane downloads: her demo data four ways, explained, sealed, behind a link."""

from __future__ import annotations

import csv
import html
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa

from pledge.declaration.load import parse_declaration
from pledge.declaration.model import Declaration
from pledge.declaration.vocabulary import basis_with_article, period
from pledge.demo import JANE_EMAIL, JOHN_EMAIL
from pledge.errors import PledgeError
from pledge.records.ropa import category_name
from pledge.rights.package import build_package
from pledge.rights.package_crypto import download_token, seal, unseal, verify_download_token
from pledge.sources.access import AccessResult, SharedRow, TableAccess, execute_access
from pledge.sources.plan import build_plan
from pledge.sources.schema import reflect_schema
from tests.demo.generated import close, generate
from tests.rights.demo import DEMO, demo

WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
REF = "R-2026-0042"
SCRIPT = "<script>alert('x')</script>"


@dataclass(frozen=True)
class Access:
    result: AccessResult
    others: frozenset[str]  # values only other customers' rows hold


def run_access(tmp: Path, declaration: Declaration) -> Access:
    made = generate(f"sqlite:///{tmp / 'shop.db'}", f"sqlite:///{tmp / 'crm.db'}")
    try:
        customers = sa.table("customers", sa.column("id"), sa.column("email"), sa.column("phone"))
        tickets = sa.table("support_tickets", sa.column("id"), sa.column("subject"))
        with made.shop.begin() as connection:
            connection.execute(sa.update(tickets).where(tickets.c.id == 1).values(subject=SCRIPT))
            rows = connection.execute(
                sa.select(customers.c.email, customers.c.phone).where(
                    customers.c.email != JANE_EMAIL
                )
            ).all()
        engines = {"shop": made.shop, "crm": made.crm}
        schemas = {name: reflect_schema(engine) for name, engine in engines.items()}
        plan = build_plan(declaration, schemas, {"email": JANE_EMAIL})
        result = execute_access(plan, engines)
    finally:
        close(made)
    others = {value for row in rows for value in row if value}
    return Access(result, frozenset(others))


@pytest.fixture(scope="module")
def access(tmp_path_factory: pytest.TempPathFactory) -> Access:
    return run_access(tmp_path_factory.mktemp("demo"), demo())


def package(access: Access, **options: Any) -> zipfile.ZipFile:
    options = {"lang": "en", "request_ref": REF, "generated_at": WHEN, **options}
    return zipfile.ZipFile(io.BytesIO(build_package(demo(), access.result, **options)))


def data(archive: zipfile.ZipFile) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(archive.read("data.json"))
    return loaded


def test_data_json_holds_janes_rows_with_categories_and_no_one_elses(access: Access) -> None:
    archive = package(access)
    document = data(archive)
    customers = document["sources"]["shop"]["customers"]["records"]
    assert customers[0]["email"] == {
        "value": JANE_EMAIL,
        "category": "contact.email",
        "category_name": category_name(demo(), "contact.email", "en"),
    }
    assert customers[0]["id"]["category"] is None
    orders = document["sources"]["shop"]["orders"]["records"]
    assert len(orders) == len(access.result.table("shop", "orders").rows) >= 2
    assert [o["id"]["value"] for o in orders] == sorted(o["id"]["value"] for o in orders)
    assert document["sources"]["crm"]["contacts"]["records"][0]["email"]["value"] == JANE_EMAIL
    everything = b"".join(archive.read(name) for name in archive.namelist() if name != "data.xlsx")
    assert JOHN_EMAIL.encode() not in everything
    assert access.others and not {v for v in access.others if v.encode() in everything}
    assert document["portability"] is False and document["left_out"] == []


def test_a_shared_address_is_described_without_its_street(access: Access) -> None:
    addresses = data(package(access))["sources"]["shop"]["addresses"]
    address = category_name(demo(), "contact.postal_address", "en")
    assert addresses["shared_records"] == [
        {
            "description": f"a record you share with someone else, holding: {address}",
            "categories": [{"category": "contact.postal_address", "category_name": address}],
        }
    ]
    assert "Clifton Park Road" not in json.dumps(addresses)
    assert "Temple Quay House" in json.dumps(addresses)  # her own office address is hers


def test_csv_files_parse_back_with_a_bom_and_a_header(access: Access) -> None:
    archive = package(access)
    tables = access.result.tables
    assert sorted(n for n in archive.namelist() if n.startswith("csv/")) == sorted(
        f"csv/{t.source}.{t.table}.csv" for t in tables
    )
    raw = archive.read("csv/shop.customers.csv")
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row["email"] for row in rows] == [JANE_EMAIL]
    assert list(rows[0]) == list(access.result.table("shop", "customers").columns)
    tickets = list(csv.DictReader(io.StringIO(archive.read("csv/shop.support_tickets.csv")
                                               .decode("utf-8-sig"))))  # fmt: skip
    assert SCRIPT in {row["subject"] for row in tickets}


def test_the_workbook_has_one_sheet_per_table_with_a_bold_frozen_header(access: Access) -> None:
    archive = package(access)
    workbook = openpyxl.load_workbook(io.BytesIO(archive.read("data.xlsx")))
    assert workbook.sheetnames == [f"{t.source}.{t.table}" for t in access.result.tables]
    sheet = workbook["shop.customers"]
    assert [c.value for c in sheet[1]] == list(access.result.table("shop", "customers").columns)
    assert all(c.font.bold for c in sheet[1]) and sheet.freeze_panes == "A2"
    assert JANE_EMAIL in [c.value for c in sheet[2]]


def test_sheet_names_fit_excel_and_stay_unique() -> None:
    long = "a_table_with_a_name_far_longer_than_excel_allows"
    tables = tuple(
        TableAccess("warehouse", name, {"id": None}, ({"id": 1},), ())
        for name in (long + "_one", long + "_two", "odd[name]")
    )
    result = AccessResult(tables, ())
    raw = build_package(demo(), result, lang="en", request_ref=REF, generated_at=WHEN)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        names = openpyxl.load_workbook(io.BytesIO(archive.read("data.xlsx"))).sheetnames
    assert all(len(n) <= 31 for n in names) and len({n.lower() for n in names}) == 3
    assert names[2] == "warehouse.odd_name_"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_report_says_why_from_where_to_whom_and_how_long(access: Access, lang: str) -> None:
    raw = package(access, lang=lang).read("report.html").decode()
    report = html.unescape(raw)
    d = demo()
    account = d.retention["customer_account"]
    orders = d.activities["orders"]
    assert period(account.duration, account.trigger, lang) in report
    assert f"<strong>{d.activities['orders'].name[lang]}</strong>" in report
    assert basis_with_article("contract", lang, gdpr=True) in report
    assert basis_with_article("legitimate_interests", lang, gdpr=True) in report
    assert d.recipients["couriers"].name[lang] in report
    assert d.activities["fraud"].legitimate_interests is not None
    assert d.activities["fraud"].legitimate_interests[lang] in report
    assert orders.description is not None and orders.description[lang] in report
    assert REF in report and f'<html lang="{lang}">' in report
    assert SCRIPT not in raw and SCRIPT in report  # shown as text, never run


def test_the_french_report_reads_in_french(access: Access) -> None:
    report = html.unescape(package(access, lang="fr").read("report.html").decode())
    assert "3 ans à compter du dernier contact" in report
    assert "Contrat (art. 6(1)(b))" in report
    assert "un enregistrement que vous partagez avec une autre personne" in report


def test_same_input_same_bytes(access: Access) -> None:
    def build(lang: str) -> bytes:
        return build_package(demo(), access.result, lang=lang, request_ref=REF, generated_at=WHEN)

    first = build("en")
    assert first == build("en")
    assert first != build("fr")


def test_portability_keeps_consent_and_contract_tables_and_says_what_it_left(
    access: Access,
) -> None:
    archive = package(access, portability=True)
    document = data(archive)
    kept = {f"{s}.{t}" for s, tables in document["sources"].items() for t in tables}
    assert {"shop.customers", "shop.orders", "shop.newsletter_contacts"} <= kept
    assert not kept & {"shop.invoices", "shop.support_tickets", "crm.contacts"}
    assert document["portability"] is True
    left = "\n".join(document["left_out"])
    assert "shop.invoices: used neither with your consent nor under a contract" in left
    assert "legal obligation" in left
    report = archive.read("report.html").decode()
    assert "What this copy leaves out, and why" in report and "shop.support_tickets" in report
    assert "csv/shop.invoices.csv" not in archive.namelist()


def test_portability_leaves_out_data_we_inferred(tmp_path: Path) -> None:
    source = DEMO.read_text()
    assert "user_agent: online.device" in source
    changed = parse_declaration(
        source.replace("user_agent: online.device", "user_agent: inference.profile")
    ).declaration
    result = run_access(tmp_path, changed).result
    assert "user_agent" in result.table("shop", "web_sessions").columns
    raw = build_package(
        changed, result, lang="en", request_ref=REF, generated_at=WHEN, portability=True
    )
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        document = data(archive)
        sessions = document["sources"]["shop"]["web_sessions"]
        assert "user_agent" not in sessions["columns"] and sessions["records"]
        assert any("column user_agent" in line for line in document["left_out"])
        assert "Mozilla" not in archive.read("csv/shop.web_sessions.csv").decode("utf-8-sig")


def test_an_unknown_language_is_refused(access: Access) -> None:
    with pytest.raises(PledgeError, match="no report in 'de'"):
        build_package(demo(), access.result, lang="de", request_ref=REF, generated_at=WHEN)


def test_a_shared_row_of_the_result_is_what_reaches_the_package() -> None:
    table = TableAccess("shop", "addresses", {"id": None}, (), (SharedRow(("contact.email",)),))
    raw = build_package(demo(), AccessResult((table,), ()), lang="fr", request_ref=REF,
                        generated_at=WHEN)  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        shared = data(archive)["sources"]["shop"]["addresses"]["shared_records"]
    assert shared[0]["description"].startswith("un enregistrement que vous partagez")


KEY = bytes(range(32))


def test_seal_round_trip_and_refusals() -> None:
    blob = seal(b"the package", KEY, ref=REF)
    assert unseal(blob, KEY, ref=REF) == b"the package"
    assert seal(b"the package", KEY, ref=REF) != blob  # a fresh nonce each time
    assert b"the package" not in blob
    for key, ref in ((bytes(32), REF), (KEY, "R-2026-0043")):
        with pytest.raises(PledgeError, match="cannot be opened"):
            unseal(blob, key, ref=ref)
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(PledgeError, match="cannot be opened"):
        unseal(tampered, KEY, ref=REF)
    with pytest.raises(PledgeError, match="16, 24 or 32 bytes"):
        seal(b"x", b"short", ref=REF)


def test_download_tokens_expire_and_refuse_tampering() -> None:
    expires = WHEN + timedelta(hours=24)
    token = download_token(REF, key=KEY, expires_at=expires)
    assert all(c.isalnum() or c in "-_." for c in token)
    assert verify_download_token(token, key=KEY, now=WHEN) == REF
    name, expiry, signature = token.split(".")
    forged_ref = download_token("R-2026-0043", key=KEY, expires_at=expires).split(".")[0]
    refused = [
        (token, expires),  # expired at the exact moment
        (token, expires + timedelta(seconds=1)),
        (f"{name}.{int(expiry) + 3600}.{signature}", WHEN),  # a longer life
        (f"{forged_ref}.{expiry}.{signature}", WHEN),  # another request
        (download_token(REF, key=bytes(32), expires_at=expires), WHEN),  # another key
        (f"{name}.{expiry}.{signature[:-2]}", WHEN),
        ("not-a-token", WHEN),
        ("", WHEN),
    ]
    messages = set()
    for candidate, now in refused:
        with pytest.raises(PledgeError) as raised:
            verify_download_token(candidate, key=KEY, now=now)
        messages.add((raised.value.message, raised.value.hint))
    assert messages == {("this download link is not valid", "ask for a new link")}
    with pytest.raises(PledgeError, match="time zone"):
        download_token(REF, key=KEY, expires_at=datetime(2026, 11, 21))
