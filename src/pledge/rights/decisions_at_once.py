"""The part of an objection that cannot wait for approval: direct marketing.

Objecting to direct marketing is absolute (GDPR Art. 21(3)): no grounds of the company's can
outweigh it, so there is nothing for an admin to weigh. An objection that also covers other
activities waits for approval as a whole (pledge.rights.workflow.proceed), which queues this
job when the person's identity is confirmed; the job records the direct-marketing part at
once. The run after approval records the rest (`record_decisions` skips what is recorded
already), and denying the rest leaves this part in force.
"""

from __future__ import annotations

from pledge.errors import PledgeError
from pledge.jobs.registry import JobContext, job
from pledge.rights.decisions import record_decisions
from pledge.rights.decisions_scope import absolute_objections, activities_for, asked_activities
from pledge.rights.requests import get_request
from pledge.rights.types import HANDLING

STOP_DIRECT_MARKETING_JOB = "request.stop_direct_marketing"


# A missing request, or activities the declaration no longer has, will not come right by
# trying again: fail at once, with the message, for an admin to see on the request's page.
@job(STOP_DIRECT_MARKETING_JOB, throws=(PledgeError,))
def stop_direct_marketing(ctx: JobContext, ref: str) -> None:
    """Record the objection to the request's direct-marketing activities; idempotent."""
    row = get_request(ctx.session, ref)
    if HANDLING.get(row.type) != "objection" or row.verified_at is None:
        return
    declaration = ctx.services.declaration
    asked = activities_for(
        declaration, "objection", asked_activities(row), jurisdiction=row.jurisdiction
    )
    at_once = absolute_objections(declaration, asked)
    if not at_once:
        return
    rest = [name for name in asked if name not in at_once]
    waits = (
        f"{', '.join(rest)} wait{'s' if len(rest) == 1 else ''}" if rest else "the request waits"
    )
    record_decisions(
        ctx.session,
        declaration,
        row,
        access=None,
        now=ctx.now,
        actor=ctx.actor,
        only=at_once,
        why=f"direct marketing stops at once, GDPR Art. 21(3); {waits} for approval",
    )
