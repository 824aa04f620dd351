"""`pledge user ...` and `pledge token ...`, run as the CLI runs them."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pledge.auth.tokens import find_token
from pledge.auth.users import authenticate, get_user
from pledge.cli import run  # importing it registers every command
from pledge.cli.app import app
from pledge.store import open_store
from tests.web.live import DEMO

PASSWORD = "correct horse battery staple"


@pytest.fixture
def path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("PLEDGE_STORE_URL", raising=False)
    return str(shutil.copy(DEMO, tmp_path / "pledge.yaml"))


def pledge(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_a_user_with_the_password_on_stdin(
    path: str, store_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = pledge(
        capsys, monkeypatch, "user", "add", "Ann", "--role", "privacy_officer", path,
        "--password-stdin", "--store", store_url, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == "user ann added, with the role privacy_officer\n"
    with open_store(store_url) as store, store.session(write=True) as session:
        user = authenticate(session, "ann", PASSWORD)
        assert user is not None
        assert user.role == "privacy_officer"


def test_add_asks_for_the_password_twice(path: str) -> None:
    result = CliRunner().invoke(
        app, ["user", "add", "ann", "--role", "admin", path], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output
    assert "Repeat for confirmation:" in result.output
    assert PASSWORD not in result.output, "the password is not echoed"
    store_url = f"sqlite:///{Path(path).parent / 'pledge-store.db'}"
    with open_store(store_url) as store, store.session(write=True) as session:
        assert authenticate(session, "ann", PASSWORD) is not None


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "boss"], PASSWORD, "error: unknown role 'boss'"),
        (["--role", "admin"], "short\n", "it needs at least 12"),
        (["--role", "admin"], "", "error: no password on standard input"),
    ],
)
def test_add_refuses(
    path: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    stdin: str,
    message: str,
) -> None:
    code, out, err = pledge(
        capsys, monkeypatch, "user", "add", "ann", path, "--password-stdin", *args, stdin=stdin
    )
    assert code == 1
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_a_store_is_needed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLEDGE_STORE_URL", raising=False)
    code, _, err = pledge(capsys, monkeypatch, "user", "list")
    assert code == 1
    assert "which store?" in err
    code, _, err = pledge(capsys, monkeypatch, "user", "list", str(tmp_path / "nothere.yaml"))
    assert code == 1
    assert "nothere.yaml: no such file" in err
    # The environment names the store: no declaration needed.
    monkeypatch.setenv("PLEDGE_STORE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    code, out, _ = pledge(capsys, monkeypatch, "user", "list")
    assert (code, out) == (0, "no users; add one with `pledge user add USERNAME --role admin`\n")


def test_list_disable_and_password(
    path: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, role in (("omar", "privacy_officer"), ("ann", "admin")):
        code, _, _ = pledge(
            capsys, monkeypatch, "user", "add", name, "--role", role, path, "--password-stdin",
            stdin=PASSWORD,
        )  # fmt: skip
        assert code == 0
    code, out, _ = pledge(capsys, monkeypatch, "user", "disable", "OMAR", path)
    assert (code, out) == (0, "user omar disabled: signed out, and their tokens no longer work\n")
    code, out, _ = pledge(capsys, monkeypatch, "user", "list", path)
    header, ann, omar = out.splitlines()
    assert header.split() == ["username", "role", "added", "status"]
    assert ann.split()[:2] == ["ann", "admin"] and ann.endswith("active")
    assert omar.split()[:2] == ["omar", "privacy_officer"] and "disabled 20" in omar
    code, out, _ = pledge(
        capsys, monkeypatch, "user", "password", "ann", path, "--password-stdin",
        stdin="a brand new passphrase\n",
    )  # fmt: skip
    assert (code, out) == (0, "password of ann changed; their sessions have ended\n")
    code, _, err = pledge(capsys, monkeypatch, "user", "disable", "zed", path)
    assert code == 1
    assert "there is no user 'zed'" in err


def test_tokens(
    path: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pledge(capsys, monkeypatch, "user", "add", "omar", "--role", "viewer", path,
           "--password-stdin", stdin=PASSWORD)  # fmt: skip
    code, out, err = pledge(
        capsys, monkeypatch, "token", "create", "omar", "--name", "ticketing", path
    )
    assert code == 0
    token = out.strip()
    assert out == token + "\n", "the token alone on standard output"
    assert token.startswith("plg_")
    assert "token 'ticketing' for omar: keep it now" in err
    store_url = f"sqlite:///{Path(path).parent / 'pledge-store.db'}"
    with open_store(store_url) as store, store.session() as session:
        found = find_token(session, token)
        assert found is not None and found.user_id == get_user(session, "omar").id
    code, out, _ = pledge(capsys, monkeypatch, "token", "list", path, "--user", "omar")
    header, line = out.splitlines()
    assert header.split() == ["user", "name", "created", "last", "used", "state"]
    assert line.split()[:2] == ["omar", "ticketing"]
    assert line.split()[-2:] == ["never", "live"]
    code, out, _ = pledge(
        capsys, monkeypatch, "token", "revoke", "omar", "--name", "ticketing", path
    )
    assert (code, out) == (0, "token 'ticketing' of omar revoked\n")
    with open_store(store_url) as store, store.session() as session:
        assert find_token(session, token) is None
    code, out, _ = pledge(capsys, monkeypatch, "token", "list", path)
    assert "revoked 20" in out
    code, _, err = pledge(
        capsys, monkeypatch, "token", "revoke", "omar", "--name", "ticketing", path
    )
    assert code == 1
    assert "has no live token named 'ticketing'" in err
