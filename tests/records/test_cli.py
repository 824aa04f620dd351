"""`pledge ropa` and `pledge export`, run through the real command-line entry point."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from pledge.cli import run
from pledge.cli.app import app
from tests.records.demo import DEMO


def test_ropa_writes_a_workbook_named_by_its_extension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "ropa.xlsx"
    assert run(["ropa", str(DEMO), "-o", str(output)]) == 0
    workbook = openpyxl.load_workbook(output)
    assert workbook.sheetnames[0] == "Record of processing"
    assert workbook.active.max_row == 8
    assert "7 activities" in capsys.readouterr().out


def test_ropa_in_french(tmp_path: Path) -> None:
    output = tmp_path / "registre.xlsx"
    assert run(["ropa", str(DEMO), "-o", str(output), "--lang", "fr"]) == 0
    sheet = openpyxl.load_workbook(output)["Registre des traitements"]
    assert sheet["A1"].value == "Référence"
    assert sheet["B2"].value == "Prise et livraison de vos commandes"


def test_ropa_csv_to_a_file_or_to_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "ropa.csv"
    assert run(["ropa", str(DEMO), "-o", str(output)]) == 0
    from_file = output.read_bytes().decode("utf-8")
    capsys.readouterr()
    assert run(["ropa", str(DEMO)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("\ufeffReference,Processing activity,")
    rows = list(csv.DictReader(io.StringIO(printed.removeprefix("\ufeff"))))
    assert len(rows) == 7
    assert rows[1]["Reference"] == "accounting"
    assert list(csv.reader(io.StringIO(from_file.removeprefix("\ufeff")))) == list(
        csv.reader(io.StringIO(printed.removeprefix("\ufeff")))
    )


def test_an_explicit_format_wins_over_the_extension(tmp_path: Path) -> None:
    output = tmp_path / "record.txt"
    assert run(["ropa", str(DEMO), "-o", str(output), "--format", "csv"]) == 0
    assert output.read_bytes().startswith(b"\xef\xbb\xbfReference,")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["-o", "{tmp}/record.txt"], "error: cannot tell the format from 'record.txt'"),
        (["--format", "xlsx"], "error: a spreadsheet cannot be written to the terminal"),
        (["-o", "{tmp}/missing/ropa.xlsx"], "error: cannot write"),
    ],
)
def test_ropa_mistakes_are_explained_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    filled = [a.replace("{tmp}", str(tmp_path)) for a in arguments]
    assert run(["ropa", str(DEMO), *filled]) == 1
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert "Traceback" not in err


def test_ropa_reports_an_invalid_declaration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "pledge.yaml"
    broken.write_text("pledge: 1\norganisation: {name: X}\n", encoding="utf-8")
    assert run(["ropa", str(broken), "-o", str(tmp_path / "ropa.xlsx")]) == 1
    assert "error" in capsys.readouterr().err
    assert not (tmp_path / "ropa.xlsx").exists()


def test_export_prints_dpv_json_ld(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["export", str(DEMO), "--format", "dpv"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["@context"]["dpv"] == "https://w3id.org/dpv#"
    processes = [n for n in document["@graph"] if n.get("@type") == "dpv:Process"]
    assert len(processes) == 7


def test_export_to_a_file(tmp_path: Path) -> None:
    output = tmp_path / "pledge.jsonld"
    assert run(["export", str(DEMO), "-o", str(output)]) == 0
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["@graph"][0]["@type"] == "dpv:DataController"


def test_export_rejects_an_unknown_format() -> None:
    # Through typer's runner: `run()` does not yet catch the exceptions of the click copy that
    # typer 0.29 bundles, so a bad option escapes it as a traceback (reported to the lead).
    result = CliRunner().invoke(app, ["export", str(DEMO), "--format", "odrl"])
    assert result.exit_code == 2
    assert "'odrl' is not one of 'dpv'" in result.output
