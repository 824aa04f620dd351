"""The console's retention page against a served demo company: runs, the next sweep, holds,
children, the forecast as an SVG chart; a dry run for privacy officers and a sweep now for
admins, each guarded by role and CSRF token."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from pledge.auth.roles import Role
from pledge.demo import CRM_URL_ENV, DEMO_PERSON, SHOP_URL_ENV
from pledge.jobs import JOBS, Runner
from pledge.retention.events import record_event
from pledge.retention.holds import place_hold
from pledge.retention.rules import compile_retention
from pledge.retention.schedule import SWEEP_JOB
from pledge.retention.sweep import run_sweep
from pledge.services import Services
from pledge.store.tables import JobRow, SweepRunRow
from tests.demo.generated import Demo, close, generate
from tests.web.console import Console, Staff, serving_console

HELD = "held.person@example.com"
CHILD = "young.one@example.com"


@dataclass
class Company:
    console: Console
    databases: Demo
    environ: dict[str, str]

    def services(self) -> Services:
        """Services as the server has them: the same declaration, databases and keys."""
        return Services(
            declaration=lambda: self.console.declaration,
            keys=self.console.keys,
            public_url=self.console.url,
            environ=self.environ,
        )

    def sweep_jobs(self) -> list[JobRow]:
        with self.console.store.session() as session:
            query = select(JobRow).where(JobRow.kind == SWEEP_JOB).order_by(JobRow.id)
            return list(session.scalars(query))

    def runs(self) -> list[SweepRunRow]:
        with self.console.store.session() as session:
            return list(session.scalars(select(SweepRunRow).order_by(SweepRunRow.id)))

    def shop_rows(self) -> int:
        with self.databases.shop.connect() as connection:
            tables = sa.inspect(connection).get_table_names()
            return sum(
                connection.execute(sa.text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
                for name in tables
            )


@pytest.fixture
def company(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Company]:
    shop, crm = f"sqlite:///{tmp_path / 'shop.db'}", f"sqlite:///{tmp_path / 'crm.db'}"
    databases = generate(shop, crm, scale=25)
    monkeypatch.setenv(SHOP_URL_ENV, shop)
    monkeypatch.setenv(CRM_URL_ENV, crm)
    monkeypatch.setenv("PLEDGE_SWEEP_AT", "04:45")
    monkeypatch.setenv("PLEDGE_SWEEP_EVERY", "12 hours")
    try:
        with serving_console(tmp_path) as console:
            yield Company(console, databases, {SHOP_URL_ENV: shop, CRM_URL_ENV: crm})
    finally:
        close(databases)


def section(page: str, heading_id: str) -> str:
    found = re.search(rf'<h2 id="{heading_id}">.*?</section>', page, re.DOTALL)
    assert found, f"the page has no section '{heading_id}'"
    return found.group(0)


def cells(fragment: str) -> list[list[str]]:
    """The body rows of the tables in `fragment`, as text."""
    rows = re.findall(r"<tr[^>]*>\s*<td.*?</tr>", fragment, re.DOTALL)
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
        for cells in (re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL) for row in rows)
    ]


def forms(page: str) -> list[str]:
    return re.findall(r'<form method="post" action="/admin/retention/([a-z]+)"', page)


def flash(page: str) -> str:
    found = re.search(r'<p class="flash (done|error)"[^>]*>(.*?)</p>', page, re.DOTALL)
    assert found, "the page shows no message"
    return f"{found.group(1)}: {html.unescape(found.group(2))}"


def post(staff: Staff, action: str, *, csrf: bool = True) -> int:
    data = {"csrf_token": staff.csrf} if csrf else {}
    return staff.client.post(f"/admin/retention/{action}", data=data).status_code


def test_the_server_queues_the_next_sweep_of_its_schedule_at_start(company: Company) -> None:
    [queued] = company.sweep_jobs()
    slot = queued.run_after
    assert queued.state == "pending" and queued.ref == slot.strftime("%Y-%m-%dT%H:%MZ")
    assert (slot.hour, slot.minute) in {(4, 45), (16, 45)}
    assert dt.timedelta(0) < slot - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=12)

    page = company.console.signed_in("vera", Role.VIEWER).page("/admin/retention")

    assert "Scheduled sweeps: <strong>every 12 hours at 04:45 UTC</strong>" in page
    shown = re.search(r'<strong id="next-sweep">([^<]+)</strong>', page)
    assert shown and shown.group(1) == slot.strftime("%Y-%m-%d %H:%M UTC")


def test_a_viewer_sees_runs_holds_children_and_the_forecast_as_a_chart(company: Company) -> None:
    console = company.console
    now = dt.datetime.now(dt.UTC)
    services = company.services()
    try:
        dry = run_sweep(console.store, services, now=now, dry_run=True, started_by="test:seed")
    finally:
        services.close()
    would_go = sum(t.expired - t.referenced + t.referenced_anonymised for t in dry.tables)
    with console.store.session(write=True) as session:
        place_hold(
            session,
            console.declaration,
            email=HELD,
            reason="dispute D-9",
            until=dt.date(2027, 6, 30),
            scope=["shop.orders"],
            actor="staff:olive",
            now=now,
        )
        record_event(
            session,
            kind="child",
            email=CHILD,
            occurred_on=now.date(),
            actor="staff:olive",
            note=None,
            now=now,
        )
    viewer = console.signed_in("vera", Role.VIEWER)

    page = viewer.page("/admin/retention")

    assert '<a href="/admin/retention">Retention</a>' in page  # in the console's nav
    assert forms(page) == []  # a viewer reads
    [run] = cells(section(page, "runs"))
    assert run[1:4] == ["test:seed", "dry run", "done"]
    assert int(run[4]) + int(run[5]) == would_go > 0
    assert f'<tr data-run="{dry.run_id}">' in page
    assert cells(section(page, "holds")) == [[HELD, "shop.orders", "dispute D-9", "2027-06-30"]]
    assert cells(section(page, "children")) == [
        [CHILD, now.date().isoformat(), "staff:olive", "to erase at the next sweep"]
    ]
    assert DEMO_PERSON not in page  # counts and names, no value from the company's rows

    chart = section(page, "forecast")
    svg = re.search(r"<svg.*?</svg>", chart, re.DOTALL)
    assert svg, "the forecast is drawn as inline SVG"
    assert 'role="img" aria-labelledby="forecast-chart-title forecast-chart-desc"' in svg.group(0)
    assert '<title id="forecast-chart-title">' in svg.group(0)
    assert re.search(r'<desc id="forecast-chart-desc">Rows whose retention ends', svg.group(0))
    assert "<script" not in page
    # The table beside it gives the numbers the bars are drawn from, table by table.
    table = {row[0]: (int(row[1]), int(row[2])) for row in cells(chart)}
    assert set(table) == {t.name for t in compile_retention(console.declaration)}
    drawn = dict(
        re.findall(r'<g class="row" data-table="([^"]+)">.*?data-value="(\d+)"', svg.group(0), re.S)
    )
    assert {name: int(value) for name, value in drawn.items()} == {
        name: soon for name, (soon, _) in table.items()
    }
    assert all(soon <= later for soon, later in table.values())
    assert any(later > 0 for _, later in table.values())


def test_a_run_has_a_page_of_its_tables(company: Company) -> None:
    console = company.console
    services = company.services()
    try:
        dry = run_sweep(
            console.store, services, now=dt.datetime.now(dt.UTC), dry_run=True, started_by="test"
        )
    finally:
        services.close()
    viewer = console.signed_in("vera", Role.VIEWER)

    page = viewer.page(f"/admin/retention/runs/{dry.run_id}")

    assert f"<h1>Dry run {dry.run_id}</h1>" in page
    shown = {row[0]: row for row in cells(section(page, "tables"))}
    assert set(shown) == {t.name for t in dry.tables}
    for table in dry.tables:
        assert shown[table.name][2] == table.action
        assert int(shown[table.name][5]) == table.held
    for missing in ("999999", "nope"):
        response = viewer.client.get(f"/admin/retention/runs/{missing}")
        assert response.status_code == 404
        assert "there is no sweep run" in html.unescape(response.text).lower()


def test_a_dry_run_needs_a_privacy_officer_and_the_csrf_token(company: Company) -> None:
    console = company.console
    viewer = console.signed_in("vera", Role.VIEWER)
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)
    before = company.shop_rows()

    assert post(viewer, "preview") == 403
    assert post(officer, "preview", csrf=False) == 403
    assert company.runs() == []
    assert forms(officer.page("/admin/retention")) == ["preview"]

    response = officer.client.post("/admin/retention/preview", data={"csrf_token": officer.csrf})

    assert response.status_code == 303
    [run] = company.runs()
    assert response.headers["location"] == f"/admin/retention/runs/{run.id}"
    assert (run.dry_run, run.started_by, run.state) == (True, "staff:olive", "done")
    page = officer.page(response.headers["location"])
    assert "Nothing was changed" in page
    assert company.shop_rows() == before
    # Back from the login page after a session ended: the retention page, nothing run.
    assert officer.client.get("/admin/retention/preview").headers["location"] == "/admin/retention"


def test_a_sweep_now_needs_an_admin_and_is_queued_then_listed(company: Company) -> None:
    console = company.console
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)
    admin = console.signed_in("ada", Role.ADMIN)
    scheduled = [job.ref for job in company.sweep_jobs()]

    assert post(officer, "run") == 403
    assert post(admin, "run", csrf=False) == 403
    assert [job.ref for job in company.sweep_jobs()] == scheduled
    assert forms(admin.page("/admin/retention")) == ["preview", "run"]

    response = admin.client.post("/admin/retention/run", data={"csrf_token": admin.csrf})

    assert (response.status_code, response.headers["location"]) == (303, "/admin/retention")
    page = admin.page("/admin/retention")
    assert flash(page).startswith("done: A sweep is queued")
    [manual] = [job for job in company.sweep_jobs() if job.ref.startswith("manual:")]
    assert manual.state == "pending"
    assert cells(section(page, "runs"))[0][1:4] == ["staff:ada", "sweep", "queued"]

    # The server here runs no jobs: a runner beside it takes the sweep, as a worker would.
    services = company.services()
    try:
        assert Runner(console.store, JOBS, services=services).run_pending().done == 1
    finally:
        services.close()
    [run] = company.runs()
    assert (run.dry_run, run.started_by, run.state) == (False, "staff:ada", "done")
    listed = cells(section(admin.page("/admin/retention"), "runs"))
    assert [row[1:4] for row in listed] == [["staff:ada", "sweep", "done"]]


def test_a_forecast_that_cannot_be_counted_says_why_and_the_page_still_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crm = f"sqlite:///{tmp_path / 'crm.db'}"
    close(generate(f"sqlite:///{tmp_path / 'shop.db'}", crm, scale=25))
    # A database file in a folder that does not exist: SQLite cannot open it.
    monkeypatch.setenv(SHOP_URL_ENV, f"sqlite:///{tmp_path / 'gone' / 'shop.db'}")
    monkeypatch.setenv(CRM_URL_ENV, crm)
    with serving_console(tmp_path) as console:
        viewer = console.signed_in("vera", Role.VIEWER)

        page = viewer.page("/admin/retention")

    problem = re.search(r'<p class="error" role="alert">(.*?)</p>', section(page, "forecast"))
    assert problem, "the page says the forecast failed"
    text = html.unescape(problem.group(1))
    assert text.startswith("The forecast could not be counted: counting the rows failed:")
    assert "unable to open database file" in text
    assert "<svg" not in page
    assert "No sweep has run yet." in page
