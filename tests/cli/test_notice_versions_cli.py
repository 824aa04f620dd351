"""`pledge notice` with the store: "last updated" from published versions, and --diff."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from babel.dates import format_date

from pledge.cli import run

DEMO = Path(__file__).parents[2] / "examples" / "demo" / "pledge.yaml"


@pytest.fixture
def declaration(tmp_path: Path) -> Path:
    copy = tmp_path / "pledge.yaml"
    shutil.copy(DEMO, copy)
    return copy


def notice_md(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    capsys.readouterr()
    assert run(["notice", str(path), "--format", "md", *extra]) == 0
    return capsys.readouterr().out


def shorten_retention(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "    duration: 3 years\n" in text
    path.write_text(text.replace("    duration: 3 years\n", "    duration: 2 years\n"), "utf-8")


def test_rendering_a_draft_creates_no_store(
    declaration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = notice_md(declaration, capsys)
    assert "Last updated: 1 November 2026" in text  # the declaration's own date
    assert not (declaration.parent / "pledge-store.db").exists()


def test_publish_then_a_change_dates_the_notice_from_the_store(
    declaration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = notice_md(declaration, capsys, "--publish")
    assert "Last updated: 1 November 2026" in first  # version 1 keeps the notice's date
    assert (declaration.parent / "pledge-store.db").exists()
    shorten_retention(declaration)
    assert run(["publish", str(declaration)]) == 0
    second = notice_md(declaration, capsys)
    recorded = format_date(dt.datetime.now(dt.UTC).date(), format="long", locale="en_GB")
    assert f"Last updated: {recorded}" in second  # the day version 2 was recorded


def test_diff_between_versions_and_against_the_file(
    declaration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["publish", str(declaration)]) == 0
    shorten_retention(declaration)
    change = (
        "- Retention of Customer accounts: 3 years from last contact -> 2 years from last contact"
    )
    assert notice_md(declaration, capsys, "--diff", "1").splitlines() == [change]
    assert run(["publish", str(declaration)]) == 0
    assert notice_md(declaration, capsys, "--diff", "1..2").splitlines() == [change]
    assert notice_md(declaration, capsys, "--diff", "..2").splitlines() == [change]
    assert notice_md(declaration, capsys, "--diff", "2").splitlines() == ["no changes"]
    french = notice_md(declaration, capsys, "--diff", "1..2", "--lang", "fr")
    assert french.splitlines() == [
        "- Conservation de « Comptes clients » : 3 ans à compter du dernier contact"
        " -> 2 ans à compter du dernier contact"
    ]


def test_a_bad_range_or_version_is_explained(
    declaration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["notice", str(declaration), "--diff", "one..two"]) == 1
    assert "is not a version range" in capsys.readouterr().err
    assert run(["publish", str(declaration)]) == 0
    capsys.readouterr()
    assert run(["notice", str(declaration), "--diff", "7..8"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "Traceback" not in err
