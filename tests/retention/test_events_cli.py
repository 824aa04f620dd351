"""`pledge event record|list`, run as the CLI runs them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pledge.cli import run
from tests.rights.demo import DEMO


@pytest.fixture
def path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("PLEDGE_STORE_URL", raising=False)
    return str(shutil.copy(DEMO, tmp_path / "pledge.yaml"))


def pledge(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_events_are_recorded_and_listed(path: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = pledge(
        capsys, "event", "record", path, "--kind", "account_closed", "--email",
        "John.Doe@example.com", "--on", "2026-10-01", "--note", "closed by phone",
    )  # fmt: skip
    assert (code, out, err) == (
        0,
        "event 1: account_closed of john.doe@example.com on 2026-10-01 recorded\n",
        "",
    )
    pledge(
        capsys, "event", "record", path, "--kind", "contract_end", "--email",
        "jane.doe@example.com", "--on", "2026-09-30",
    )  # fmt: skip
    code, out, _ = pledge(capsys, "event", "list", path)
    assert code == 0
    header, *lines = out.splitlines()
    assert header.split() == ["id", "kind", "email", "on", "recorded", "by", "note"]
    assert [line.split(maxsplit=5) for line in lines] == [
        ["1", "account_closed", "john.doe@example.com", "2026-10-01", "cli", "closed by phone"],
        ["2", "contract_end", "jane.doe@example.com", "2026-09-30", "cli"],
    ]
    code, out, _ = pledge(capsys, "event", "list", path, "--email", "JANE.DOE@example.com")
    assert [line.split()[0] for line in out.splitlines()] == ["id", "2"]


def test_no_events_says_so(path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert pledge(capsys, "event", "list", path) == (0, "no events\n", "")


@pytest.mark.parametrize(
    ("kind", "on", "message"),
    [
        ("child", "2026-10-01", "error: a child is flagged with `pledge child flag` — "
                                "it erases their data at once"),
        ("acount_closed", "2026-10-01", "error: unknown event kind 'acount_closed' — "
                                        "did you mean 'account_closed'?"),
        ("account_closed", "2026-1-1", "error: --on '2026-1-1' is not a date"),
        ("account_closed", "2999-01-01", "error: the account closed is dated 2999-01-01, "
                                         "after today"),
    ],
)  # fmt: skip
def test_a_wrong_event_is_refused_without_a_trace(
    path: str, capsys: pytest.CaptureFixture[str], kind: str, on: str, message: str
) -> None:
    code, out, err = pledge(
        capsys, "event", "record", path, "--kind", kind, "--email", "jane.doe@example.com",
        "--on", on,
    )  # fmt: skip
    assert (code, out) == (1, "")
    assert err.startswith(message)
    assert pledge(capsys, "event", "list", path)[1] == "no events\n"
