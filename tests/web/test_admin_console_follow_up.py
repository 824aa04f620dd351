"""Following up from the console what could not be done by itself: a recipient that could
not be told (retried, or recorded as told by hand) and a mail whose job gave up."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from pledge.auth.roles import Role
from pledge.rights.recipients import NOTIFY_JOB
from pledge.rights.requests import ACKNOWLEDGE_JOB
from pledge.rights.workflow import CLOSING_MAIL_JOB
from pledge.store.tables import JobRow, RecipientNoticeRow
from tests.web.console import Console, Staff, serving_console

UNSET = "the environment variable COURIERS_WEBHOOK (the webhook URL) is not set"


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with serving_console(tmp_path) as served:
        yield served


def _followed(staff: Staff, response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    return staff.page(response.headers["location"])


def _flash(page: str) -> str:
    found = re.search(r'<p class="flash (done|error)"[^>]*>(.*?)</p>', page, re.DOTALL)
    assert found, "the page shows no message"
    return f"{found.group(1)}: {html.unescape(found.group(2))}"


def _notice_forms(page: str) -> list[tuple[str, str]]:
    """(action, recipient) of each form the recipients' table offers."""
    return re.findall(
        r'<form method="post" action="/admin/requests/[^/]+/([a-z-]+)"[^>]*>\s*'
        r'<input type="hidden" name="csrf_token"[^>]*>\s*'
        r'<input type="hidden" name="seen"[^>]*>\s*'
        r'<input type="hidden" name="recipient" value="([^"]+)">',
        page,
    )


def _erased_with_notices(console: Console) -> str:
    """A completed erasure: the mailer was told, couriers could not be."""
    ref = console.file(type="delete")
    console.move(ref, "identity_pending", "verified", "running", "completed")
    now = dt.datetime.now(dt.UTC)
    with console.store.session(write=True) as session:
        session.add_all(
            [
                RecipientNoticeRow(
                    request_id=ref, recipient="couriers", channel="webhook", state="failed",
                    attempts=1, last_error=UNSET,
                ),
                RecipientNoticeRow(
                    request_id=ref, recipient="mailer", channel="email", state="sent",
                    attempts=1, sent_at=now,
                ),
            ]
        )  # fmt: skip
    return ref


def _notice(console: Console, ref: str, recipient: str) -> RecipientNoticeRow:
    with console.store.session() as session:
        return session.scalars(
            select(RecipientNoticeRow).where(
                RecipientNoticeRow.request_id == ref, RecipientNoticeRow.recipient == recipient
            )
        ).one()


def _gave_up(console: Console, ref: str, kind: str) -> None:
    now = dt.datetime.now(dt.UTC)
    with console.store.session(write=True) as session:
        session.add(
            JobRow(
                kind=kind, ref=ref, state="failed", attempts=5, run_after=now, created_at=now,
                finished_at=now, last_error="gave up after 5 attempts: mail relay refused",
            )
        )  # fmt: skip


def test_an_officer_tries_a_failed_notice_again(console: Console) -> None:
    ref = _erased_with_notices(console)
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)
    page = officer.page(f"/admin/requests/{ref}")
    assert _notice_forms(page) == [("retry-notice", "couriers"), ("told-by-hand", "couriers")]
    assert "<th>Told of</th>" in page and "<td>couriers</td><td>the request</td>" in page

    response = officer.act(ref, "retry-notice", seen="completed", recipient="couriers")

    page = _followed(officer, response)
    assert _flash(page) == "done: The notice to couriers will be tried again."
    notice = _notice(console, ref, "couriers")
    assert (notice.state, notice.attempts) == ("pending", 0)
    assert [job.state for job in console.jobs(ref, NOTIFY_JOB)] == ["pending"]
    [retried] = console.events(ref, "recipient")
    assert (retried.actor, retried.note) == (
        "staff:olive",
        "couriers: the notice will be tried again",
    )
    assert _notice_forms(page) == []  # pending: nothing to do until it fails again

    page = _followed(
        officer, officer.act(ref, "retry-notice", seen="completed", recipient="couriers")
    )
    assert _flash(page).startswith("error: the notice to couriers is pending, not failed")


