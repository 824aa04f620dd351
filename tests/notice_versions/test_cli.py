from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pledge.cli import run
from pledge.notice_versions import list_versions, meaning_digest
from pledge.store import open_store
from tests.notice_versions.demo import SHORTER_RETENTION, demo, demo_text, edit

RETENTION_LINE = (
    "Retention of Customer accounts: 3 years from last contact -> 2 years from last contact"
)


@pytest.fixture
def declaration_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("PLEDGE_STORE_URL", raising=False)
    path = tmp_path / "pledge.yaml"
    path.write_text(demo_text(), encoding="utf-8")
    return path


def _pledge(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_publish_records_a_version_only_when_the_meaning_changes(
    declaration_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(declaration_file)
    assert _pledge(capsys, "publish", path) == (0, "version 1 recorded\n", "")
    assert _pledge(capsys, "publish", path) == (0, "unchanged since version 1\n", "")
    declaration_file.write_text("# reviewed, nothing changed\n" + demo_text(), encoding="utf-8")
    assert _pledge(capsys, "publish", path) == (0, "unchanged since version 1\n", "")

    declaration_file.write_text(edit(demo_text(), SHORTER_RETENTION), encoding="utf-8")
    assert _pledge(capsys, "publish", path) == (
        0,
        f"version 2 recorded\n  - {RETENTION_LINE}\n",
        "",
    )
    assert (declaration_file.parent / "pledge-store.db").is_file()


def test_versions_lists_number_date_digest_and_changes(
    declaration_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(declaration_file)
    assert _pledge(capsys, "versions", path) == (
        0,
        f"no version recorded yet; record one with `pledge publish {path}`\n",
        "",
    )
    run(["publish", path])
    declaration_file.write_text(edit(demo_text(), SHORTER_RETENTION), encoding="utf-8")
    run(["publish", path])
    capsys.readouterr()
    today = dt.datetime.now(dt.UTC).date().isoformat()
    first, second = meaning_digest(demo())[:12], meaning_digest(demo(SHORTER_RETENTION))[:12]
    assert _pledge(capsys, "versions", path) == (
        0,
        f"1  2026-11-01  {first}  0 changes\n2  {today}  {second}  1 change\n",
        "",
    )


def test_diff_compares_the_file_with_the_latest_version_by_default(
    declaration_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(declaration_file)
    code, _, err = _pledge(capsys, "diff", path)
    assert (code, err) == (
        1,
        "error: no notice version is recorded yet — record one with `pledge publish PATH`\n",
    )
    run(["publish", path])
    capsys.readouterr()
    assert _pledge(capsys, "diff", path) == (0, "no changes\n", "")
    declaration_file.write_text(edit(demo_text(), SHORTER_RETENTION), encoding="utf-8")
    assert _pledge(capsys, "diff", path) == (0, RETENTION_LINE + "\n", "")
    assert _pledge(capsys, "diff", path, "--lang", "fr") == (
        0,
        "Conservation de « Comptes clients » : 3 ans à compter du dernier contact"
        " -> 2 ans à compter du dernier contact\n",
        "",
    )


def test_diff_between_two_recorded_versions(
    declaration_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(declaration_file)
    run(["publish", path])
    declaration_file.write_text(edit(demo_text(), SHORTER_RETENTION), encoding="utf-8")
    run(["publish", path])
    declaration_file.write_text(
        edit(demo_text(), SHORTER_RETENTION, ("gpc: honour", "gpc: ignore")), encoding="utf-8"
    )
    run(["publish", path])
    capsys.readouterr()
    gpc_line = "Browser signals: Global Privacy Control honoured -> ignored\n"
    assert _pledge(capsys, "diff", path, "--to", "2") == (0, RETENTION_LINE + "\n", "")
    assert _pledge(capsys, "diff", path, "--from", "2", "--to", "3") == (0, gpc_line, "")
    assert _pledge(capsys, "diff", path, "--from", "1") == (0, RETENTION_LINE + "\n" + gpc_line, "")
    assert _pledge(capsys, "diff", path, "--from", "3", "--to", "3") == (0, "no changes\n", "")
    code, _, err = _pledge(capsys, "diff", path, "--to", "1")
    assert code == 1
    assert err.startswith("error: version 1 is the first one")
    code, _, err = _pledge(capsys, "diff", path, "--from", "9")
    assert (code, err) == (1, "error: there is no notice version 9 — versions 1 to 3 exist\n")


def test_the_store_can_be_chosen_by_option_or_environment(
    declaration_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    by_option = f"sqlite:///{tmp_path / 'option.db'}"
    by_environment = f"sqlite:///{tmp_path / 'environment.db'}"
    path = str(declaration_file)
    assert _pledge(capsys, "publish", path, "--store", by_option)[1] == "version 1 recorded\n"
    monkeypatch.setenv("PLEDGE_STORE_URL", by_environment)
    assert _pledge(capsys, "publish", path)[1] == "version 1 recorded\n"
    assert _pledge(capsys, "publish", path, "--store", by_option)[1] == (
        "unchanged since version 1\n"
    )
    assert not (declaration_file.parent / "pledge-store.db").exists()
    for url in (by_option, by_environment):
        with open_store(url) as store:
            assert len(list_versions(store)) == 1


def test_an_invalid_declaration_records_nothing(
    declaration_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    declaration_file.write_text(
        edit(demo_text(), ("    duration: 3 years\n", "    duration: 3 yeras\n")), encoding="utf-8"
    )
    code, out, err = _pledge(capsys, "publish", str(declaration_file))
    assert (code, out) == (1, "")
    assert "did you mean 'years'?" in err
    assert not (declaration_file.parent / "pledge-store.db").exists()


def test_a_bad_store_url_is_an_error_without_a_traceback(
    declaration_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _pledge(capsys, "versions", str(declaration_file), "--store", "nonsense")
    assert (code, err) == (
        1,
        "error: 'nonsense' is not a database URL — use sqlite:///path/to/pledge-store.db"
        " or postgresql://user@host/dbname\n",
    )


def test_publish_and_versions_on_postgresql(
    declaration_file: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(declaration_file)
    assert _pledge(capsys, "publish", path, "--store", postgres_url)[1] == "version 1 recorded\n"
    declaration_file.write_text(edit(demo_text(), SHORTER_RETENTION), encoding="utf-8")
    assert _pledge(capsys, "publish", path, "--store", postgres_url)[1] == (
        f"version 2 recorded\n  - {RETENTION_LINE}\n"
    )
    listed = _pledge(capsys, "versions", path, "--store", postgres_url)[1].splitlines()
    assert [line.split()[0] for line in listed] == ["1", "2"]
    assert listed[1].endswith("1 change")
