"""The jobs that move requests along; each takes a request's reference and nothing else.

Importing this module registers every request job: the acknowledgement and mails here, the
run (pledge.rights.answers), the erasure's steps (pledge.rights.erasure_run), the
recipients' notices (pledge.rights.recipients), and the end of what legal holds kept from
an erasure (pledge.retention.hold_release).
"""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import select

from pledge.errors import NotFound
from pledge.jobs.queue import enqueue
from pledge.jobs.registry import JobContext, job
from pledge.mail.messages import (
    acknowledgement_message,
    completion_message,
    denial_message,
    extension_message,
)
from pledge.retention import hold_release as _hold_release  # noqa: F401  (registration)
from pledge.rights import answers as _answers  # noqa: F401  (registration)
from pledge.rights import erasure_run as _erasure_run  # noqa: F401  (registration)
from pledge.rights import recipients as _recipients  # noqa: F401  (registration)
from pledge.rights.acknowledgement import acknowledge
from pledge.rights.closing_summary import mail_summary
from pledge.rights.delivery import download_link_token, result_of, status_token
from pledge.rights.events import record_event
from pledge.rights.requests import ACKNOWLEDGE_JOB, get_request
from pledge.rights.workflow import (
    CLOSING_MAIL_JOB,
    EXTENSION_MAIL_JOB,
    RUN_JOB,
    mail_identity_code,
)
from pledge.store.tables import RequestEventRow


# A reference with no request behind it will not appear by trying again: fail at once. A
# request moved by someone else meanwhile (RequestChanged) is retried, and the next run
# reads the state afresh. A mail the relay refuses is retried too: the whole step is, so
# the acknowledgement is recorded only once its mails are out.
@job(ACKNOWLEDGE_JOB, throws=(NotFound,))
def acknowledge_request(ctx: JobContext, ref: str) -> None:
    """Acknowledge receipt (mailed), then send the identity code, or run an opt-out at once."""
    before = get_request(ctx.session, ref)
    if before.acknowledged_at is not None:
        return
    row = acknowledge(ctx.session, ref, actor=ctx.actor, now=ctx.now)
    if row.acknowledged_at is None:
        return  # closed before it could be acknowledged
    services = ctx.services
    declaration = services.declaration
    _mail(
        ctx,
        row.id,
        "acknowledgement",
        acknowledgement_message(declaration, row, lang=row.language, sender=services.sender),
    )
    if row.state == "running":
        enqueue(ctx.session, RUN_JOB, row.id, now=ctx.now)
    elif row.state == "identity_pending" and row.agent_email is None:
        mail_identity_code(ctx.session, services, row.id, actor=ctx.actor, now=ctx.now)
    elif row.state == "identity_pending":
        record_event(
            ctx.session,
            row.id,
            ctx.now,
            "verification",
            None,
            None,
            ctx.actor,
            "made by an authorised agent: waiting for staff to review the agent's proof",
        )


@job(CLOSING_MAIL_JOB, throws=(NotFound,))
def mail_outcome(ctx: JobContext, ref: str) -> None:
    """Tell the person how their request ended; sent once."""
    row = get_request(ctx.session, ref)
    if row.state not in ("completed", "partially_completed", "denied"):
        return
    if _mailed(ctx, row.id, "outcome"):
        return
    services = ctx.services
    declaration = services.declaration
    if row.state == "denied":
        message = denial_message(declaration, row, lang=row.language, sender=services.sender)
    else:
        result = result_of(ctx.session, row.id)
        summary = mail_summary(declaration, row, result)
        link_token = download_link_token(result, key=services.keys.links) if result else None
        if link_token is not None and result is not None and result.package_expires_at:
            summary["download_until"] = result.package_expires_at.date().isoformat()
        status = services.link(
            f"/privacy/requests/status/{status_token(row.id, key=services.keys.links)}"
        )
        if link_token is not None:
            status = services.link(f"/privacy/requests/download/{link_token}")
        message = completion_message(
            declaration,
            row,
            lang=row.language,
            sender=services.sender,
            status_url=status,
            summary=summary,
        )
    _mail(ctx, row.id, "outcome", message)


@job(EXTENSION_MAIL_JOB, throws=(NotFound,))
def mail_extension(ctx: JobContext, ref: str) -> None:
    row = get_request(ctx.session, ref)
    if row.extended_due_at is None or _mailed(ctx, row.id, "extension"):
        return
    services = ctx.services
    message = extension_message(
        services.declaration, row, lang=row.language, sender=services.sender
    )
    _mail(ctx, row.id, "extension", message)


def _mail(ctx: JobContext, ref: str, what: str, message: EmailMessage) -> None:
    where = ctx.services.send(message)
    record_event(ctx.session, ref, ctx.now, "mail", None, None, ctx.actor, f"{what}: {where}")


def _mailed(ctx: JobContext, ref: str, what: str) -> bool:
    found = ctx.session.scalar(
        select(RequestEventRow.id).where(
            RequestEventRow.request_id == ref,
            RequestEventRow.kind == "mail",
            RequestEventRow.note.startswith(f"{what}: "),
        )
    )
    return found is not None
