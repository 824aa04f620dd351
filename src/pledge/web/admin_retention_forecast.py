"""What expires in the next 30 and 90 days, per table, or why it could not be counted.

The counts come from the company's databases as they are now (pledge.retention.sweep's
forecast, one COUNT per table and horizon): on large tables each is a scan, so a forecast is
kept a few minutes for the page's next views (`ForecastCache`). A source that cannot be
reached is named, with the database's first line of complaint, never a statement or its
values.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError, StatementError

from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.retention.sweep import forecast
from pledge.services import Services
from pledge.web.admin_retention_chart import Chart, forecast_chart

log = logging.getLogger("pledge.web")

FORECAST_DAYS = (30, 90)
FRESH_FOR = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class ForecastRow:
    table: str
    soon: int
    later: int


@dataclass(frozen=True)
class ForecastView:
    chart: Chart | None  # None when it could not be counted
    rows: list[ForecastRow]
    counted_at: dt.datetime
    problem: str = ""
    hint: str = ""


class ForecastCache:
    """The last forecast of one declaration version, reused while it is fresh; a failure is
    not kept, so the next view tries again."""

    def __init__(self, fresh_for: dt.timedelta = FRESH_FOR) -> None:
        self.fresh_for = fresh_for
        self._lock = threading.Lock()
        self._kept: tuple[int, ForecastView] | None = None

    def get(
        self, services: Services, declaration: Declaration, version: int, now: dt.datetime
    ) -> ForecastView:
        with self._lock:
            kept = self._kept
        if kept is not None and kept[0] == version and now - kept[1].counted_at < self.fresh_for:
            return kept[1]
        view = forecast_for(services, declaration, now)
        if view.chart is not None:
            with self._lock:
                self._kept = (version, view)
        return view


def forecast_for(services: Services, declaration: Declaration, now: dt.datetime) -> ForecastView:
    short, long = FORECAST_DAYS
    try:
        engines = services.engines()
        soon = forecast(declaration, engines, as_of=now, days=short)
        later = forecast(declaration, engines, as_of=now, days=long)
    except PledgeError as exc:
        return ForecastView(None, [], now, exc.message, exc.hint)
    except SQLAlchemyError as exc:
        log.warning("counting the retention forecast failed: %s", first_line(exc))
        return ForecastView(
            None,
            [],
            now,
            f"counting the rows failed: {first_line(exc)}",
            "check that the company's databases are up and that their URLs (the sources'"
            " url_env variables) point at them",
        )
    chart = forecast_chart(soon, later, short=short, long=long)
    rows = [
        ForecastRow(row.name, soon.get(row.name, 0), later.get(row.name, 0)) for row in chart.rows
    ]
    return ForecastView(chart, rows, now)


def first_line(exc: SQLAlchemyError) -> str:
    """The database's own first line of complaint: never the statement or its values."""
    inner: BaseException = exc.orig if isinstance(exc, StatementError) and exc.orig else exc
    lines = str(inner).strip().splitlines()
    return f"{type(inner).__name__}: {lines[0] if lines else ''}"
