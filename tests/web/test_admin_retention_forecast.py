"""The retention page's forecast and chart: counted from the demo company's databases, kept
a few minutes per declaration version, drawn to scale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from pledge.demo import CRM_URL_ENV, SHOP_URL_ENV
from pledge.retention.sweep import forecast
from pledge.services import Keys, Services
from pledge.web.admin_retention_chart import BAR_AREA, forecast_chart
from pledge.web.admin_retention_forecast import ForecastCache, forecast_for
from tests.demo.generated import Demo, close, generate
from tests.rights.demo import demo

NOW = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def company(tmp_path: Path) -> Iterator[tuple[Demo, Services]]:
    shop, crm = f"sqlite:///{tmp_path / 'shop.db'}", f"sqlite:///{tmp_path / 'crm.db'}"
    databases = generate(shop, crm, scale=25)
    declaration = demo()
    services = Services(
        declaration=lambda: declaration,
        keys=Keys.derive(b"a test secret, long enough to derive keys"),
        public_url="http://pledge.test",
        environ={SHOP_URL_ENV: shop, CRM_URL_ENV: crm},
    )
    try:
        yield databases, services
    finally:
        services.close()
        close(databases)


def test_the_forecast_counts_both_horizons_per_table(company: tuple[Demo, Services]) -> None:
    _, services = company
    engines = services.engines()

    view = forecast_for(services, demo(), NOW)

    assert view.chart is not None and view.problem == ""
    soon = forecast(demo(), engines, as_of=NOW, days=30)
    later = forecast(demo(), engines, as_of=NOW, days=90)
    assert {row.table: (row.soon, row.later) for row in view.rows} == {
        name: (soon[name], later[name]) for name in later
    }
    assert sum(later.values()) > 0


def test_a_forecast_is_kept_a_while_per_version(company: tuple[Demo, Services]) -> None:
    databases, services = company
    cache = ForecastCache(fresh_for=dt.timedelta(minutes=5))
    first = cache.get(services, demo(), 1, NOW)
    sessions = {row.table: row.later for row in first.rows}["shop.web_sessions"]
    assert sessions > 0
    with databases.shop.begin() as connection:
        connection.execute(sa.text("DELETE FROM web_sessions"))

    assert cache.get(services, demo(), 1, NOW + dt.timedelta(minutes=4)) is first
    recounted = cache.get(services, demo(), 2, NOW + dt.timedelta(minutes=4))  # a new version
    assert recounted is not first
    assert {row.table: row.later for row in recounted.rows}["shop.web_sessions"] == 0
    stale = cache.get(services, demo(), 2, NOW + dt.timedelta(minutes=9, seconds=1))
    assert stale is not recounted and stale.counted_at == NOW + dt.timedelta(minutes=9, seconds=1)


def test_a_forecast_that_fails_is_not_kept() -> None:
    declaration = demo()
    services = Services(
        declaration=lambda: declaration,
        keys=Keys.derive(b"a test secret, long enough to derive keys"),
        public_url="http://pledge.test",
        environ={},  # no URL for the sources
    )
    cache = ForecastCache()
    try:
        failed = cache.get(services, declaration, 1, NOW)
        assert failed.chart is None and failed.problem
        assert cache.get(services, declaration, 1, NOW) is not failed
    finally:
        services.close()


def test_the_bars_are_drawn_to_scale_largest_first() -> None:
    chart = forecast_chart(
        {"a.few": 1, "a.many": 50, "a.none": 0},
        {"a.few": 2, "a.many": 200, "a.none": 0},
    )
    assert [row.name for row in chart.rows] == ["a.many", "a.few", "a.none"]
    many, few, none = chart.rows
    assert [bar.width for bar in many.bars] == [BAR_AREA // 4, BAR_AREA]
    assert [bar.width for bar in few.bars] == [2, 4]  # 1/200 and 2/200 of the bar area
    assert [bar.width for bar in none.bars] == [0, 0]
    assert [bar.series for bar in many.bars] == ["soon", "later"]
    # Each bar below the one before it, the chart tall enough for the last.
    tops = [bar.y for row in chart.rows for bar in row.bars]
    assert tops == sorted(tops) and len(set(tops)) == 6
    assert chart.height > tops[-1]
    assert chart.description == (
        "Rows whose retention ends within 30 days: 51; within 90 days: 202, over 3 tables."
        " Most in a.many: 200 within 90 days."
    )


def test_a_handful_of_rows_beside_millions_still_shows_and_long_names_are_shortened() -> None:
    name = "warehouse.a_table_with_a_very_long_name"
    chart = forecast_chart({name: 3, "big.one": 0}, {name: 3, "big.one": 5_000_000})
    row = next(r for r in chart.rows if r.name == name)
    assert [bar.width for bar in row.bars] == [1, 1]
    assert row.label.endswith("…") and len(row.label) == 30 and name.startswith(row.label[:-1])
    assert forecast_chart({}, {}).empty
