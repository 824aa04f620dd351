"""Rights requests in the store: filing one, moving it along, extending it, reading it back.

Every function works inside the caller's transaction (a `Session` from `Store.session`), so
a change of state, the event recording it and the job it calls for commit together. A move
is a compare-and-set UPDATE (`WHERE id = :id AND state = :expected`): of two workers moving
the same request at once, one wins and the other gets `RequestChanged`. Writers should open
their session with `write=True` (on SQLite it takes the write lock at once).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping

from sqlalchemy import case, func, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Date

from pledge.declaration.durations import parse_duration
from pledge.declaration.model import Declaration
from pledge.errors import NotFound, PledgeError
from pledge.jobs.queue import enqueue
from pledge.rights.deadlines import (
    TIME_ZONES,
    Clock,
    clock_for,
    local_day,
    promised_deadline,
)
from pledge.rights.events import record_event
from pledge.rights.lifecycle import CLOSED, check_transition
from pledge.rights.reference import new_reference, normalise_reference
from pledge.rights.types import needs_identity, request_type_for
from pledge.store.tables import RequestRow

ACKNOWLEDGE_JOB = "request.acknowledge"

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_DATA_POINT = re.compile(r"[a-z][a-z0-9_.]*")
_REFERENCE_ATTEMPTS = 5


class RequestChanged(PledgeError):
    """The request moved on between reading it and writing to it."""

    status_code = 409


def create_request(
    session: Session,
    declaration: Declaration,
    *,
    type: str,
    email: str,
    jurisdiction: str,
    identity: Mapping[str, str] | None = None,
    actor: str = "subject",
    now: dt.datetime | None = None,
    details: Mapping[str, object] | None = None,
    language: str = "en",
    agent_name: str | None = None,
    agent_email: str | None = None,
    approval_required: bool | None = None,
) -> RequestRow:
    """File a request as received, and queue its acknowledgement.

    `approval_required` overrides the declaration's `rights.approval` for this request (an
    objection an admin must weigh); `agent_*` name an authorised agent acting for the person.
    """
    moment = utc_moment(now)
    request_type = request_type_for(type, jurisdiction, declaration)
    promised = promised_deadline(declaration, request_type)
    clock = clock_for(jurisdiction, request_type, promised)
    received = local_day(moment, jurisdiction)
    row = RequestRow(
        type=request_type,
        jurisdiction=jurisdiction,
        email=_checked_email(email),
        identity=_checked_identity(identity or {}, declaration),
        state="received",
        approval_required=declaration.rights.approval or bool(approval_required),
        language=language if language in declaration.organisation.languages else "en",
        details=dict(details or {}),
        agent_name=agent_name.strip() if agent_name else None,
        agent_email=_checked_email(agent_email) if agent_email else None,
        declared_deadline=str(promised) if promised is not None else None,
        received_at=moment,
        due_at=clock.due(received, None),
        acknowledge_by=clock.acknowledge_by(received),
    )
    _insert_with_new_reference(session, row)
    when = (
        f"due {row.due_at.isoformat()}"
        if row.due_at is not None
        else "the clock starts when the person confirms their identity"
    )
    if row.type != type:
        when = f"asked as '{type}', which the law of '{jurisdiction}' calls '{row.type}'; {when}"
    record_event(session, row.id, moment, "state", None, "received", actor, when)
    enqueue(session, ACKNOWLEDGE_JOB, row.id, now=moment)
    return row


def get_request(session: Session, reference: str) -> RequestRow:
    """The request with this reference, read afresh; NotFound if there is none."""
    ref = normalise_reference(reference)
    row = session.scalars(
        select(RequestRow).where(RequestRow.id == ref).execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFound(f"there is no request {ref}", "list the requests with `pledge request list`")
    return row


def transition(
    session: Session,
    reference: str,
    to: str,
    *,
    actor: str,
    note: str | None = None,
    expected: str | None = None,
    now: dt.datetime | None = None,
) -> RequestRow:
    """Move a request to state `to`, recording who did it and why.

    `expected` is the state the caller saw (a form shown to an admin, say); by default, the
    state just read. The UPDATE only applies if the request is still in it.
    """
    moment = utc_moment(now)
    row = get_request(session, reference)
    seen = expected or row.state
    if seen != row.state:
        raise _changed(row, seen)
    target = check_transition(
        seen,
        to,
        needs_identity=needs_identity(row.type),
        approval_required=row.approval_required,
        note=note,
    )
    values: dict[str, object] = {"state": target}
    if target == "verified":
        values["verified_at"] = moment
        values["due_at"] = clock_of(row).due(
            local_day(row.received_at, row.jurisdiction), local_day(moment, row.jurisdiction)
        )
    if target in CLOSED:
        values["closed_at"] = moment
        values["outcome"] = note
    compare_and_set(session, row, seen, values)
    record_event(session, row.id, moment, "state", seen, target, actor, note)
    return get_request(session, row.id)


def extend(
    session: Session,
    reference: str,
    *,
    reason: str,
    actor: str,
    now: dt.datetime | None = None,
) -> RequestRow:
    """Extend the due date as far as the law allows, for `reason`, told to the person."""
    moment = utc_moment(now)
    row = get_request(session, reference)
    if not reason.strip():
        raise PledgeError("an extension needs a reason", "the person must be told why it is late")
    if row.state in CLOSED:
        raise PledgeError(f"request {row.id} is closed ({row.state}): there is nothing to extend")
    if row.extended_due_at is not None:
        raise PledgeError(
            f"request {row.id} was extended already, to {row.extended_due_at.isoformat()}",
            "the law allows one extension",
        )
    verified = local_day(row.verified_at, row.jurisdiction) if row.verified_at else None
    new_due = clock_of(row).extended_due(
        local_day(row.received_at, row.jurisdiction), verified, local_day(moment, row.jurisdiction)
    )
    compare_and_set(
        session,
        row,
        row.state,
        {"extended_due_at": new_due, "extension_reason": reason.strip()},
        RequestRow.extended_due_at.is_(None),
    )
    old = row.due_at.isoformat() if row.due_at else "?"
    note = f"due date {old} -> {new_due.isoformat()}; reason, to be sent to the person: {reason}"
    record_event(session, row.id, moment, "extended", None, None, actor, note)
    return get_request(session, row.id)


def list_requests(
    session: Session,
    *,
    state: str | None = None,
    overdue_only: bool = False,
    due_within_days: int | None = None,
    type: str | None = None,
    email_contains: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    now: dt.datetime | None = None,
) -> list[RequestRow]:
    """Requests, overdue ones first, then open ones by due date, then the closed ones.

    `due_within_days` keeps the open requests due by that many days from today (the overdue
    ones included); `email_contains` matches part of the address, ignoring case; `limit` and
    `offset` page through the list in that order.
    """
    moment = utc_moment(now)
    due = func.coalesce(RequestRow.extended_due_at, RequestRow.due_at)
    # "Today" is the date where each request's law applies, so it depends on the row.
    today = case(
        {code: literal(local_day(moment, code), Date()) for code in TIME_ZONES},
        value=RequestRow.jurisdiction,
    )
    is_open = RequestRow.state.not_in(sorted(CLOSED))
    late = is_open & due.is_not(None) & (due < today)
    query = select(RequestRow).order_by(
        case((late, 0), else_=1),
        case((is_open, 0), else_=1),
        due.asc().nulls_last(),
        RequestRow.received_at,
    )
    if state is not None:
        query = query.where(RequestRow.state == state)
    if overdue_only:
        query = query.where(late)
    if type is not None:
        query = query.where(RequestRow.type == type)
    if email_contains:
        pattern = email_contains.strip().lower()
        query = query.where(func.lower(RequestRow.email).contains(pattern, autoescape=True))
    if due_within_days is not None:
        horizon = case(
            {
                code: literal(local_day(moment, code) + dt.timedelta(days=due_within_days), Date())
                for code in TIME_ZONES
            },
            value=RequestRow.jurisdiction,
        )
        query = query.where(is_open & due.is_not(None) & (due <= horizon))
    query = query.order_by(RequestRow.id).offset(offset).limit(limit)
    return list(session.scalars(query))


def clock_of(row: RequestRow) -> Clock:
    """The request's legal clock, with the promise recorded when it arrived."""
    promised = parse_duration(row.declared_deadline) if row.declared_deadline else None
    return clock_for(row.jurisdiction, row.type, promised)


