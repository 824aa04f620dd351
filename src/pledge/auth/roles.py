"""The three staff roles, each allowed what the one below it is, and more.

viewer reads requests; privacy_officer also acts on them (approve, deny, extend, lift a
restriction, review an agent's proof); admin also manages users and tokens.
"""

from __future__ import annotations

from enum import StrEnum

from pledge.errors import PledgeError


class Role(StrEnum):
    ADMIN = "admin"
    PRIVACY_OFFICER = "privacy_officer"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, required: Role) -> bool:
        """Whether someone with this role may do what `required` may."""
        return self.rank >= required.rank


_RANKS = {Role.VIEWER: 0, Role.PRIVACY_OFFICER: 1, Role.ADMIN: 2}


def parse_role(text: str) -> Role:
    """The role named `text`; PledgeError listing the roles if there is none."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise PledgeError(
            f"unknown role '{text}'", f"use one of: {', '.join(role.value for role in Role)}"
        ) from None
