"""`pledge request retry-notice|told-by-hand|resend-mail`, and what `show` says of them."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from pledge.cli import run
from pledge.rights import create_request, timeline, transition
from pledge.rights.recipients import NOTIFY_JOB
from pledge.rights.workflow import CLOSING_MAIL_JOB
from pledge.store import open_store
from pledge.store.tables import JobRow, RecipientNoticeRow, RequestEventRow
from tests.rights.demo import DEMO, at, demo
from tests.store.postgres import postgres_url, store_url

__all__ = ["postgres_url", "store_url"]

UNSET = "the environment variable COURIERS_WEBHOOK (the webhook URL) is not set"


@pytest.fixture
def path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("PLEDGE_STORE_URL", raising=False)
    return str(shutil.copy(DEMO, tmp_path / "pledge.yaml"))


def pledge(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def erased_with_a_failed_notice(store_url: str) -> str:
    with open_store(store_url) as store, store.session(write=True) as session:
        ref = create_request(
            session, demo(), type="erasure", email="jane@example.com", jurisdiction="uk",
            now=at(2026, 3, 2),
        ).id  # fmt: skip
        for state in ("identity_pending", "verified", "running", "completed"):
            transition(session, ref, state, actor="test")
        session.add_all(
            [
                RecipientNoticeRow(
                    request_id=ref, recipient="couriers", channel="webhook", state="failed",
                    attempts=1, last_error=UNSET,
                ),
                RecipientNoticeRow(
                    request_id=ref, recipient="mailer", channel="email", state="failed",
                    attempts=5, last_error="SMTP 451",
                ),
            ]
        )  # fmt: skip
        return ref


def notice_states(store_url: str, ref: str) -> dict[str, str]:
    with open_store(store_url) as store, store.session() as session:
        rows = session.scalars(
            select(RecipientNoticeRow).where(RecipientNoticeRow.request_id == ref)
        )
        return {row.recipient: row.state for row in rows}


def last_event(store_url: str, ref: str) -> RequestEventRow:
    with open_store(store_url) as store, store.session() as session:
        return timeline(session, ref)[-1]


def job_states(store_url: str, ref: str, kind: str) -> list[str]:
    with open_store(store_url) as store, store.session() as session:
        query = select(JobRow.state).where(JobRow.ref == ref, JobRow.kind == kind)
        return list(session.scalars(query.order_by(JobRow.id)))


def test_a_failed_notice_is_tried_again_or_told_by_hand(
    path: str, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = erased_with_a_failed_notice(store_url)
    code, out, _ = pledge(capsys, "request", "show", path, ref, "--store", store_url)
    assert code == 0
    assert "recipients" in out.splitlines()
    assert f"  couriers  webhook  failed  1 attempt  {UNSET}" in out.splitlines()

    code, out, err = pledge(
        capsys, "request", "retry-notice", path, ref.lower(), "couriers", "--store", store_url
    )
    assert (code, err) == (0, "")
    assert out == f"{ref}: the notice to couriers will be tried again by the next worker run\n"
    assert notice_states(store_url, ref)["couriers"] == "pending"
    assert job_states(store_url, ref, NOTIFY_JOB) == ["pending"]
    assert (last_event(store_url, ref).actor, last_event(store_url, ref).note) == (
        "cli",
        "couriers: the notice will be tried again",
    )

    code, out, err = pledge(
        capsys, "request", "told-by-hand", path, ref, "mailer",
        "--how", "by letter to their DPO", "--store", store_url,
    )  # fmt: skip
    assert (code, out, err) == (0, f"{ref}: mailer recorded as told by hand\n", "")
    assert notice_states(store_url, ref) == {"couriers": "pending", "mailer": "sent"}
    assert last_event(store_url, ref).note == "mailer told by hand: by letter to their DPO"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["retry-notice", "mailer"], "error: the notice to mailer is sent, not failed"),
        (["retry-notice", "hmrc"], "error: request {ref} has no notice to hmrc"),
        (["told-by-hand", "couriers", "--how", " "], "error: say how the recipient was told"),
        (["told-by-hand", "mailer", "--how", "again"], "error: mailer was told already"),
        (["resend-mail"], "error: no mail of request {ref} failed for good"),
    ],
)
def test_what_cannot_be_done_is_explained(
    path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    ref = erased_with_a_failed_notice(store)
    pledge(capsys, "request", "told-by-hand", path, ref, "mailer", "--how", "x", "--store", store)
    command, *rest = args
    code, out, err = pledge(capsys, "request", command, path, ref, *rest, "--store", store)
    assert (code, out) == (1, "")
    assert err.startswith(message.format(ref=ref))
    assert "Traceback" not in err


def test_a_closing_mail_that_gave_up_is_queued_again(
    path: str, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    now = dt.datetime.now(dt.UTC)
    with open_store(store_url) as store, store.session(write=True) as session:
        ref = create_request(
            session, demo(), type="know", email="jo@example.com", jurisdiction="us-ca", now=now
        ).id
        transition(session, ref, "denied", actor="test", note="we hold no data about you")
        session.add(
            JobRow(
                kind=CLOSING_MAIL_JOB, ref=ref, state="failed", attempts=5, run_after=now,
                created_at=now, finished_at=now, last_error="gave up after 5 attempts",
            )
        )  # fmt: skip
    _, out, _ = pledge(capsys, "request", "show", path, ref, "--store", store_url)
    assert "mails that gave up: the closing mail (`pledge request resend-mail`)" in out

    code, out, err = pledge(capsys, "request", "resend-mail", path, ref, "--store", store_url)

    assert (code, err) == (0, "")
    assert out == f"{ref}: the closing mail to be sent again by the next worker run\n"
    assert job_states(store_url, ref, CLOSING_MAIL_JOB) == ["failed", "pending"]
    assert (last_event(store_url, ref).kind, last_event(store_url, ref).actor) == ("mail", "cli")
