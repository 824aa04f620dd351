"""Which requests a person can make, and what each one asks Pledge to do.

A request's type is a right from the declaration's vocabulary (`pledge.declaration.model.
rights.RIGHTS`), in the words of the law that grants it: a Californian asks to "know", a
Briton for "access". The law's word is kept because the clock depends on it (45 days for a
request to know, one month for a subject access request); `HANDLING` maps each type to the one
piece of work that answers it, so "know" and "access" are handled alike.

Rights that are protections rather than requests (complain, non_discrimination,
automated_decision, shine_the_light, limit_sensitive, minors_removal) are not request types
yet; `correction` is PIPEDA's word for rectification.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal

from pledge.declaration.jurisdictions import jurisdiction as profile_of
from pledge.declaration.model import Declaration
from pledge.errors import PledgeError

Handling = Literal[
    "access",
    "portability",
    "erasure",
    "rectification",
    "restriction",
    "objection",
    "withdraw_consent",
    "opt_out_sale_share",
]

HANDLING: MappingProxyType[str, Handling] = MappingProxyType(
    {
        "access": "access",
        "know": "access",
        "portability": "portability",
        "erasure": "erasure",
        "delete": "erasure",
        "rectification": "rectification",
        "correct": "rectification",
        "correction": "rectification",
        "restriction": "restriction",
        "objection": "objection",
        "withdraw_consent": "withdraw_consent",
        "opt_out_sale_share": "opt_out_sale_share",
    }
)
REQUEST_TYPES: tuple[str, ...] = tuple(HANDLING)

# How a request of each type is named in a sentence ("we received your access request").
DESCRIPTIONS: MappingProxyType[str, str] = MappingProxyType(
    {
        "access": "access request",
        "know": "request to know",
        "portability": "request for a portable copy",
        "erasure": "erasure request",
        "delete": "request to delete",
        "rectification": "rectification request",
        "correct": "request to correct",
        "correction": "correction request",
        "restriction": "request to restrict processing",
        "objection": "objection",
        "withdraw_consent": "withdrawal of consent",
        "opt_out_sale_share": "request to opt out of sale and sharing",
    }
)

# Handled without checking who asks: the CCPA forbids requiring verification for an opt-out
# of sale/share (11 CCR §7026(d)), so such a request goes from received straight to running.
UNVERIFIED: frozenset[str] = frozenset({"opt_out_sale_share"})


def needs_identity(request_type: str) -> bool:
    return request_type not in UNVERIFIED


def request_type_for(request_type: str, code: str, declaration: Declaration) -> str:
    """The type to record for a request of `request_type` from a person under `code`.

    Allowed when the jurisdiction's law grants the right or the declaration offers it. A
    synonym is translated into the jurisdiction's own word ("access" in us-ca is "know",
    "delete" in uk is "erasure"), so the right clock applies.
    """
    if request_type not in HANDLING:
        raise PledgeError(
            f"unknown request type '{request_type}'",
            f"use one of: {', '.join(REQUEST_TYPES)}",
        )
    declared = declaration.organisation.jurisdictions
    if code not in declared:
        raise PledgeError(
            f"the declaration does not cover jurisdiction '{code}'",
            f"use one of organisation.jurisdictions: {', '.join(declared)}",
        )
    handling = HANDLING[request_type]
    granted, offered = _granted(code), _offered_only(declaration)
    # The law's own word first, then its word for the same thing, then what is only offered.
    for group in (granted, offered):
        if request_type in group:
            return request_type
        same = [other for other in group if HANDLING[other] == handling]
        if same:
            return same[0]
    raise PledgeError(
        f"a '{request_type}' request is not available in '{code}': its law does not grant"
        " that right and the declaration does not offer it",
        f"requests available in '{code}': {', '.join(granted + offered) or 'none'}",
    )


def available_types(code: str, declaration: Declaration) -> list[str]:
    """Request types a person under `code` can make, in the order the law lists them.

    What `code`'s law grants, plus what the declaration offers that no declared law grants
    (the notice's "other rights we offer"). A right offered under another declared law (the
    CCPA's opt-out, for a company also in California) is that law's, as the notice says.
    """
    return _granted(code) + _offered_only(declaration)


def _granted(code: str) -> list[str]:
    return [str(right) for right in profile_of(code).rights if right in HANDLING]


def _offered_only(declaration: Declaration) -> list[str]:
    by_some_law = {
        str(right)
        for code in declaration.organisation.jurisdictions
        for right in profile_of(code).rights
    }
    return [
        str(right)
        for right in declaration.rights.offered
        if right in HANDLING and right not in by_some_law
    ]
