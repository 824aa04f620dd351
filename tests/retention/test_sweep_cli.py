"""`pledge sweep`, run as the CLI runs it, on a SQLite company and store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from pledge.cli import run as pledge
from pledge.declaration.load import load_declaration
from pledge.retention.holds import HOLD_ENDED_JOB, place_hold
from pledge.rights.delivery import DOWNLOAD_DAYS, store_result
from pledge.rights.requests import create_request, transition
from pledge.services import Keys, load_secret
from pledge.store import open_store
from pledge.store.tables import JobRow, RequestResultRow
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
invoices:
  name: Invoices
  duration: 6 years
  trigger: issued
  required_by: Companies Act 2006, s. 388
"""

SOURCES = f"""
app:
  url_env: {URL_ENV}
  tables:
    calls:
      columns: {{ started_at: communications.call_record }}
      timestamps: {{ recorded: started_at, issued: started_at }}
      retention: [calls, invoices]
    notes:
      columns: {{ started_at: communications.call_record }}
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
    for name in ("calls", "notes"):
        innodb(
            name,
            metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("started_at", sa.DateTime, nullable=False),
        )
    moments = [dt.datetime(2019, 1, 1), dt.datetime(2025, 1, 1), dt.datetime(2026, 6, 1)]
    rows = [{"id": i, "started_at": m} for i, m in enumerate(moments, 1)]
    company(url, metadata, {"calls": rows, "notes": rows}).dispose()
    target = tmp_path / "pledge.yaml"
    target.write_text(
        declaration(activities=ACTIVITIES, retention=RETENTION, sources=SOURCES), encoding="utf-8"
    )
    return target


def notes(path: Path) -> list[int]:
    engine = sa.create_engine(f"sqlite:///{path.parent / 'company.db'}")
    try:
        return ids(engine, "notes")
    finally:
        engine.dispose()


def test_a_dry_run_prints_what_would_go_and_what_is_held(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pledge(["sweep", str(path), "--dry-run", "--as-of", "2026-06-15"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Dry run as of 2026-06-15 00:00 UTC (sweep run 1): nothing was changed."
    assert lines[2].split() == ["table", "rules", "action", "expired", "held", "referenced"]
    assert lines[3].split() == ["app.calls", "calls,", "invoices", "delete", "1", "1", "0"]
    assert lines[4].split() == ["app.notes", "calls", "delete", "2", "0", "0"]
    assert "  app.calls: invoices (legal hold: Companies Act 2006, s. 388)" in lines
    assert notes(path) == [1, 2, 3]


def test_a_sweep_prints_what_it_did(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert pledge(["sweep", str(path), "--as-of", "2026-06-15T08:30"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Sweep as of 2026-06-15 08:30 UTC (sweep run 1)."
    assert lines[2].split()[-4:] == ["deleted", "anonymised", "batches", "seconds"]
    assert lines[4].split()[:-1] == ["app.notes", "calls", "delete", "2", "0", "0", "2", "0", "1"]
    assert notes(path) == [3]


def test_a_run_that_is_not_there_cannot_be_resumed(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pledge(["sweep", str(path), "--resume", "7"]) == 1
    assert "error: there is no sweep run 7" in capsys.readouterr().err
    assert pledge(["sweep", str(path), "--resume", "7", "--as-of", "2026-06-15"]) == 1
    assert "--as-of and --resume go separately" in capsys.readouterr().err


def _copies(path: Path) -> dict[str, str]:
    """Requests answered with a copy of the person's data, in the store beside `path`: Ann's
    expired two days ago, Bob's is offered for 20 more days, Carl's was made before his
    erasure completed; their references by name."""
    url = f"sqlite:///{path.parent / 'pledge-store.db'}"
    key = Keys.derive(load_secret(url)).package
    now = dt.datetime.now(dt.UTC)
    made = {"ann": now - dt.timedelta(days=DOWNLOAD_DAYS + 2), "bob": now - dt.timedelta(days=10)}
    made["carl"] = now - dt.timedelta(days=1)
    given = load_declaration(path).declaration
    refs: dict[str, str] = {}
    with open_store(url) as store, store.session(write=True) as session:
        for name, moment in made.items():
            row = create_request(
                session, given, type="access", email=f"{name}@example.com", jurisdiction="uk",
                now=moment,
            )  # fmt: skip
            store_result(session, row.id, summary={}, package=b"PK a zip", key=key, now=moment)
            refs[name] = row.id
        erasure = create_request(
            session, given, type="erasure", email="carl@example.com", jurisdiction="uk"
        )
        for state in ("identity_pending", "verified", "running", "completed"):
            transition(session, erasure.id, state, actor="staff:ann")
    return refs


def _offered(path: Path) -> set[str]:
    """The requests whose copy is still in the store."""
    url = f"sqlite:///{path.parent / 'pledge-store.db'}"
    with open_store(url) as store, store.session() as session:
        offered = RequestResultRow.package.is_not(None)
        return set(session.scalars(sa.select(RequestResultRow.request_id).where(offered)))


def test_a_sweep_deletes_the_copies_whose_offer_ended(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refs = _copies(path)
    ended = "(their link expired, or the person's data was erased since)"

    assert pledge(["sweep", str(path), "--dry-run"]) == 0
    said = capsys.readouterr().out.splitlines()
    assert f"Copies of people's data to delete from the store: 2 {ended}." in said
    assert _offered(path) == set(refs.values())

    # Judged by the clock, not by --as-of: Bob's copy is still offered to him.
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=60)).strftime("%Y-%m-%d")
    assert pledge(["sweep", str(path), "--as-of", later]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0] == f"Sweep as of {later} 00:00 UTC (sweep run 2)."
    assert f"Copies of people's data deleted from the store: 2 {ended}." in said
    assert _offered(path) == {refs["bob"]}

    assert pledge(["sweep", str(path)]) == 0
    assert f"Copies of people's data deleted from the store: 0 {ended}." in (
        capsys.readouterr().out.splitlines()
    )


def test_a_sweep_queues_the_end_of_holds_past_their_last_day(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    decl = load_declaration(path).declaration
    url = f"sqlite:///{path.parent / 'pledge-store.db'}"
    with open_store(url) as store, store.session(write=True) as session:
        for until in (dt.date(2020, 2, 1), None):  # one ended long ago, one holds on
            place_hold(
                session,
                decl,
                email="jane@example.com",
                reason="dispute D-9",
                until=until,
                scope=(),
                actor="staff:ann",
                now=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
            )

    def queued() -> list[str]:
        with open_store(url) as store, store.session() as session:
            query = sa.select(JobRow.ref).where(JobRow.kind == HOLD_ENDED_JOB)
            return list(session.scalars(query))

    assert pledge(["sweep", str(path), "--dry-run"]) == 0
    assert "Legal holds ended" not in capsys.readouterr().out
    assert queued() == []
    assert pledge(["sweep", str(path)]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[-1] == (
        "Legal holds ended: 1, queued to finish the erasures they kept rows from"
        " (run by pledge worker or pledge serve)."
    )
    assert len(queued()) == 1
    assert pledge(["sweep", str(path)]) == 0  # queued once
    assert "Legal holds ended" not in capsys.readouterr().out
    assert len(queued()) == 1
