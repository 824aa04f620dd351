"""A request's states and the moves between them, in one table.

    received ─> identity_pending ─> verified ─> awaiting_approval ─> running ─> completed
       │              │                │    └────────────────────────> │      partially_completed
       │              │                │                               │      denied
       └──────────────┴────────────────┴──────── denied ───────────────┘
       (received ─> running only for a request that needs no identity check)

Which moves a particular request may make also depends on two facts recorded on it: whether
its type needs an identity check (an opt-out of sale does not) and whether the declaration
asked for an approval step (`rights.approval`). `next_states` folds them in; the rest of
Pledge asks it rather than reading the table.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal, get_args

from pledge.errors import PledgeError

State = Literal[
    "received",
    "identity_pending",
    "verified",
    "awaiting_approval",
    "running",
    "completed",
    "partially_completed",
    "denied",
]
STATES: tuple[State, ...] = get_args(State)
CLOSED: frozenset[State] = frozenset({"completed", "partially_completed", "denied"})
# Closing moves that must say why: the person is told the reason (GDPR Art 12(4)).
NEEDS_REASON: frozenset[State] = frozenset({"denied", "partially_completed"})

# Keyed by plain strings so that a state read from the store can be looked up as it is.
TRANSITIONS: MappingProxyType[str, tuple[State, ...]] = MappingProxyType(
    {
        "received": ("identity_pending", "running", "denied"),
        "identity_pending": ("verified", "denied"),
        "verified": ("awaiting_approval", "running", "denied"),
        "awaiting_approval": ("running", "denied"),
        "running": ("completed", "partially_completed", "denied"),
        "completed": (),
        "partially_completed": (),
        "denied": (),
    }
)

EventKind = Literal[
    "state",
    "acknowledged",
    "extended",
    "note",
    "verification",  # a code sent, tried, or a proof reviewed
    "mail",  # a message sent to the person (or why it could not be)
    "recipient",  # a recipient told of an erasure, rectification or restriction
    "result",  # what running the request did, per source
    "decision",  # a standing choice recorded or lifted (restriction, objection...)
]


def next_states(state: str, *, needs_identity: bool, approval_required: bool) -> tuple[State, ...]:
    """Where a request in `state` may go next, given the two facts recorded on it."""
    allowed = TRANSITIONS.get(state)
    if allowed is None:
        raise PledgeError(f"unknown request state '{state}'", f"states: {', '.join(STATES)}")
    if state == "received":
        # The identity step is skipped only when the type has none (CCPA opt-out).
        skip = "identity_pending" if not needs_identity else "running"
        return tuple(s for s in allowed if s != skip)
    if state == "verified":
        # With approval asked for, nothing runs before an admin approves it, and vice versa.
        skip = "running" if approval_required else "awaiting_approval"
        return tuple(s for s in allowed if s != skip)
    result: tuple[State, ...] = allowed
    return result


def check_transition(
    state: str, to: str, *, needs_identity: bool, approval_required: bool, note: str | None
) -> State:
    """`to` as a State if a request in `state` may move there, else a PledgeError saying why."""
    allowed = next_states(state, needs_identity=needs_identity, approval_required=approval_required)
    if to not in allowed:
        options = ", ".join(allowed) if allowed else "none: the request is closed"
        raise PledgeError(
            f"a request in state '{state}' cannot move to '{to}'",
            f"allowed next states: {options}",
        )
    target: State = next(s for s in allowed if s == to)
    if target in NEEDS_REASON and not (note and note.strip()):
        raise PledgeError(
            f"moving a request to '{target}' needs a reason",
            "give the reason the person will be told",
        )
    return target
