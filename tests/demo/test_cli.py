"""`pledge demo create`: both databases, the variables to export, and no overwriting."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from pledge.cli import run
from pledge.declaration.load import load_declaration
from pledge.sources.connect import open_source
from pledge.sources.schema import reflect_schema

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo" / "pledge.yaml"


def exports(output: str) -> dict[str, str]:
    """The `export NAME=value` lines, as a shell would read them."""
    found = {}
    for line in output.splitlines():
        if line.strip().startswith("export "):
            name, _, value = shlex.split(line)[1].partition("=")
            found[name] = value
    return found


def test_the_demo_is_created_here_and_the_declaration_finds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["demo", "create", "--scale", "25", "--as-of", "2026-11-01"]) == 0
    out = capsys.readouterr().out
    assert "25 customers, seed 1, data up to 2026-11-01" in out
    assert "customers" in out and "interactions" in out and "rows/s" in out
    assert "jane.doe@example.com" in out
    environ = exports(out)
    assert environ == {
        "PLEDGE_DEMO_SHOP_URL": f"sqlite:///{tmp_path / 'demo-shop.db'}",
        "PLEDGE_DEMO_CRM_URL": f"sqlite:///{tmp_path / 'demo-crm.db'}",
    }
    # With those variables, the demo declaration's sources open the new databases.
    sources = load_declaration(DEMO).declaration.sources
    for name, source in sources.items():
        engine = open_source(name, source, environ)
        try:
            assert set(source.tables) <= set(reflect_schema(engine).tables)
        finally:
            engine.dispose()


def test_a_second_run_refuses_to_overwrite_unless_forced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["demo", "create", "--scale", "10"]) == 0
    capsys.readouterr()
    assert run(["demo", "create", "--scale", "10"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the shop database is not empty")
    assert "--force" in err
    assert run(["demo", "create", "--scale", "12", "--seed", "3", "--force"]) == 0
    assert "12 customers, seed 3" in capsys.readouterr().out


def test_bad_input_is_explained_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["demo", "create", "--scale", "2"]) == 1
    assert "error: the scale must be at least 7 customers" in capsys.readouterr().err
    closed_port = "postgresql://demo:s3cret@127.0.0.1:1/shop"
    assert run(["demo", "create", "--shop-url", closed_port]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the database refused")
    assert "Traceback" not in err


def test_a_password_in_a_url_is_not_printed_back(
    postgres_company_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The test server trusts every user; a password in the URL is accepted and ignored.
    with_password = postgres_company_url.replace("postgres@", "postgres:s3cret@", 1)
    assert with_password != postgres_company_url
    monkeypatch.chdir(tmp_path)
    assert run(["demo", "create", "--shop-url", with_password, "--scale", "10"]) == 0
    out = capsys.readouterr().out
    assert "s3cret" not in out
    assert "postgres:***@" in out
    assert "put the password back" in out