def test_an_officer_records_a_recipient_told_by_hand(console: Console) -> None:
    ref = _erased_with_notices(console)
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)

    page = _followed(
        officer,
        officer.act(ref, "told-by-hand", seen="completed", recipient="couriers", reason=" "),
    )
    assert _flash(page).startswith("error: say how the recipient was told")
    assert _notice(console, ref, "couriers").state == "failed"

    how = "by phone to their DPO, who confirmed the erasure"
    page = _followed(
        officer,
        officer.act(ref, "told-by-hand", seen="completed", recipient="couriers", reason=how),
    )

    assert _flash(page) == "done: couriers is recorded as told by hand."
    assert _notice(console, ref, "couriers").state == "sent"
    [told] = console.events(ref, "recipient")
    assert (told.actor, told.note) == ("staff:olive", f"couriers told by hand: {how}")
    assert _notice_forms(page) == []


def test_a_recipient_with_no_notice_is_named_in_the_error(console: Console) -> None:
    ref = _erased_with_notices(console)
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)
    for recipient in ("hmrc", ""):
        page = _followed(
            officer, officer.act(ref, "retry-notice", seen="completed", recipient=recipient)
        )
        assert _flash(page).startswith(f"error: request {ref} has no notice to")
    page = _followed(
        officer, officer.act(ref, "retry-notice", seen="completed", recipient="mailer")
    )
    assert _flash(page).startswith("error: the notice to mailer is sent, not failed")


def test_a_viewer_sees_no_notice_buttons_and_cannot_post_one(console: Console) -> None:
    ref = _erased_with_notices(console)
    viewer = console.signed_in("vera", Role.VIEWER)
    assert _notice_forms(viewer.page(f"/admin/requests/{ref}")) == []

    response = viewer.act(ref, "told-by-hand", recipient="couriers", reason="by phone")

    assert response.status_code == 403
    assert _notice(console, ref, "couriers").state == "failed"


def test_a_notice_action_without_the_csrf_token_is_refused(console: Console) -> None:
    ref = _erased_with_notices(console)
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)
    response = officer.client.post(
        f"/admin/requests/{ref}/retry-notice", data={"recipient": "couriers"}
    )
    assert response.status_code == 403
    assert _notice(console, ref, "couriers").state == "failed"


def test_an_acknowledgement_that_gave_up_is_queued_again(console: Console) -> None:
    ref = console.file()
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)
    assert "resend-mail" not in officer.page(f"/admin/requests/{ref}")
    with console.store.session(write=True) as session:
        # The acknowledgement job the filing queued: given up, as after 5 failed tries.
        [queued] = session.scalars(select(JobRow).where(JobRow.ref == ref)).all()
        queued.state, queued.attempts, queued.last_error = "failed", 5, "gave up: relay down"
    page = officer.page(f"/admin/requests/{ref}")
    assert 'action="/admin/requests/' + ref + '/resend-mail"' in page

    page = _followed(officer, officer.act(ref, "resend-mail", seen="received"))

    assert _flash(page) == "done: The acknowledgement will be sent again."
    assert [job.state for job in console.jobs(ref, ACKNOWLEDGE_JOB)] == ["failed", "pending"]
    [again] = console.events(ref, "mail")
    assert again.actor == "staff:olive"
    assert "resend-mail" not in page
    page = _followed(officer, officer.act(ref, "resend-mail", seen="received"))
    assert _flash(page).startswith(f"error: no mail of request {ref} failed for good")


def test_a_closing_mail_that_gave_up_is_queued_again(console: Console) -> None:
    ref = console.file()
    console.move(ref, "denied", note="we hold no data about you")
    _gave_up(console, ref, CLOSING_MAIL_JOB)
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)

    page = _followed(officer, officer.act(ref, "resend-mail", seen="denied"))

    assert _flash(page) == "done: The closing mail will be sent again."
    assert [job.state for job in console.jobs(ref, CLOSING_MAIL_JOB)] == ["failed", "pending"]