def due_date(row: RequestRow) -> dt.date | None:
    """The date in force: the extended one if the request was extended."""
    return row.extended_due_at or row.due_at


def compare_and_set(
    session: Session,
    row: RequestRow,
    expected: str,
    values: Mapping[str, object],
    *conditions: ColumnElement[bool],
) -> None:
    """UPDATE the request only if it is still in state `expected` (and meets `conditions`).

    RequestChanged if it is not: someone else moved it since it was read.
    """
    statement = update(RequestRow).where(
        RequestRow.id == row.id, RequestRow.state == expected, *conditions
    )
    result = session.execute(
        statement.values(dict(values)).execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise _changed(get_request(session, row.id), expected)


def _changed(row: RequestRow, expected: str) -> RequestChanged:
    return RequestChanged(
        f"request {row.id} changed meanwhile: it is now '{row.state}', not '{expected}'",
        "someone else acted on it at the same time; read it again before acting",
    )


def _insert_with_new_reference(session: Session, row: RequestRow) -> None:
    for _ in range(_REFERENCE_ATTEMPTS):
        row.id = new_reference()
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            # The savepoint's rollback took the row out of the session: draw again.
            continue
        return
    raise PledgeError("could not draw an unused request reference", "try again")


def _checked_email(email: str) -> str:
    cleaned = email.strip()
    if not _EMAIL.fullmatch(cleaned):
        raise PledgeError(
            f"'{email}' is not an email address",
            "give the address to answer, e.g. jane@example.com",
        )
    return cleaned


def _checked_identity(identity: Mapping[str, str], declaration: Declaration) -> dict[str, str]:
    """The data points given, each a name the declaration knows: an identity its sources
    find people by (`phone`), or a category the second check asks for. Another name would
    be kept and never used, and the request refused later for want of it."""
    known = known_data_points(declaration)
    for key, value in identity.items():
        if not _DATA_POINT.fullmatch(key) or not isinstance(value, str):
            raise PledgeError(
                f"identity data point '{key}' is not a name with a text value",
                f"give each as NAME=VALUE with a name among: {', '.join(known) or 'none'}",
            )
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            guess = f"did you mean '{close[0]}'? " if close else ""
            raise PledgeError(
                f"identity data point '{key}' is not one the declaration knows",
                f"{guess}the names are the identities the sources find people by and the "
                f"categories rights.verification.access_match asks for: {', '.join(known)}"
                if known
                else "the declaration names no identity in its sources and no access_match",
            )
    return dict(identity)


def known_data_points(declaration: Declaration) -> list[str]:
    """The names a request's data points may have, sorted."""
    identities = {
        column.identity
        for source in declaration.sources.values()
        for table in source.tables.values()
        for column in table.columns.values()
        if column.identity
    }
    verification = declaration.rights.verification
    wanted = set(verification.access_match) if verification else set()
    return sorted(identities | wanted)


def utc_moment(now: dt.datetime | None) -> dt.datetime:
    """`now` in UTC (refusing a naive one), or the current moment."""
    moment = now or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        raise ValueError(f"a naive datetime cannot be used: {moment!r} (give it a time zone)")
    return moment.astimezone(dt.UTC)
