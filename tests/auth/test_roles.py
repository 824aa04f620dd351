"""The roles, their order, legal beside them, and the store's list of them."""

from __future__ import annotations

import pytest

from pledge.auth.roles import Role, parse_role
from pledge.errors import PledgeError
from pledge.store.tables import ROLES


def test_each_role_allows_what_the_ones_below_it_do() -> None:
    assert Role.ADMIN.allows(Role.PRIVACY_OFFICER)
    assert Role.ADMIN.allows(Role.VIEWER)
    assert Role.PRIVACY_OFFICER.allows(Role.VIEWER)
    assert Role.PRIVACY_OFFICER.allows(Role.PRIVACY_OFFICER)
    assert not Role.PRIVACY_OFFICER.allows(Role.ADMIN)
    assert not Role.VIEWER.allows(Role.PRIVACY_OFFICER)


def test_legal_reads_what_a_viewer_reads_and_alone_what_needs_legal() -> None:
    assert Role.LEGAL.allows(Role.VIEWER)
    assert Role.LEGAL.allows(Role.LEGAL)
    assert not Role.LEGAL.allows(Role.PRIVACY_OFFICER)
    assert not Role.LEGAL.allows(Role.ADMIN)
    assert [r for r in Role if r.allows(Role.LEGAL)] == [Role.LEGAL]


def test_the_store_accepts_exactly_these_roles() -> None:
    assert set(ROLES) == {role.value for role in Role}


def test_parse_role() -> None:
    assert parse_role(" Privacy_Officer ") is Role.PRIVACY_OFFICER
    with pytest.raises(PledgeError, match="unknown role 'boss'") as caught:
        parse_role("boss")
    assert caught.value.hint == "use one of: admin, privacy_officer, viewer, legal"
    assert parse_role("legal") is Role.LEGAL
