"""`pledge replay-erasures`, run as the CLI runs it, after a restore."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from pledge.cli import run
from pledge.store import Store
from tests.declaration.declarations import declaration
from tests.retention.replay_company import (
    SOURCE,
    app,
    copy,
    delete,
    journal,
    notes,
    restore,
    rows,
    store,
)

__all__ = ["app", "store"]


@pytest.fixture
def path(tmp_path: Path, app: Engine, store: Store, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The declaration's path and --store, with the source's URL and the secret set."""
    monkeypatch.setenv("PLEDGE_TEST_APP_URL", app.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PLEDGE_SECRET_KEY", "a test secret, long enough to derive keys")
    (tmp_path / "pledge.yaml").write_text(declaration(sources=SOURCE))
    return [str(tmp_path / "pledge.yaml"), "--store", str(store.engine.url)]


def pledge(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_dry_run_then_the_replay(
    app: Engine, store: Store, path: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    backup = copy(app)
    delete(app, notes, [(1,), (2,)])
    journal(store, "notes", "deleted", [(1,), (2,)])
    restore(app, backup)

    code, out, err = pledge(capsys, "replay-erasures", *path, "--dry-run")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "1 journal entry",
        "table      journaled  found again  erased again",
        "app.notes          2            2             2",
        "dry run: 2 rows would be erased again; nothing was changed.",
    ]
    assert [r["id"] for r in rows(app, notes)] == [1, 2, 3]

    code, out, err = pledge(capsys, "replay-erasures", *path, "--since", "2026-11-01")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "1 journal entry recorded since 2026-11-01 00:00 UTC"
    assert out.splitlines()[-1] == "2 rows erased again."
    assert [r["id"] for r in rows(app, notes)] == [3]

    code, out, _ = pledge(capsys, "replay-erasures", *path, "--since", "2026-11-03T00:00:00Z")
    assert (code, out) == (
        0,
        "0 journal entries recorded since 2026-11-03 00:00 UTC: nothing to replay\n",
    )


def test_a_time_that_is_not_one_is_refused(
    path: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = pledge(capsys, "replay-erasures", *path, "--since", "last tuesday")
    assert (code, out) == (1, "")
    assert err.startswith("error: --since 'last tuesday' is not a date and time")
