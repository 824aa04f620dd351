"""Acting on requests from the console: each action through its form, recorded as the
member of staff who took it; the CSRF token, the role and the state each guard it."""

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
from pledge.jobs import JOBS, Runner
from pledge.mail.sender import MailSettings
from pledge.rights.restriction_lift import LIFT_JOB
from pledge.rights.workflow import CLOSING_MAIL_JOB, RUN_JOB, attach_agent_proof
from pledge.services import Services
from pledge.store.tables import JobRow, SubjectDecisionRow
from tests.mail.smtp_server import SmtpServer, smtp_server
from tests.web.console import Console, Staff, serving_console

__all__ = ["smtp_server"]

PDF = b"%PDF-1.4\n% the person's signed permission\n%%EOF\n"


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with serving_console(tmp_path) as served:
        yield served


def _awaiting_approval(console: Console) -> str:
    ref = console.file(type="delete", approval_required=True)
    console.move(ref, "identity_pending", "verified", "awaiting_approval")
    return ref


def _followed(staff: Staff, response: httpx.Response) -> str:
    """The page an action's 303 leads to, as the browser shows it next."""
    assert response.status_code == 303, response.text
    return staff.page(response.headers["location"])


def _flash(page: str) -> str:
    found = re.search(r'<p class="flash (done|error)"[^>]*>(.*?)</p>', page, re.DOTALL)
    assert found, "the page shows no message"
    return f"{found.group(1)}: {html.unescape(found.group(2))}"


def _forms(page: str) -> list[str]:
    return re.findall(r'<form method="post" action="/admin/requests/[^/]+/([a-z-]+)"', page)


def test_an_officer_approves_a_request_and_the_run_is_queued(console: Console) -> None:
    ref = _awaiting_approval(console)
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)
    assert _forms(officer.page(f"/admin/requests/{ref}")) == ["approve", "extend", "deny"]

    response = officer.act(ref, "approve", seen="awaiting_approval", reason="checked by phone")

    assert response.headers["location"] == f"/admin/requests/{ref}"
    page = _followed(officer, response)
    assert _flash(page) == "done: Approved: the request is running now."
    assert console.request(ref).state == "running"
    [approved] = [e for e in console.events(ref, "state") if e.to_state == "running"]
    assert approved.actor == "staff:olive"
    assert approved.note == "checked by phone"
    assert [job.state for job in console.jobs(ref, RUN_JOB)] == ["pending"]
    # The message is shown once.
    assert 'class="flash' not in officer.page(f"/admin/requests/{ref}")


def test_an_officer_denies_a_request_with_a_reason(console: Console) -> None:
    ref = console.file()
    console.move(ref, "identity_pending")
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)

    page = _followed(officer, officer.act(ref, "deny", seen="identity_pending", reason="  "))
    assert _flash(page).startswith("error: moving a request to 'denied' needs a reason")
    assert console.request(ref).state == "identity_pending"

    reason = "the request is manifestly unfounded"
    page = _followed(officer, officer.act(ref, "deny", seen="identity_pending", reason=reason))

    assert _flash(page).startswith("done: Denied.")
    row = console.request(ref)
    assert row.state == "denied" and row.outcome == reason
    [denied] = [e for e in console.events(ref, "state") if e.to_state == "denied"]
    assert denied.actor == "staff:olive"
    assert [job.state for job in console.jobs(ref, CLOSING_MAIL_JOB)] == ["pending"]
    assert _forms(page) == []  # a closed request offers nothing more


def test_an_officer_extends_the_due_date_once(console: Console) -> None:
    ref = console.file(days_ago=10)
    first_due = console.request(ref).due_at
    assert first_due is not None
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)

    reason = "the records are spread over many systems"
    page = _followed(officer, officer.act(ref, "extend", seen="received", reason=reason))

    row = console.request(ref)
    assert row.extended_due_at is not None and row.extended_due_at > first_due
    assert row.extension_reason == reason
    assert _flash(page) == (
        f"done: Extended: now due {row.extended_due_at.isoformat()}. The person will be mailed"
        " the new date and the reason."
    )
    [extended] = console.events(ref, "extended")
    assert extended.actor == "staff:olive"
    assert "extend" not in _forms(page)
    page = _followed(officer, officer.act(ref, "extend", seen="received", reason="again"))
    assert "was extended already" in _flash(page)


