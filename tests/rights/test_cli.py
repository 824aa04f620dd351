"""`pledge request create|list|show` and `pledge worker`, run as the CLI runs them."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pledge.cli import run
from pledge.rights import create_request, get_request, transition
from pledge.store import open_store
from tests.mail.smtp_server import SmtpServer
from tests.rights.demo import DEMO, at, demo

REFERENCE = re.compile(r"PLG-[0-9A-Z]{4}-[0-9A-Z]{4}")


@pytest.fixture
def path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("PLEDGE_STORE_URL", raising=False)
    return str(shutil.copy(DEMO, tmp_path / "pledge.yaml"))


def pledge(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def today_in(zone: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(zone)).date()


def test_create_prints_the_reference_and_the_due_date(
    path: str, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = pledge(
        capsys, "request", "create", path, "--type", "access", "--email", "jane@example.com",
        "--jurisdiction", "us-ca", "--identity", "contact.postal_address=94110",
        "--store", store_url,
    )  # fmt: skip
    assert (code, err) == (0, "")
    reference, *rest = out.splitlines()
    assert REFERENCE.fullmatch(reference.split(":")[0])
    assert reference.endswith(": request to know (us-ca) received")
    assert rest[0] == f"due {(today_in('America/Los_Angeles') + dt.timedelta(days=45))}"
    assert rest[1].startswith("acknowledge by ")
    with open_store(store_url) as store, store.session() as session:
        row = get_request(session, reference.split(":")[0])
    assert (row.type, row.identity, row.email) == (
        "know",
        {"contact.postal_address": "94110"},
        "jane@example.com",
    )


def test_a_uk_request_has_no_due_date_until_identity_is_confirmed(
    path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = pledge(
        capsys, "request", "create", path, "--type", "erasure", "--email", "jo@example.com",
        "--jurisdiction", "uk",
    )  # fmt: skip
    assert code == 0
    assert out.splitlines()[1:] == [
        "due date set when the person confirms their identity (the clock starts then)"
    ]
    assert (Path(path).parent / "pledge-store.db").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "acess", "--jurisdiction", "uk"], "error: unknown request type 'acess'"),
        (["--type", "access", "--jurisdiction", "fr"], "does not cover jurisdiction 'fr'"),
        (["--type", "access", "--jurisdiction", "uk", "--identity", "postcode"], "NAME=VALUE"),
        (
            ["--type", "access", "--jurisdiction", "uk", "--identity", "phon=+44 7700 900123"],
            "'phon' is not one the declaration knows — did you mean 'phone'?",
        ),
    ],
)
def test_create_explains_bad_input(
    path: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = pledge(capsys, "request", "create", path, "--email", "jane@example.com", *args)
    assert (code, out) == (1, "")
    assert message in err
    assert "Traceback" not in err


def test_worker_acknowledges_and_list_shows_overdue_first(
    path: str,
    store_url: str,
    capsys: pytest.CaptureFixture[str],
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLEDGE_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("PLEDGE_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("PLEDGE_MAIL_FROM", "privacy@maplefinch.example")
    monkeypatch.setenv("PLEDGE_SECRET_KEY", "a secret of at least thirty-two characters")
    with open_store(store_url) as store, store.session(write=True) as session:
        old = create_request(
            session, demo(), type="delete", email="old@example.com", jurisdiction="us-ca",
            now=at(2025, 1, 6),
        ).id  # fmt: skip
        closed = create_request(
            session, demo(), type="know", email="done@example.com", jurisdiction="us-ca",
            now=at(2025, 1, 2),
        ).id  # fmt: skip
        transition(session, closed, "denied", actor="admin", note="spam", now=at(2025, 1, 3))
    pledge(
        capsys, "request", "create", path, "--type", "know", "--email", "new@example.com",
        "--jurisdiction", "us-ca", "--store", store_url,
    )  # fmt: skip
    assert pledge(capsys, "worker", path, "--once", "--store", store_url) == (
        0,
        "ran 3 jobs: 3 done, 0 failed, 0 to retry\n",  # the denied request's one does nothing
        "",
    )
    # Each open request got its acknowledgement and its identity code.
    assert sorted(r.recipients[0] for r in smtp_server.received) == [
        "new@example.com", "new@example.com", "old@example.com", "old@example.com"
    ]  # fmt: skip
    code, out, _ = pledge(capsys, "request", "list", path, "--store", store_url)
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == [
        "reference", "type", "state", "jurisdiction", "received", "due", "days", "left"
    ]  # fmt: skip
    assert [line.split()[:3] for line in lines[1:]] == [
        [old, "delete", "identity_pending"],
        [lines[2].split()[0], "know", "identity_pending"],
        [closed, "know", "denied"],
    ]
    overdue_by = (today_in("America/Los_Angeles") - dt.date(2025, 2, 20)).days
    assert lines[1].endswith(f"2025-01-06  2025-02-20  OVERDUE by {overdue_by} days")
    assert lines[2].endswith("  45")
    assert lines[3].endswith("closed")
    code, out, _ = pledge(capsys, "request", "list", path, "--overdue", "--store", store_url)
    assert [line.split()[0] for line in out.splitlines()[1:]] == [old]
    code, out, _ = pledge(
        capsys, "request", "list", path, "--state", "running", "--store", store_url
    )
    assert out == "no matching requests\n"


def test_show_prints_the_details_and_the_timeline(
    path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = pledge(
        capsys, "request", "create", path, "--type", "opt_out_sale_share",
        "--email", "jane@example.com", "--jurisdiction", "us-ca",
    )  # fmt: skip
    reference = out.split(":")[0]
    # No mail relay and a SQLite store: the mails are written to outbox/ beside it.
    assert pledge(capsys, "worker", path, "--once")[1] == (
        "ran 3 jobs: 3 done, 0 failed, 0 to retry\n"
    )
    outbox = sorted((Path(path).parent / "outbox").glob("*.eml"))
    assert len(outbox) == 2  # the acknowledgement, and the closing mail
    code, out, _ = pledge(capsys, "request", "show", path, reference.lower())
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == reference
    assert "  type            opt_out_sale_share (request to opt out of sale and sharing)" in lines
    assert "  state           completed" in lines
    assert "  email           jane@example.com" in lines
    assert "  acknowledge by  -" in lines
    timeline = lines[lines.index("timeline") + 1 :]
    assert [re.sub(r"^  \S+ \S+ UTC  ", "", line).split(":")[0] for line in timeline] == [
        "- -> received  by cli",
        "acknowledged  by job",
        "received -> running  by job",
        "mail  by job",
        "decision  by system",
        "running -> completed  by job",
        "mail  by job",
    ]


def test_show_list_and_worker_explain_bad_input(
    path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pledge(capsys, "request", "show", path, "PLG-0000-0000")[2] == (
        "error: there is no request PLG-0000-0000 — list the requests with `pledge request list`\n"
    )
    code, _, err = pledge(capsys, "request", "list", path, "--state", "done")
    assert code == 1 and err.startswith("error: unknown state 'done'")
    assert pledge(capsys, "request", "list", path) == (0, "no requests\n", "")
