"""A mistake in PLEDGE_MAIL_TEMPLATES stops start-up with its file, line and a hint, never
with a traceback, and never when a mail is due."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pledge.cli import run
from pledge.errors import PledgeError
from pledge.mail.template_overrides import PACKAGED_FOLDER, use_mail_templates
from pledge.settings import Settings
from tests.rights.demo import DEMO


@pytest.fixture(autouse=True)
def pledges_templates_after() -> Iterator[None]:
    yield
    use_mail_templates(None)


def refused(monkeypatch: pytest.MonkeyPatch, folder: Path) -> PledgeError:
    monkeypatch.setenv("PLEDGE_MAIL_TEMPLATES", str(folder))
    with pytest.raises(PledgeError) as raised:
        Settings.build(DEMO)
    return raised.value


def folder_with(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "mail"
    for name, source in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(source)
    return folder


def test_a_folder_that_does_not_exist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    error = refused(monkeypatch, tmp_path / "nothere")
    assert error.message == f"PLEDGE_MAIL_TEMPLATES: {tmp_path / 'nothere'} does not exist"
    assert "a folder laid out like Pledge's own templates (en/completion.txt.j2" in error.hint


def test_a_file_instead_of_a_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "completion.txt.j2").write_text("Hello\n")
    error = refused(monkeypatch, tmp_path / "completion.txt.j2")
    assert error.message == (
        f"PLEDGE_MAIL_TEMPLATES: {tmp_path / 'completion.txt.j2'} is not a folder"
    )


def test_a_name_that_is_no_template_says_what_it_may_be_and_where_the_names_are(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = folder_with(tmp_path, {"en/completon.txt.j2": "Hello\n", ".git/HEAD": "main\n"})
    error = refused(monkeypatch, folder)
    assert error.message == (
        f"PLEDGE_MAIL_TEMPLATES: {folder / 'en/completon.txt.j2'}: not the name of one of"
        " Pledge's mail templates; did you mean en/completion.txt.j2?"
    )
    assert "docs/requests.md" in error.hint
    assert str(PACKAGED_FOLDER) in error.hint


def test_a_template_that_does_not_compile_gives_file_line_and_jinjas_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = folder_with(tmp_path, {"fr/denial.txt.j2": "Bonjour,\n\n{{ reference }\n"})
    error = refused(monkeypatch, folder)
    assert error.message == (
        f"PLEDGE_MAIL_TEMPLATES: {folder / 'fr/denial.txt.j2'}:3: unexpected '}}'"
    )


def test_a_variable_the_mail_does_not_give_is_refused_even_in_a_branch_seldom_taken(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    source = "{{ company }}\n{% if partial %}\n{{ outcom }}\n{% endif %}\n{{ due }}\n"
    folder = folder_with(tmp_path, {"en/completion.html.j2": source})
    error = refused(monkeypatch, folder)
    path = folder / "en/completion.html.j2"
    lines = error.message.splitlines()
    assert lines[0] == f"PLEDGE_MAIL_TEMPLATES: 2 problems in {folder}:"
    assert lines[1] == (
        f"  {path}:3: `outcom` is not given to the completion templates; did you mean `outcome`?"
    )
    # No name close enough: the names the mail does give.
    assert lines[2].startswith(
        f"  {path}:5: `due` is not given to the completion templates; they get activities, agent,"
    )
    assert lines[2].endswith(", reference, status_url")


def test_shared_macros_replaced_must_keep_every_macro(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    own = "{% macro agent(person) %}For {{ person }}.{% endmacro %}\n{{ company }}\n"
    folder = folder_with(tmp_path, {"en/_blocks.txt.j2": own})
    lines = refused(monkeypatch, folder).message.splitlines()
    path = folder / "en/_blocks.txt.j2"
    assert lines[1:] == [
        f"  {path}:2: `company` is not given to the _blocks templates; macros see only their"
        " arguments",
        f"  {path}: does not define authority, complain, remedies, which Pledge's mails call;"
        " keep every macro of Pledge's file, with the same arguments",
    ]


def test_an_import_of_a_template_that_does_not_exist(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    own = '{% import "en/_block.txt.j2" as blocks %}{{ code }}\n'
    folder = folder_with(tmp_path, {"en/code.txt.j2": own})
    assert refused(monkeypatch, folder).message == (
        f"PLEDGE_MAIL_TEMPLATES: {folder / 'en/code.txt.j2'}:1: there is no template"
        " 'en/_block.txt.j2'"
    )


def test_the_cli_prints_the_problem_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = folder_with(tmp_path, {"en/completion.subject.j2": "{{ compnay }}"})
    monkeypatch.setenv("PLEDGE_MAIL_TEMPLATES", str(folder))
    store = f"sqlite:///{tmp_path / 'store.db'}"
    assert run(["worker", str(DEMO), "--once", "--store", store]) == 1
    printed = capsys.readouterr()
    assert printed.err.startswith(
        f"error: PLEDGE_MAIL_TEMPLATES: {folder / 'en/completion.subject.j2'}:1: `compnay` is"
        " not given to the completion templates; did you mean `company`? — the template names"
    )
    assert "Traceback" not in printed.err + printed.out
