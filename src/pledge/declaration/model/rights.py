"""How people exercise their rights, and the promises around them."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, Field

from pledge.declaration.durations import parse_duration
from pledge.declaration.model.common import DurationField, Strict, Text

ChannelKind = Literal[
    "email",
    "web_form",
    "postal",
    "phone",
    "toll_free",
    "account_settings",
    "unsubscribe_link",
    "privacy_center",
    "in_person",
]

Right = Literal[
    "access",
    "rectification",
    "erasure",
    "restriction",
    "objection",
    "portability",
    "withdraw_consent",
    "complain",
    "automated_decision",
    "know",
    "delete",
    "correct",
    "opt_out_sale_share",
    "limit_sensitive",
    "non_discrimination",
    "shine_the_light",
    "correction",
    "minors_removal",
]
RIGHTS: tuple[str, ...] = get_args(Right)


class Channel(Strict):
    kind: ChannelKind
    address: str | None = None
    name: Text | None = None
    note: Text | None = None


class RightRule(Strict):
    channels: list[str] = []
    deadline: DurationField | None = None
    note: Text | None = None


class Verification(Strict):
    method: Literal["email_code"] = "email_code"
    access_match: list[str] = Field(
        default=[], description="categories to match as a second check for access requests"
    )
    description: Text | None = None


class Agents(Strict):
    allowed: bool = True
    proof: Text | None = None


class Rights(Strict):
    channels: list[str] = Field(default=[], description="channels for every right")
    offered: dict[Right, RightRule] = {}
    # None: the declaration does not say how identity is checked, so the notice does not either.
    verification: Verification | None = None
    agents: Agents | None = None
    fee: Text | None = None
    approval: bool = False


class Children(Strict):
    minimum_age: int | None = Field(default=None, ge=0, le=21)
    statement: Text | None = None
    age_from: list[str] = Field(default=[], description="categories that reveal a person's age")
    on_discovery: Literal["delete", "parental_consent"] = "delete"


class Signals(Strict):
    # None: the declaration does not say; the notice then says nothing about that signal.
    gpc: Literal["honour", "ignore"] | None = None
    dnt: Literal["honour", "ignore"] | None = None
    statement: Text | None = None


class California(Strict):
    shine_the_light: Text | None = None
    financial_incentives: Text | None = None
    notice_at_collection: Text | None = None


def _cookie_lifetime(value: str) -> str:
    return value if value == "session" else str(parse_duration(value))


CookieLifetime = Annotated[str, AfterValidator(_cookie_lifetime)]


class Cookie(Strict):
    provider: str
    category: Literal["strictly_necessary", "functional", "analytics", "advertising"]
    purpose: Text
    lifetime: CookieLifetime
    personal_data: bool = True
    # None: not stated, and the notice does not guess whose cookie it is.
    first_party: bool | None = None
