"""Sending again a mail to the person whose job gave up.

A mail job retries on its own with a backoff (pledge.jobs.runner), and after its last try it
fails for good: with the relay down for several minutes, a request stays `received` (the
acknowledgement job rolls back the acknowledgement with the mail it could not send), or
closes without its closing mail. Once the relay is back, staff queue the job again. Every
mail job is idempotent, so running it again sends each mail once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.errors import PledgeError
from pledge.jobs.queue import enqueue, given_up
from pledge.rights.events import record_event
from pledge.rights.requests import ACKNOWLEDGE_JOB, get_request, utc_moment
from pledge.rights.restriction_lift import LIFT_JOB
from pledge.rights.workflow import CLOSING_MAIL_JOB, EXTENSION_MAIL_JOB
from pledge.store.tables import JobRow

# The jobs that mail the person, and what each one sends.
MAIL_JOBS: Mapping[str, str] = {
    ACKNOWLEDGE_JOB: "the acknowledgement",
    CLOSING_MAIL_JOB: "the closing mail",
    EXTENSION_MAIL_JOB: "the extension mail",
    # Mails the person that a restriction ends, then lifts it: until then it stays in force.
    LIFT_JOB: "the notice that a restriction ends",
}


class NothingToResend(PledgeError):
    status_code = 409


def failed_mails(session: Session, ref: str) -> list[str]:
    """What the request's mail jobs that gave up were to send (empty: none gave up)."""
    return mails_given_up(_jobs(session, ref))


def mails_given_up(jobs: Iterable[JobRow]) -> list[str]:
    """Of a request's jobs, what those that mail the person and gave up were to send."""
    return [MAIL_JOBS[job.kind] for job in given_up(jobs, MAIL_JOBS)]


def resend_mails(
    session: Session, ref: str, *, actor: str, now: dt.datetime | None = None
) -> list[str]:
    """Queue again every mail job of the request that gave up; what will be sent.
    NothingToResend when none did."""
    moment = utc_moment(now)
    row = get_request(session, ref)
    failed = given_up(_jobs(session, row.id), MAIL_JOBS)
    if not failed:
        raise NothingToResend(
            f"no mail of request {row.id} failed for good: there is none to send again",
            "a mail job that gave up shows as failed among the request's jobs",
        )
    for job in failed:
        enqueue(session, job.kind, row.id, now=moment)
    what = [MAIL_JOBS[job.kind] for job in failed]
    note = f"{' and '.join(what)} to be sent again (the job had given up)"
    record_event(session, row.id, moment, "mail", None, None, actor, note)
    return what


def _jobs(session: Session, request_id: str) -> list[JobRow]:
    query = select(JobRow).where(JobRow.ref == request_id, JobRow.kind.in_(tuple(MAIL_JOBS)))
    return list(session.scalars(query))
