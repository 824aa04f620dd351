from __future__ import annotations

import pytest

from pledge.errors import PledgeError
from pledge.rights.lifecycle import (
    CLOSED,
    STATES,
    TRANSITIONS,
    check_transition,
    next_states,
)
from pledge.store.tables import REQUEST_STATES


def test_the_store_accepts_exactly_the_lifecycle_s_states() -> None:
    # The store's CHECK constraint is written from its own copy, so as not to import rights.
    assert REQUEST_STATES == STATES


def test_the_table_covers_every_state_and_closed_states_lead_nowhere() -> None:
    assert set(TRANSITIONS) == set(STATES)
    assert all(to in STATES for moves in TRANSITIONS.values() for to in moves)
    assert all(TRANSITIONS[state] == () for state in CLOSED)


@pytest.mark.parametrize(
    "state", ["received", "identity_pending", "verified", "awaiting_approval", "running"]
)
def test_every_open_state_can_be_denied(state: str) -> None:
    for identity in (True, False):
        for approval in (True, False):
            allowed = next_states(state, needs_identity=identity, approval_required=approval)
            assert "denied" in allowed


def test_the_identity_step_is_skipped_only_for_requests_without_one() -> None:
    assert next_states("received", needs_identity=True, approval_required=False) == (
        "identity_pending",
        "denied",
    )
    assert next_states("received", needs_identity=False, approval_required=False) == (
        "running",
        "denied",
    )


def test_approval_comes_between_verified_and_running_only_when_asked_for() -> None:
    assert next_states("verified", needs_identity=True, approval_required=True) == (
        "awaiting_approval",
        "denied",
    )
    assert next_states("verified", needs_identity=True, approval_required=False) == (
        "running",
        "denied",
    )


def test_an_illegal_move_names_the_state_and_the_allowed_next_states() -> None:
    with pytest.raises(PledgeError) as caught:
        check_transition(
            "identity_pending", "running", needs_identity=True, approval_required=False, note=None
        )
    assert "'identity_pending' cannot move to 'running'" in caught.value.message
    assert caught.value.hint == "allowed next states: verified, denied"


def test_a_closed_request_cannot_move_at_all() -> None:
    with pytest.raises(PledgeError) as caught:
        check_transition(
            "completed", "running", needs_identity=True, approval_required=False, note=None
        )
    assert "the request is closed" in caught.value.hint


def test_skipping_approval_when_it_is_required_is_refused() -> None:
    with pytest.raises(PledgeError, match="'verified' cannot move to 'running'"):
        check_transition(
            "verified", "running", needs_identity=True, approval_required=True, note=None
        )


@pytest.mark.parametrize("to", ["denied", "partially_completed"])
def test_denying_or_completing_in_part_needs_a_reason(to: str) -> None:
    state = "running"
    with pytest.raises(PledgeError, match="needs a reason"):
        check_transition(state, to, needs_identity=True, approval_required=False, note="  ")
    assert (
        check_transition(
            state, to, needs_identity=True, approval_required=False, note="manifestly unfounded"
        )
        == to
    )


def test_an_unknown_state_is_an_error() -> None:
    with pytest.raises(PledgeError, match="unknown request state 'lost'"):
        next_states("lost", needs_identity=True, approval_required=False)
