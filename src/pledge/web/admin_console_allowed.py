"""Which actions a request allows in the console, decided from its state
(pledge.rights.lifecycle), its jobs and its standing decisions: the buttons its page offers,
and what an action checks before it runs."""

from __future__ import annotations

import datetime as dt

from pledge.rights.deadlines import NO_EXTENSION, local_day
from pledge.rights.erasure_run import ERASE_SOURCE_JOB, FINISH_ERASURE_JOB
from pledge.rights.lifecycle import CLOSED, next_states
from pledge.rights.mail_again import mails_given_up
from pledge.rights.requests import clock_of
from pledge.rights.restriction_lift import lift_pending
from pledge.rights.types import needs_identity
from pledge.rights.workflow import RUN_JOB
from pledge.store.tables import (
    JOB_UNFINISHED,
    AgentProofRow,
    JobRow,
    RequestRow,
    SubjectDecisionRow,
)

# The jobs that carry out a running request; the others (mails, recipients) do not move it on.
RUN_KINDS = frozenset({RUN_JOB, ERASE_SOURCE_JOB, FINISH_ERASURE_JOB})


def allowed_actions(
    row: RequestRow,
    proof: AgentProofRow | None,
    decisions: list[SubjectDecisionRow],
    jobs: list[JobRow],
    now: dt.datetime,
) -> frozenset[str]:
    """What staff may do to the request as it is now (the buttons its page offers)."""
    moves = next_states(
        row.state, needs_identity=needs_identity(row.type), approval_required=row.approval_required
    )
    actions = set()
    if row.state == "awaiting_approval":
        actions.add("approve")
    if "denied" in moves:
        actions.add("deny")
    if _extendable(row, now):
        actions.add("extend")
    if proof is not None and proof.reviewed_at is None and row.state == "identity_pending":
        actions.add("review-proof")
    # A lift already decided waits for its mail to the person (GDPR Art. 18(3)): the page
    # says so rather than offering to decide it again.
    if any(liftable(d) for d in decisions):
        actions.add("lift-restriction")
    if stuck(row, jobs):
        actions.add("retry")
    if mails_given_up(jobs):
        actions.add("resend-mail")
    return frozenset(actions)


def liftable(decision: SubjectDecisionRow) -> bool:
    """A restriction in force that no one decided to lift yet."""
    return (
        decision.kind == "restriction" and decision.lifted_at is None and not lift_pending(decision)
    )


def stuck(row: RequestRow, jobs: list[JobRow]) -> bool:
    """Running, the last try of some part of the run failed, and no part is still queued."""
    if row.state != "running":
        return False
    latest: dict[tuple[str, str], JobRow] = {}
    for job in jobs:  # oldest first: the last one of each kind and ref stays
        if job.kind in RUN_KINDS:
            latest[(job.kind, job.ref)] = job
    states = {job.state for job in latest.values()}
    return "failed" in states and not states & set(JOB_UNFINISHED)


def _extendable(row: RequestRow, now: dt.datetime) -> bool:
    due = row.due_at
    if row.state in CLOSED or row.extended_due_at is not None or due is None:
        return False
    clock = clock_of(row)
    if clock.extension is None or row.type in NO_EXTENSION:
        return False
    return local_day(now, row.jurisdiction) <= due
