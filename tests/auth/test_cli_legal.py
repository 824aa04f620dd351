"""`pledge user add NAME --role legal`: the role that alone opens the archive (S003-22), on
each store backend, listed as any other."""

from __future__ import annotations

import pytest

from pledge.auth.roles import Role
from pledge.auth.users import authenticate
from pledge.store import open_store
from tests.auth.test_cli import PASSWORD, path, pledge

__all__ = ["path"]


def test_add_a_user_with_the_role_legal(
    path: str, store_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = pledge(
        capsys, monkeypatch, "user", "add", "Lea", "--role", "legal", path,
        "--password-stdin", "--store", store_url, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == "user lea added, with the role legal\n"
    with open_store(store_url) as store, store.session(write=True) as session:
        user = authenticate(session, "lea", PASSWORD)
        assert user is not None
        assert Role(user.role) is Role.LEGAL
    code, out, err = pledge(capsys, monkeypatch, "user", "list", path, "--store", store_url)
    assert code == 0
    assert [line.split()[:2] for line in out.splitlines()[1:]] == [["lea", "legal"]]
