"""What staff can do to a request from its page, each through pledge.rights.

Every action runs in one write transaction with the event that records it, signed
"staff:<username>", and answers with the sentence the page then shows. An action taken on
a page that was out of date (the request moved on since it was shown) is refused rather
than applied to a state the officer did not see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from pledge.errors import PledgeError
from pledge.jobs.queue import enqueue
from pledge.rights.decisions import lift_restriction
from pledge.rights.requests import RequestChanged, due_date, get_request
from pledge.rights.workflow import RUN_JOB, approve, deny, extend_request, review_agent_proof
from pledge.store.tables import RequestRow
from pledge.web.admin_console_allowed import stuck
from pledge.web.admin_console_follow_up import FOLLOW_UP_ACTIONS
from pledge.web.admin_console_view import jobs_of, state_words

MAX_REASON = 2000


@dataclass(frozen=True)
class ActionInput:
    actor: str
    reason: str
    now: dt.datetime
    recipient: str = ""  # for an action on one recipient's notice


Action = Callable[[Session, RequestRow, ActionInput], str]


def act(session: Session, ref: str, name: str, given: ActionInput, seen: str) -> str:
    """Do action `name` on the request, as seen in state `seen` (if given); the outcome."""
    action = ACTIONS.get(name)
    if action is None:
        raise PledgeError(f"there is no action '{name}'", f"actions: {', '.join(ACTIONS)}")
    if len(given.reason) > MAX_REASON:
        raise PledgeError(
            f"the reason is {len(given.reason)} characters long; at most {MAX_REASON} fit",
            "say it more briefly: the person reads it in a mail",
        )
    row = get_request(session, ref)
    if seen and seen != row.state:
        raise RequestChanged(
            f"request {row.id} changed meanwhile: it is now '{state_words(row.state)}',"
            f" not '{state_words(seen)}' as the page showed",
            "nothing was done; look at it again before acting",
        )
    return action(session, row, given)


def _approve(session: Session, row: RequestRow, given: ActionInput) -> str:
    approve(session, row.id, actor=given.actor, note=given.reason.strip() or None, now=given.now)
    return "Approved: the request is running now."


def _deny(session: Session, row: RequestRow, given: ActionInput) -> str:
    deny(session, row.id, given.reason.strip(), actor=given.actor, now=given.now)
    return "Denied. The person will be mailed the reason and where they can complain."


def _extend(session: Session, row: RequestRow, given: ActionInput) -> str:
    extended = extend_request(session, row.id, given.reason, actor=given.actor, now=given.now)
    due = due_date(extended)
    when = due.isoformat() if due else "?"
    return f"Extended: now due {when}. The person will be mailed the new date and the reason."


def _accept_proof(session: Session, row: RequestRow, given: ActionInput) -> str:
    after = review_agent_proof(session, row.id, accepted=True, actor=given.actor, now=given.now)
    return f"The agent's proof was accepted: the request is now {state_words(after.state)}."


def _refuse_proof(session: Session, row: RequestRow, given: ActionInput) -> str:
    review_agent_proof(
        session,
        row.id,
        accepted=False,
        actor=given.actor,
        reason=given.reason.strip(),
        now=given.now,
    )
    return "The agent's proof was refused and the request denied; the reason will be mailed."


def _lift(session: Session, row: RequestRow, given: ActionInput) -> str:
    lifted = lift_restriction(
        session, row.id, actor=given.actor, reason=given.reason, now=given.now
    )
    if not lifted:
        raise PledgeError(f"request {row.id} has no restriction in force to lift")
    # GDPR Art. 18(3): the person is told before it is lifted (pledge.rights.restriction_lift).
    return (
        "The person will be mailed that the restriction ends, and it is lifted once that mail"
        " is out."
    )


def _retry(session: Session, row: RequestRow, given: ActionInput) -> str:
    if not stuck(row, jobs_of(session, row.id)):
        raise PledgeError(
            f"request {row.id} is not stuck: it is not running with a failed job and nothing"
            " else queued",
            "its jobs are listed on its page",
        )
    enqueue(session, RUN_JOB, row.id, now=given.now)
    return "The run was queued again."


ACTIONS: Mapping[str, Action] = {
    "approve": _approve,
    "deny": _deny,
    "extend": _extend,
    "accept-proof": _accept_proof,
    "refuse-proof": _refuse_proof,
    "lift-restriction": _lift,
    "retry": _retry,
    **FOLLOW_UP_ACTIONS,
}
