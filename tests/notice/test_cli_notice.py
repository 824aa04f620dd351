"""`pledge notice` through the real CLI entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from pledge.cli import run
from tests.notice.helpers import DEMO, MINIMAL


def test_prints_html_in_the_first_declared_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["notice", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>") and '<html lang="en">' in out
    assert "3 years from your last contact with us" in out


def test_writes_french_markdown_to_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "notice.fr.md"
    assert run(["notice", str(DEMO), "--format", "md", "--lang", "fr", "-o", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert str(target) in captured.err
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Politique de confidentialité · Maple & Finch\n")
    assert "3 ans à compter de votre dernier contact avec nous" in text


def test_an_undeclared_language_is_an_error_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pledge.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    assert run(["notice", str(path), "--lang", "fr"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the notice is not available in 'fr'")
    assert "languages are en" in err and "Traceback" not in err


def test_an_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["notice", str(DEMO), "--format", "pdf"]) == 2
    assert "pdf" in capsys.readouterr().err
