"""The retention forecast as a bar chart: geometry worked out here, drawn as inline SVG.

The staff pages run no script, so the chart is markup the server writes: per table, one
bar for the rows expiring within 30 days and one for those within 90 (which include the
first). The template (templates/admin/_retention_chart.html.j2) only places what this
module measured; a table beside the chart gives the same numbers to those who cannot see it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LABEL_WIDTH = 210  # table names, right-aligned against the bars
BAR_AREA = 420  # the longest bar
VALUE_ROOM = 80  # the number after a bar
BAR_HEIGHT = 14
BAR_GAP = 3
ROW_GAP = 12
TOP = 34  # room for the legend
BOTTOM = 8
LABEL_CHARS = 30


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    value: int
    series: str  # "soon" (30 days) or "later" (90 days): the CSS class and colour

    @property
    def text_x(self) -> int:
        return self.x + self.width + 5

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 3


@dataclass(frozen=True)
class ChartRow:
    name: str  # "source.table", whole
    label: str  # shortened to fit the label column
    label_y: int
    bars: tuple[Bar, Bar]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_x: int
    rows: tuple[ChartRow, ...]
    short: int  # the near horizon, in days
    long: int
    description: str  # the chart in one sentence, for <desc>

    @property
    def empty(self) -> bool:
        return not self.rows


def forecast_chart(
    soon: Mapping[str, int], later: Mapping[str, int], *, short: int = 30, long: int = 90
) -> Chart:
    """Bars per table from the two forecasts ("source.table" -> rows), largest first."""
    names = sorted(set(soon) | set(later), key=lambda n: (-later.get(n, 0), -soon.get(n, 0), n))
    largest = max([*soon.values(), *later.values(), 0])
    step = 2 * BAR_HEIGHT + BAR_GAP + ROW_GAP
    rows = []
    for index, name in enumerate(names):
        top = TOP + index * step
        near = _bar(soon.get(name, 0), largest, top, "soon")
        far = _bar(later.get(name, 0), largest, top + BAR_HEIGHT + BAR_GAP, "later")
        label_y = top + BAR_HEIGHT + BAR_GAP // 2 + 4
        rows.append(ChartRow(name, _shorten(name), label_y, (near, far)))
    height = TOP + len(rows) * step - ROW_GAP + BOTTOM if rows else TOP
    return Chart(
        width=LABEL_WIDTH + BAR_AREA + VALUE_ROOM,
        height=height,
        label_x=LABEL_WIDTH - 8,
        rows=tuple(rows),
        short=short,
        long=long,
        description=_describe(names, soon, later, short, long),
    )


def _bar(value: int, largest: int, y: int, series: str) -> Bar:
    width = round(BAR_AREA * value / largest) if largest else 0
    # A bar of a handful of rows beside one of millions still shows.
    return Bar(LABEL_WIDTH, y, max(width, 1) if value else 0, value, series)


def _shorten(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else f"{name[: LABEL_CHARS - 1]}…"


def _describe(
    names: list[str], soon: Mapping[str, int], later: Mapping[str, int], short: int, long: int
) -> str:
    if not names:
        return "No table has rows under a retention rule."
    total_soon, total_later = sum(soon.values()), sum(later.values())
    text = (
        f"Rows whose retention ends within {short} days: {total_soon}; within {long} days:"
        f" {total_later}, over {len(names)} tables."
    )
    if total_later:
        top = names[0]
        text += f" Most in {top}: {later.get(top, 0)} within {long} days."
    return text
