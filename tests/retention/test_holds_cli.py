"""`pledge hold add|list|release`, run as the CLI runs them."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from pledge.cli import run
from pledge.store import open_store
from pledge.store.tables import LegalHoldRow
from tests.rights.demo import DEMO


@pytest.fixture
def path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("PLEDGE_STORE_URL", raising=False)
    return str(shutil.copy(DEMO, tmp_path / "pledge.yaml"))


def pledge(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def holds(path: str) -> list[LegalHoldRow]:
    store_file = Path(path).parent / "pledge-store.db"
    with open_store(f"sqlite:///{store_file}") as store, store.session() as session:
        return list(session.scalars(select(LegalHoldRow).order_by(LegalHoldRow.id)))


def test_a_hold_is_placed_listed_and_released(
    path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    until = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
    code, out, err = pledge(
        capsys, "hold", "add", path, "--email", "Jane.Doe@example.com", "--reason", "dispute D-9",
        "--until", until, "--scope", "shop.orders", "--scope", "shop.invoices",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == (
        f"hold 1 placed on jane.doe@example.com: shop.orders, shop.invoices, until {until}"
        " (dispute D-9)\n"
    )
    code, out, _ = pledge(
        capsys, "hold", "add", path, "--email", "john.doe@example.com", "--reason", "claim CL-2"
    )
    assert (code, out) == (
        0,
        "hold 2 placed on john.doe@example.com: every table, until released (claim CL-2)\n",
    )

    code, out, _ = pledge(capsys, "hold", "release", path, "2")
    assert (code, out) == (0, "hold 2 on john.doe@example.com released\n")
    code, out, _ = pledge(capsys, "hold", "list", path)
    assert code == 0
    header, first, second = out.splitlines()
    assert header.split() == ["id", "email", "tables", "until", "state", "reason"]
    assert first.split() == ["1", "jane.doe@example.com", "shop.orders,", "shop.invoices", until,
                             "in", "force", "dispute", "D-9"]  # fmt: skip
    assert second.split() == ["2", "john.doe@example.com", "all", "-", "released", "claim", "CL-2"]
    assert [(h.identity_value, h.released_by) for h in holds(path)] == [
        ("jane.doe@example.com", None),
        ("john.doe@example.com", "cli"),
    ]


def test_no_holds_says_so(path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert pledge(capsys, "hold", "list", path) == (0, "no legal holds\n", "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scope", "shop.invoice"], "error: the declaration has no table 'shop.invoice' — "
                                      "did you mean 'shop.invoices'?"),
        (["--until", "31/12/2026"], "error: --until '31/12/2026' is not a date"),
        (["--until", "2020-01-01"], "error: the hold would end on 2020-01-01, which has passed"),
    ],
)  # fmt: skip
def test_a_wrong_hold_is_refused_without_a_trace(
    path: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = pledge(
        capsys, "hold", "add", path, "--email", "jane.doe@example.com", "--reason", "r", *args
    )
    assert (code, out) == (1, "")
    assert err.startswith(message)
    assert "Traceback" not in err
    assert holds(path) == []


def test_releasing_an_unknown_hold_is_refused(
    path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = pledge(capsys, "hold", "release", path, "7")
    assert code == 1
    assert err == "error: no legal hold 7 — `pledge hold list` shows the holds\n"
