"""The staff roles: three in a line, each allowed what the one below it is, and more, and
legal beside them.

viewer reads requests; privacy_officer also acts on them (approve, deny, extend, lift a
restriction, review an agent's proof); admin also manages users and tokens.

legal reads what a viewer reads, and alone reads the archive: rows past their active period,
kept a while longer for the law or a dispute (pledge.retention.archive). No other role
reaches it, not even admin, who may still see how many rows it holds.
"""

from __future__ import annotations

from enum import StrEnum

from pledge.errors import PledgeError


class Role(StrEnum):
    ADMIN = "admin"
    PRIVACY_OFFICER = "privacy_officer"
    VIEWER = "viewer"
    LEGAL = "legal"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @property
    def alone(self) -> bool:
        """Whether only this role may do what it may (no higher role may)."""
        return self in _ALONE

    def allows(self, required: Role) -> bool:
        """Whether someone with this role may do what `required` may."""
        if required in _ALONE:
            return self is required
        return self.rank >= required.rank


# legal ranks with viewer; what only legal may do, no higher role may.
_RANKS = {Role.VIEWER: 0, Role.LEGAL: 0, Role.PRIVACY_OFFICER: 1, Role.ADMIN: 2}
_ALONE = frozenset({Role.LEGAL})


def parse_role(text: str) -> Role:
    """The role named `text`; PledgeError listing the roles if there is none."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise PledgeError(
            f"unknown role '{text}'", f"use one of: {', '.join(role.value for role in Role)}"
        ) from None
