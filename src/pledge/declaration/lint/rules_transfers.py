"""Lint rules on international transfers: where recipients are, against where data may go.

Two questions, two codes. TRANSFER-OUTSIDE-POLICY: does a recipient sit outside the
regions the declaration itself allows (`transfers.allowed`)? TRANSFER-GUARD: does the
controller's law let data flow there freely, or is a safeguard needed that is not recorded?
The law is the controller's own regime: a UK controller's home is the UK and its adequacy
list is the UK's, an EEA controller's free zone is the EEA plus the EU's adequacy list.
TRANSFER-REGION catches a UK controller whose policy is drawn around the EEA (L-004-01).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pledge.declaration.jurisdictions import (
    ADEQUACY_SCOPE,
    ADEQUATE_COUNTRIES,
    EEA_COUNTRIES,
    jurisdiction,
)
from pledge.declaration.lint.base import LintContext, rule
from pledge.declaration.model import Declaration
from pledge.errors import Problem

UK = "GB"
EU = "EU"  # not a country, but the nearest code when a notice names only "the EU"
SAFEGUARD_EXAMPLES = {"uk": "uk_idta", "eu": "scc"}


@dataclass(frozen=True)
class Regime:
    """The transfer law that binds the controller: "uk" (UK GDPR) or "eu" (GDPR)."""

    name: str
    home: str
    adequate: frozenset[str]  # where data may go from home without a safeguard

    @property
    def free(self) -> frozenset[str]:
        return self.adequate | {self.home}


def controller_regime(d: Declaration) -> Regime | None:
    """The controller's transfer regime: from its country, else from its jurisdictions."""
    country = d.organisation.country
    name: str | None = None
    if country == UK:
        name = "uk"
    elif country in EEA_COUNTRIES:
        name = "eu"
    else:
        homes = [jurisdiction(code).transfer_home for code in d.organisation.jurisdictions]
        name = next(({"uk": "uk", "eea": "eu"}[h] for h in homes if h), None)
    if name is None:
        return None
    # The EEA is adequate for the UK (UK adequacy regulations) and is no transfer at all
    # within the GDPR; either way data flows there freely.
    adequate = {*EEA_COUNTRIES, *ADEQUATE_COUNTRIES[name]}
    if name == "uk" and country != UK:
        adequate.add(UK)
    return Regime(name, country, frozenset(adequate))


def countries(code: str) -> frozenset[str]:
    """The countries a code in `transfers` stands for: itself, or the EEA for "EU"."""
    return EEA_COUNTRIES if code == EU else frozenset({code})


def allowed_countries(d: Declaration, regime: Regime | None) -> frozenset[str] | None:
    """Where `transfers.allowed` lets data go, or None when that cannot be known.

    Home is always allowed: keeping data in the controller's own country is no transfer.
    """
    if d.transfers is None:
        return None
    found: set[str] = {d.organisation.country}
    for region in d.transfers.allowed:
        if region == "eea":
            found |= EEA_COUNTRIES
        elif region == "uk":
            found.add(UK)
        elif region == "adequate":
            if regime is None:
                return None  # no adequacy list for this controller's law: nothing to check
            found |= regime.adequate
        elif region != "home":
            found |= countries(region)
    return frozenset(found)


@rule("TRANSFER-REGION")
def transfer_region(ctx: LintContext) -> Iterator[Problem]:
    # L-004-01: a UK company that draws its transfer rule around the EEA applies the EU's
    # rule, not its own; the UK GDPR restricts transfers out of the UK.
    d = ctx.declaration
    regime = controller_regime(d)
    if d.transfers is None or regime is None or regime.name != "uk" or regime.home != UK:
        return
    allowed = d.transfers.allowed
    if "eea" not in allowed or {"home", "uk", UK} & set(allowed):
        return
    yield ctx.warn(
        "TRANSFER-REGION",
        ("transfers", "allowed"),
        "transfers.allowed is drawn around the EEA, but the controller is in the UK, where "
        "the UK GDPR restricts transfers out of the UK",
        "start from the UK: e.g. 'allowed: [home, eea, adequate]' (the EEA is adequate for "
        "the UK), and word transfers.statement the same way",
    )


@rule("TRANSFER-OUTSIDE-POLICY")
def transfer_outside_policy(ctx: LintContext) -> Iterator[Problem]:
    d = ctx.declaration
    regime = controller_regime(d)
    allowed = allowed_countries(d, regime)
    if allowed is None or d.transfers is None:
        return
    policy = ", ".join(d.transfers.allowed)
    for index, stored in enumerate(d.transfers.storage):
        if not countries(stored) <= allowed:
            yield ctx.warn(
                "TRANSFER-OUTSIDE-POLICY",
                ("transfers", "storage", index),
                f"data is stored in {stored}, outside the transfers you allow ({policy})",
                f"add '{stored}' to transfers.allowed if the notice may say so, or store the "
                "data where the policy allows",
                key=False,
            )
    for name, recipient in d.recipients.items():
        country = recipient.country
        if country is None or country in allowed or recipient.safeguards:
            continue
        if regime is not None and country not in regime.free:
            fix = (
                f"record the safeguard the transfer relies on, e.g. 'safeguards: "
                f"[{SAFEGUARD_EXAMPLES[regime.name]}]', and add '{country}' to transfers.allowed"
            )
        else:
            fix = f"add '{country}' to transfers.allowed, or choose a recipient inside it"
        yield ctx.warn(
            "TRANSFER-OUTSIDE-POLICY",
            ("recipients", name, "country"),
            f"recipient '{name}' is in {country}, outside the transfers you allow ({policy})",
            fix,
        )


@rule("TRANSFER-GUARD")
def transfer_guard(ctx: LintContext) -> Iterator[Problem]:
    d = ctx.declaration
    regime = controller_regime(d)
    if regime is None:
        return
    allowed = allowed_countries(d, regime)
    law = "UK GDPR" if regime.name == "uk" else "GDPR"
    example = SAFEGUARD_EXAMPLES[regime.name]
    for name, recipient in d.recipients.items():
        country = recipient.country
        if country is None or recipient.safeguards:
            continue
        if allowed is not None and country not in allowed:
            continue  # TRANSFER-OUTSIDE-POLICY already says it, with the same fix
        if country not in regime.free:
            yield ctx.warn(
                "TRANSFER-GUARD",
                ("recipients", name, "country"),
                f"recipient '{name}' is in {country}, which has no adequacy decision under "
                f"the {law}, and no safeguard is recorded",
                f"record the safeguard the transfer relies on, e.g. 'safeguards: [{example}]' "
                "(GDPR Art. 46)",
            )
        elif country in ADEQUACY_SCOPE and country != regime.home:
            yield ctx.warn(
                "TRANSFER-GUARD",
                ("recipients", name, "country"),
                f"recipient '{name}' is in {country}, where adequacy covers only "
                f"{ADEQUACY_SCOPE[country]}, and no safeguard is recorded",
                "if the recipient is covered, say so with 'safeguards: [adequacy]' (or "
                f"[dpf] for a certified US company); otherwise record another, e.g. [{example}]",
            )
