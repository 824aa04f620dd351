"""`pledge webhook-key`: the key a recipient verifies Pledge's webhook calls with."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from pledge.cli import run
from pledge.rights.recipients_delivery import signature
from pledge.services import Keys, load_secret

SECRET = "s" * 40


def test_the_printed_key_checks_the_signature_pledge_sends(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLEDGE_SECRET_KEY", SECRET)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    assert run(["webhook-key", "--store", store]) == 0
    printed = capsys.readouterr().out.strip()
    body = b'{"event": "erasure"}'
    pledge_sends = signature(body, Keys.derive(load_secret(store)).webhooks)
    # What a recipient computes from the printed key alone.
    theirs = "sha256=" + hmac.new(bytes.fromhex(printed), body, hashlib.sha256).hexdigest()
    assert theirs == pledge_sends
    monkeypatch.setenv("PLEDGE_SECRET_KEY", "t" * 40)
    assert run(["webhook-key", "--store", store]) == 0
    assert capsys.readouterr().out.strip() != printed  # derived from the secret in force


def test_a_sqlite_store_without_a_secret_uses_the_file_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLEDGE_SECRET_KEY", raising=False)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    assert run(["webhook-key", "--store", store]) == 0
    first = capsys.readouterr().out.strip()
    assert (tmp_path / "pledge-secret.key").is_file()
    assert run(["webhook-key", "--store", store]) == 0
    assert capsys.readouterr().out.strip() == first


def test_without_a_store_it_says_which_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLEDGE_STORE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert run(["webhook-key"]) == 1
    assert "which store?" in capsys.readouterr().err
    assert not (tmp_path / "pledge-secret.key").exists()
    assert run(["webhook-key", str(tmp_path / "nothere.yaml")]) == 1
    assert "no such file" in capsys.readouterr().err