def test_an_action_on_a_page_that_is_out_of_date_does_nothing(console: Console) -> None:
    ref = _awaiting_approval(console)
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)

    page = _followed(officer, officer.act(ref, "deny", seen="verified", reason="too late"))

    assert _flash(page).startswith("error: request")
    assert "changed meanwhile" in _flash(page)
    assert console.request(ref).state == "awaiting_approval"


def test_an_action_without_the_csrf_token_is_refused(console: Console) -> None:
    ref = _awaiting_approval(console)
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)

    for token in ({}, {"csrf_token": "not-the-token"}):
        response = officer.client.post(
            f"/admin/requests/{ref}/approve", data={"seen": "awaiting_approval", **token}
        )
        assert response.status_code == 403
        assert "CSRF" in response.json()["error"]["message"]
    assert console.request(ref).state == "awaiting_approval"
    assert console.jobs(ref, RUN_JOB) == []


def test_a_viewer_sees_no_actions_and_cannot_post_one(console: Console) -> None:
    ref = _awaiting_approval(console)
    viewer = console.signed_in("vera", Role.VIEWER)

    page = viewer.page(f"/admin/requests/{ref}")
    assert _forms(page) == []
    assert "can read requests but not act on them" in page

    response = viewer.act(ref, "approve", seen="awaiting_approval")
    assert response.status_code == 403
    assert "privacy_officer" in response.json()["error"]["message"]
    assert console.request(ref).state == "awaiting_approval"


def test_an_action_without_signing_in_leads_to_the_login(console: Console) -> None:
    ref = _awaiting_approval(console)
    anonymous = console.client()

    response = anonymous.post(f"/admin/requests/{ref}/approve", data={"seen": "awaiting_approval"})

    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/login?next=")
    assert console.request(ref).state == "awaiting_approval"


def test_a_run_whose_job_failed_can_be_queued_again(console: Console) -> None:
    ref = console.file()
    console.move(ref, "identity_pending", "verified", "running")
    now = dt.datetime.now(dt.UTC)
    with console.store.session(write=True) as session:
        session.add(
            JobRow(
                kind=RUN_JOB,
                ref=ref,
                state="failed",
                attempts=5,
                run_after=now,
                created_at=now,
                finished_at=now,
                last_error="gave up after 5 attempts: OperationalError: no such table: customers",
            )
        )
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)
    assert "retry" in _forms(officer.page(f"/admin/requests/{ref}"))

    page = _followed(officer, officer.act(ref, "retry", seen="running"))

    assert _flash(page) == "done: The run was queued again."
    assert [job.state for job in console.jobs(ref, RUN_JOB)] == ["failed", "pending"]
    assert "retry" not in _forms(page)  # queued: no longer stuck
    page = _followed(officer, officer.act(ref, "retry", seen="running"))
    assert "is not stuck" in _flash(page)
    assert len(console.jobs(ref, RUN_JOB)) == 2


def _restricted(console: Console) -> str:
    """A restriction request that completed: its restriction is in force; its reference."""
    ref = console.file(type="restriction", jurisdiction="uk")
    console.move(ref, "identity_pending", "verified", "running", "completed")
    now = dt.datetime.now(dt.UTC)
    with console.store.session(write=True) as session:
        session.add(
            SubjectDecisionRow(
                request_id=ref,
                kind="restriction",
                activity=None,
                identity_kind="email",
                identity_value="ann@example.com",
                decided_at=now,
            )
        )
    return ref


def _decisions(page: str) -> str:
    return page[page.index('id="decisions"') : page.index('id="jobs"')]


