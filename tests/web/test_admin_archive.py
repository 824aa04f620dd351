"""The console's archive against a served demo company (S003-22): only the role legal lists
and opens archived rows, each opening recorded; admin, privacy officers and viewers get 403
and see only how many rows the archive holds."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from pledge.auth.roles import Role
from pledge.retention.archive import Archived, add_archived, archive_reads
from pledge.retention.rules import TableRetention
from pledge.retention.sweep_record import Tally, begin_table, finish_table, start_run
from pledge.store.tables_retention import ArchivedRowRow
from tests.web.console import Console, serving_console

ARCHIVED_AT = dt.datetime(2025, 7, 1, 3, tzinfo=dt.UTC)
UNTIL = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with serving_console(tmp_path) as served:
        yield served


def archive_one(console: Console) -> int:
    """A customer row the sweep archived, sealed under the server's own key; its id."""
    row = Archived(
        key={"id": 7},
        columns={"email": "carla@example.com", "name": "Carla <Customer>", "since": None},
        rule="customers",
        until=UNTIL,
    )
    with console.store.session(write=True) as session:
        add_archived(
            session,
            source="crm",
            table="customers",
            rows=[row],
            run_id=1,
            package_key=console.keys.package,
            now=ARCHIVED_AT,
        )
    with console.store.session() as session:
        return session.scalars(select(ArchivedRowRow.id)).one()


def reads(console: Console, row_id: int) -> list[str]:
    with console.store.session() as session:
        return [r.read_by for r in archive_reads(session, row_id)]


def values(page: str) -> dict[str, str]:
    found = re.findall(r'<tr data-column="([^"]+)"><td>[^<]*</td><td>([^<]*)</td>', page)
    return {name: html.unescape(value) for name, value in found}


def test_legal_lists_the_archive_and_opens_a_row_each_opening_recorded(console: Console) -> None:
    row_id = archive_one(console)
    legal = console.signed_in("lea", Role.LEGAL)

    listing = legal.page("/admin/retention/archive")
    assert '<a href="/admin/retention/archive">Archive</a>' in listing  # in the nav, for legal
    assert "1 archived row." in listing
    line = re.search(rf'<tr data-row="{row_id}">(.*?)</tr>', listing, re.S)
    assert line is not None
    assert re.findall(r"<td>([^<]*)</td>", line.group(1)) == [
        "crm.customers",
        "customers",
        "2025-07-01 03:00 UTC",
        "2026-07-01 00:00 UTC",
    ]
    assert "carla" not in listing.lower()  # the list shows no value
    assert reads(console, row_id) == []

    opened = legal.page(f"/admin/retention/archive/{row_id}")
    assert values(opened) == {
        "id": "7",
        "email": "carla@example.com",
        "name": "Carla <Customer>",
        "since": "",
    }
    assert "staff:lea" in opened
    assert reads(console, row_id) == ["staff:lea"]
    legal.page(f"/admin/retention/archive/{row_id}")
    assert reads(console, row_id) == ["staff:lea", "staff:lea"]

    missing = legal.client.get("/admin/retention/archive/999")
    assert missing.status_code == 404
    assert "There is no archived row 999" in missing.text


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PRIVACY_OFFICER, Role.VIEWER])
def test_no_other_role_lists_or_opens_the_archive(console: Console, role: Role) -> None:
    row_id = archive_one(console)
    staff = console.signed_in("sam", role)

    for path in ("/admin/retention/archive", f"/admin/retention/archive/{row_id}"):
        refused = staff.client.get(path)
        assert refused.status_code == 403, path
        assert "carla" not in refused.text.lower()
    assert reads(console, row_id) == []

    # What they may know: how many rows it holds, on the retention page.
    page = staff.page("/admin/retention")
    count = re.search(r'<p id="archive-count">(.*?)</p>', page, re.S)
    assert count is not None
    assert " ".join(count.group(1).split()).startswith("1 row past its active period is kept")
    assert "/admin/retention/archive" not in page


def test_signing_in_is_needed_first(console: Console) -> None:
    row_id = archive_one(console)
    response = console.client().get(f"/admin/retention/archive/{row_id}")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/login")
    assert reads(console, row_id) == []


def test_a_run_page_shows_how_many_rows_went_to_the_archive(console: Console) -> None:
    customers = TableRetention("crm", "customers", (), "delete")
    run_id = start_run(console.store, as_of=ARCHIVED_AT, dry_run=False, started_by="test")
    begin_table(console.store, run_id, customers)
    tally = Tally(archived=3, batches=1)
    finish_table(console.store, run_id, customers, tally=tally, held=0, referenced=0, notes=[])
    admin = console.signed_in("ada", Role.ADMIN)

    page = admin.page(f"/admin/retention/runs/{run_id}")

    header = re.findall(r"<th[^>]*>([^<]*)</th>", page)
    row = re.search(r'<tr data-table="crm.customers">(.*?)</tr>', page, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
    assert cells[header.index("Archived")] == "3"
