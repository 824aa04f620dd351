"""Built-in jurisdiction profiles, read from `jurisdictions.yaml`.

A profile says which law applies, which rights it grants, the legal clocks for each request,
the age below which a child cannot consent alone, and the default supervisory authority.
The same file lists the countries with an EU or UK adequacy decision and the EEA states, for
checking transfers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator
from ruamel.yaml import YAML

from pledge.declaration.durations import Duration, parse_duration
from pledge.declaration.model.rights import Right

Regime = Literal["uk_gdpr", "gdpr", "ccpa", "pipeda", "fadp"]
# A profile grants rights from the same vocabulary a declaration offers them in.
RightId = Right
DEADLINE_FORM = re.compile(r"\d+ (day|days|business days|month|months|week|weeks|year|years)")


def _deadline(value: str) -> str:
    if not DEADLINE_FORM.fullmatch(value):
        raise ValueError(f"{value!r} is not a deadline like '1 month' or '15 business days'")
    parse_duration(value)
    return value


DeadlineText = Annotated[str, AfterValidator(_deadline)]


class UnknownJurisdiction(ValueError):
    """A jurisdiction code Pledge has no profile for; the message lists the known codes."""

    def __init__(self, code: str, known: tuple[str, ...]) -> None:
        super().__init__(f"unknown jurisdiction {code!r}; known codes: {', '.join(known)}")
        self.code = code
        self.known = known


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Authority(_Frozen):
    """A supervisory authority people can complain to."""

    name: dict[str, str]
    address: str
    country: str
    website: str
    phone: str | None = None


class Deadlines(_Frozen):
    respond: dict[RightId, DeadlineText]
    extension: DeadlineText | None = None
    acknowledge: DeadlineText | None = None

    def for_request(self, kind: str) -> Duration | None:
        """How long the law gives to answer a request of `kind`, or None if it sets no period."""
        text = next((text for right, text in self.respond.items() if right == kind), None)
        return parse_duration(text) if text else None


class JurisdictionProfile(_Frozen):
    code: str
    name: dict[str, str]
    law: dict[str, str]
    regime: Regime
    rights: tuple[RightId, ...]
    deadlines: Deadlines
    child_age: int
    child_opt_in_age: int | None = None
    transfer_home: Literal["uk", "eea"] | None = None
    authority: Authority | None
    note: str | None = None

    @model_validator(mode="after")
    def _deadlines_for_granted_rights(self) -> JurisdictionProfile:
        extra = sorted(set(self.deadlines.respond) - set(self.rights))
        if extra:
            raise ValueError(f"{self.code}: deadlines for rights it does not grant: {extra}")
        return self


@cache
def _data() -> dict[str, Any]:
    path = files("pledge.declaration").joinpath("jurisdictions.yaml")
    data: dict[str, Any] = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return data


@cache
def _profiles() -> Mapping[str, JurisdictionProfile]:
    entries: dict[str, Any] = _data()["jurisdictions"]
    return MappingProxyType(
        {code: JurisdictionProfile(code=code, **entry) for code, entry in entries.items()}
    )


def jurisdiction_codes() -> tuple[str, ...]:
    """Every jurisdiction code with a built-in profile, in the file's order."""
    return tuple(_profiles())


def jurisdiction(code: str) -> JurisdictionProfile:
    """The profile for `code` ("uk", "eu", "fr", "us-ca", "ca", "ch")."""
    profiles = _profiles()
    if code not in profiles:
        raise UnknownJurisdiction(code, tuple(profiles))
    return profiles[code]


ADEQUATE_COUNTRIES: Mapping[str, frozenset[str]] = MappingProxyType(
    {region: frozenset(codes) for region, codes in _data()["adequacy"].items()}
)
"""ISO country codes with an adequacy decision, by who decided it: "eu" or "uk"."""

ADEQUACY_SCOPE: Mapping[str, str] = MappingProxyType(dict(_data()["adequacy_scope"]))
"""Countries whose adequacy covers only some organisations, and which ones."""

EEA_COUNTRIES: frozenset[str] = frozenset(_data()["eea"])
"""The EEA states: EU members plus Iceland, Liechtenstein and Norway."""