def test_an_officer_lifts_a_restriction(console: Console, smtp_server: SmtpServer) -> None:
    ref = _restricted(console)
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)
    assert _forms(officer.page(f"/admin/requests/{ref}")) == ["lift-restriction"]

    reason = "the accuracy of the data was checked and confirmed"
    page = _followed(officer, officer.act(ref, "lift-restriction", seen="completed", reason=reason))

    assert _flash(page) == (
        "done: The person will be mailed that the restriction ends, and it is lifted once that"
        " mail is out."
    )
    [decided] = console.events(ref, "decision")
    assert decided.actor == "staff:olive" and reason in (decided.note or "")
    # GDPR Art. 18(3): in force until the person is told, by the job the action queued.
    assert console.jobs(ref, LIFT_JOB)[0].state == "pending"
    services = Services(
        declaration=lambda: console.declaration,
        keys=console.keys,
        public_url=console.url,
        mail=MailSettings(smtp_server.host, smtp_server.port, "privacy@maplefinch.example"),
    )
    try:
        Runner(console.store, JOBS, services=services).run_pending()
    finally:
        services.close()
    [mail] = [r.message for r in smtp_server.received if "ann@example.com" in r.recipients]
    assert mail["Subject"] == f"Maple & Finch: the restriction of your data ends ({ref})"
    with console.store.session() as session:
        decision = session.scalars(
            select(SubjectDecisionRow).where(SubjectDecisionRow.request_id == ref)
        ).one()
    assert decision.lifted_at is not None and decision.lifted_by == "staff:olive"
    assert _forms(officer.page(f"/admin/requests/{ref}")) == []


def test_a_lift_waiting_for_its_mail_is_shown_pending_and_not_offered_again(
    console: Console,
) -> None:
    ref = _restricted(console)
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)
    assert "in force" in _decisions(officer.page(f"/admin/requests/{ref}"))

    reason = "the accuracy of the data was checked and confirmed"
    page = _followed(officer, officer.act(ref, "lift-restriction", seen="completed", reason=reason))

    # No job ran (the console's server runs none): the person is not mailed yet.
    assert console.jobs(ref, LIFT_JOB)[0].state == "pending"
    assert _forms(page) == []
    assert "Lift the restriction" not in page
    decisions = _decisions(page)
    assert "to be lifted once the person is mailed (decided by staff:olive)" in decisions


def _with_proof(console: Console) -> str:
    ref = console.file(type="know", agent=True)
    console.move(ref, "identity_pending")
    with console.store.session(write=True) as session:
        attach_agent_proof(
            session,
            ref,
            filename="permission.pdf",
            content_type="application/pdf",
            content=PDF,
            key=console.keys.package,
        )
    return ref


def test_the_agents_proof_is_downloaded_and_accepted(console: Console) -> None:
    ref = _with_proof(console)
    viewer = console.signed_in("vera", Role.VIEWER)
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)

    page = viewer.page(f"/admin/requests/{ref}")
    assert "Agnes Agent &lt;agnes@agents.example&gt;" in page
    assert "Not reviewed yet." in page
    download = viewer.client.get(f"/admin/requests/{ref}/proof")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == f'attachment; filename="{ref}-proof.pdf"'
    assert "sandbox" in download.headers["content-security-policy"]
    assert _forms(page) == []
    assert _forms(officer.page(f"/admin/requests/{ref}")) == [
        "extend",
        "deny",
        "accept-proof",
        "refuse-proof",
    ]

    page = _followed(officer, officer.act(ref, "accept-proof", seen="identity_pending"))

    assert _flash(page) == "done: The agent's proof was accepted: the request is now running."
    assert console.request(ref).state == "running"
    assert "Reviewed: accepted by staff:olive" in page
    assert [job.state for job in console.jobs(ref, RUN_JOB)] == ["pending"]


def test_the_agents_proof_is_refused_with_a_reason(console: Console) -> None:
    ref = _with_proof(console)
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)

    reason = "the permission is not signed"
    page = _followed(
        officer, officer.act(ref, "refuse-proof", seen="identity_pending", reason=reason)
    )

    assert _flash(page).startswith("done: The agent's proof was refused")
    row = console.request(ref)
    assert row.state == "denied"
    assert reason in (row.outcome or "")
    assert "Reviewed: refused by staff:olive" in page


def test_after_signing_in_again_an_action_address_leads_to_the_request(console: Console) -> None:
    ref = _awaiting_approval(console)
    officer = console.signed_in("olive", Role.PRIVACY_OFFICER)

    response = officer.client.get(f"/admin/requests/{ref}/approve")

    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/requests/{ref}"
    assert console.request(ref).state == "awaiting_approval"
