"""`pledge sweep` on a rule with an archive, run as the CLI runs it (SQLite company and
store): the dry run says how many rows would move to the archive, the sweep moves them, and
a later one deletes them from it, to the minute of a DATETIME trigger."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from pledge.cli import run as pledge
from pledge.store import open_store
from pledge.store.tables_retention import ArchivedRowRow
from tests.declaration.declarations import declaration
from tests.retention.sweeping import ACTIVITIES, URL_ENV, company, ids, innodb

RETENTION = """
accounts:
  name: Customer accounts
  duration: 3 years
  trigger: last_contact
calls:
  name: Call recordings
  duration: 6 months
  trigger: recorded
  archive: 1 year
"""
SOURCES = f"""
app:
  url_env: {URL_ENV}
  tables:
    calls:
      columns: {{ caller: contact.phone }}
      timestamps: {{ recorded: started_at }}
      retention: [calls]
"""


@pytest.fixture
def path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("PLEDGE_STORE_URL", raising=False)
    monkeypatch.delenv("PLEDGE_SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'company.db'}"
    monkeypatch.setenv(URL_ENV, url)
    metadata = sa.MetaData()
    innodb(
        "calls",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("caller", sa.String(40), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
    )
    rows = [
        # Past its 6 months and its year of archive by the first sweep: deleted, not archived.
        {"id": 1, "caller": "+33 1 00 00 00 01", "started_at": dt.datetime(2023, 1, 1, 9)},
        # Active until 1 July 2025 at 10:30, then archived until 1 July 2026 at 10:30.
        {"id": 2, "caller": "+33 1 00 00 00 02", "started_at": dt.datetime(2025, 1, 1, 10, 30)},
        {"id": 3, "caller": "+33 1 00 00 00 03", "started_at": dt.datetime(2025, 6, 1, 8)},
    ]
    company(url, metadata, {"calls": rows}).dispose()
    target = tmp_path / "pledge.yaml"
    target.write_text(
        declaration(activities=ACTIVITIES, retention=RETENTION, sources=SOURCES), encoding="utf-8"
    )
    return target


def calls(path: Path) -> list[int]:
    engine = sa.create_engine(f"sqlite:///{path.parent / 'company.db'}")
    try:
        return ids(engine, "calls")
    finally:
        engine.dispose()


def archived(path: Path) -> list[tuple[str, dt.datetime]]:
    url = f"sqlite:///{path.parent / 'pledge-store.db'}"
    with open_store(url) as store, store.session() as session:
        rows = session.scalars(sa.select(ArchivedRowRow).order_by(ArchivedRowRow.id))
        return [(row.rule, row.until) for row in rows]


def sweep(path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    assert pledge(["sweep", str(path), *args]) == 0
    return capsys.readouterr().out.splitlines()


def test_a_sweep_moves_rows_to_the_archive_then_deletes_them_from_it(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = sweep(path, capsys, "--dry-run", "--as-of", "2025-07-01T10:30")
    assert lines[2].split()[-3:] == ["archived", "archive", "ended"]
    assert lines[3].split() == ["app.calls", "calls", "delete", "1", "0", "0", "1", "0"]
    assert "  app.calls: 1 row would be moved to the archive: their active period ended" in lines
    assert calls(path) == [1, 2, 3]

    sweep(path, capsys, "--as-of", "2025-07-01T10:29")
    assert calls(path) == [2, 3]  # row 1, past its archive too, deleted
    assert archived(path) == []

    lines = sweep(path, capsys, "--as-of", "2025-07-01T10:30")
    assert "  app.calls: 1 row moved to the archive: their active period ended" in lines
    row = next(line.split() for line in lines if line.startswith("app.calls"))
    assert row[-2:] == ["1", "0"]  # archived, archive ended
    assert calls(path) == [3]
    assert archived(path) == [("calls", dt.datetime(2026, 7, 1, 10, 30, tzinfo=dt.UTC))]

    sweep(path, capsys, "--as-of", "2026-07-01T10:29")  # row 3 archived in turn
    assert calls(path) == []
    assert [until for _, until in archived(path)] == [
        dt.datetime(2026, 7, 1, 10, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC),
    ]
    lines = sweep(path, capsys, "--as-of", "2026-07-01T10:30")
    assert "  app.calls: 1 row deleted from the archive: their archive ended" in lines
    assert [until for _, until in archived(path)] == [dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)]
