"""Confirming a person's identity with a one-time code sent to the address they gave.

Only HMAC-SHA256(key, reference + code) is stored: someone who reads the database cannot
recover a code (and cannot try the million possibilities without the key). A code lives
15 minutes and allows 5 tries; a request gets at most 5 codes an hour, so a guesser gets at
most 25 tries an hour out of a million codes. Issuing a new code retires the earlier one.

A request an authorised agent filed gets no identity code, and takes none, until staff have
accepted the agent's proof of authority: the code would go to the agent, so typing it
would prove nothing about the person, and would let the agent skip the review.

Every outcome goes on the request's timeline, never with the code. Issuing and checking
lock the request's row first (PostgreSQL; SQLite's writers hold the database lock already),
so two tries at once cannot both spend the last attempt, nor two issues dodge the limit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Literal, NoReturn

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pledge.errors import PledgeError
from pledge.rights.events import record_event
from pledge.rights.reference import normalise_reference
from pledge.rights.requests import transition, utc_moment
from pledge.store.tables import AgentProofRow, RequestRow, VerificationCodeRow

CODE_DIGITS = 6
CODE_LIFETIME = dt.timedelta(minutes=15)
MAX_ATTEMPTS = 5
MAX_CODES_PER_HOUR = 5
_RATE_WINDOW = dt.timedelta(hours=1)
_MIN_KEY_BYTES = 16
_ACTOR = "subject"

CodePurpose = Literal["identity", "download"]
# The states in which a code of each purpose may be sent.
_STATES_FOR: dict[str, frozenset[str]] = {
    "identity": frozenset({"identity_pending"}),
    "download": frozenset({"completed", "partially_completed"}),
}


class CodeRejected(PledgeError):
    """A code that did not confirm anything: one message whatever the reason."""

    status_code = 400


def refuse_code(session: Session, message: str, hint: str) -> NoReturn:
    """Refuse a code, keeping the try it cost: the session is committed before the refusal
    is raised, so a caller whose transaction rolls back on the error cannot give the try
    back (and so try codes without limit)."""
    session.commit()
    raise CodeRejected(message, hint)


class CodeRefused(PledgeError):
    """No code can be sent. Deliberately vague: it must not tell a stranger whether a
    request, or the person behind it, exists."""

    status_code = 429


def issue_code(
    session: Session,
    ref: str,
    *,
    key: bytes,
    now: dt.datetime | None = None,
    purpose: CodePurpose = "identity",
) -> str:
    """A new 6-digit code for request `ref`, to be mailed to the person; the store keeps its hash.

    `purpose` "identity" confirms who filed the request; "download" confirms, before a
    package is handed over, that the person downloading is that person still. Refused
    (CodeRefused, one message for every reason) when there is no such request, when it is
    not at the step the purpose needs, when an agent's proof stands for the identity code,
    or when 5 codes were issued in the past hour.
    """
    _check_key(key)
    moment = utc_moment(now)
    request = _locked_request(session, ref)
    if request is None or request.state not in _STATES_FOR[purpose]:
        raise _refused()
    if purpose == "identity" and _awaits_proof_review(session, request):
        raise _refused()
    recent = session.scalar(
        select(func.count())
        .select_from(VerificationCodeRow)
        .where(
            VerificationCodeRow.request_id == request.id,
            VerificationCodeRow.issued_at > moment - _RATE_WINDOW,
            VerificationCodeRow.purpose == purpose,
        )
    )
    if (recent or 0) >= MAX_CODES_PER_HOUR:
        # Not on the timeline: the caller's transaction rolls back with the error.
        raise _refused()
    replaced = session.execute(
        update(VerificationCodeRow)
        .where(
            VerificationCodeRow.request_id == request.id,
            VerificationCodeRow.state == "live",
            VerificationCodeRow.purpose == purpose,
        )
        .values(state="replaced")
        .execution_options(synchronize_session=False)
    )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    expires = moment + CODE_LIFETIME
    session.add(
        VerificationCodeRow(
            request_id=request.id,
            digest=code_digest(key, request.id, code),
            state="live",
            attempts=0,
            issued_at=moment,
            expires_at=expires,
            purpose=purpose,
        )
    )
    note = f"{purpose} code issued, valid until {expires:%Y-%m-%d %H:%M} UTC"
    if getattr(replaced, "rowcount", 0):
        note += "; it replaces the earlier unused code"
    record_event(session, request.id, moment, "verification", None, None, _ACTOR, note)
    return code


def check_code(
    session: Session,
    ref: str,
    code: str,
    *,
    key: bytes,
    now: dt.datetime | None = None,
    purpose: CodePurpose = "identity",
) -> bool:
    """Whether `code` is the live code of request `ref`; if so the request is verified.

    A right code is spent and moves the request identity_pending -> verified (which starts
    its legal clock where the law says so). Each wrong try uses one of the code's 5 attempts;
    after the fifth the code is dead and a new one must be asked for. Never raises for a
    wrong, expired or unknown code: the caller shows one "that did not work" to everyone.
    A right "download" code is spent and changes nothing else. No identity code counts for
    an agent's request whose proof staff have not accepted, not even one issued before.
    """
    _check_key(key)
    moment = utc_moment(now)
    request = _locked_request(session, ref)
    if request is None:
        return False
    if purpose == "identity" and _awaits_proof_review(session, request):
        note = "identity code refused: an agent made the request, and staff review their proof"
        _note(session, request.id, moment, note)
        return False
    live = session.scalars(
        select(VerificationCodeRow)
        .where(
            VerificationCodeRow.request_id == request.id,
            VerificationCodeRow.state == "live",
            VerificationCodeRow.purpose == purpose,
        )
        .order_by(VerificationCodeRow.issued_at.desc(), VerificationCodeRow.id.desc())
        .limit(1)
    ).first()
    if live is None:
        _note(session, request.id, moment, f"{purpose} code tried, but no code is live")
        return False
    if moment >= live.expires_at:
        _note(session, request.id, moment, f"{purpose} code tried after it expired")
        return False
    live.attempts += 1
    given = code_digest(key, request.id, "".join(code.split()))
    if not hmac.compare_digest(given, live.digest):
        left = MAX_ATTEMPTS - live.attempts
        if left <= 0:
            live.state = "exhausted"
            note = f"wrong {purpose} code; {MAX_ATTEMPTS} wrong tries, so the code is dead"
        else:
            note = f"wrong {purpose} code; {left} {'try' if left == 1 else 'tries'} left"
        session.flush()
        _note(session, request.id, moment, note)
        return False
    live.state = "used"
    live.used_at = moment
    session.flush()
    if purpose == "download":
        _note(session, request.id, moment, "right download code: the package may be handed over")
        return True
    if request.state != "identity_pending":
        _note(session, request.id, moment, f"right identity code, request already {request.state}")
        return True
    transition(
        session,
        request.id,
        "verified",
        actor=_ACTOR,
        note="identity confirmed with the code emailed to the person",
        expected="identity_pending",
        now=moment,
    )
    return True


def code_digest(key: bytes, reference: str, code: str) -> str:
    """The stored form of a code: keyed to the request, so a hash fits no other request."""
    message = f"{normalise_reference(reference)}\n{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _locked_request(session: Session, ref: str) -> RequestRow | None:
    try:
        reference = normalise_reference(ref)
    except PledgeError:
        return None
    return session.scalars(
        select(RequestRow)
        .where(RequestRow.id == reference)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def _awaits_proof_review(session: Session, request: RequestRow) -> bool:
    """Whether an agent filed `request` and staff have not accepted their proof (there may be
    none: the API takes an agent's request without one)."""
    if request.agent_email is None:
        return False
    accepted = session.scalar(
        select(AgentProofRow.accepted).where(AgentProofRow.request_id == request.id)
    )
    return accepted is not True


def _note(session: Session, request_id: str, moment: dt.datetime, note: str) -> None:
    record_event(session, request_id, moment, "verification", None, None, _ACTOR, note)


def _check_key(key: bytes) -> None:
    if len(key) < _MIN_KEY_BYTES:
        raise PledgeError(
            f"the verification key must be at least {_MIN_KEY_BYTES} bytes",
            "set a long random secret, e.g. from `python -c 'import secrets; "
            "print(secrets.token_hex(32))'`",
        )


def _refused() -> CodeRefused:
    return CodeRefused(
        "a code cannot be sent for this request now",
        "check the reference; if you asked for several codes, wait an hour and try again",
    )
