"""The built-in jurisdiction profiles and the transfer lists."""

from __future__ import annotations

import re
from typing import get_args

import pytest

from pledge.declaration.durations import Duration
from pledge.declaration.jurisdictions import (
    ADEQUACY_SCOPE,
    ADEQUATE_COUNTRIES,
    EEA_COUNTRIES,
    JurisdictionProfile,
    RightId,
    UnknownJurisdiction,
    jurisdiction,
    jurisdiction_codes,
)
from pledge.declaration.model.rights import RIGHTS

CODES = ("uk", "eu", "fr", "us-ca", "ca", "ch")
PROFILES = [jurisdiction(code) for code in jurisdiction_codes()]
DEADLINE = re.compile(r"^\d+ (day|days|business days|month|months|week|weeks|year|years)$")
GDPR_RIGHTS = {
    "access", "rectification", "erasure", "restriction", "objection", "portability",
    "withdraw_consent", "complain", "automated_decision",
}  # fmt: skip
VOCABULARY = {
    "uk_gdpr": GDPR_RIGHTS,
    "gdpr": GDPR_RIGHTS,
    "ccpa": {
        "know", "delete", "correct", "opt_out_sale_share", "limit_sensitive",
        "non_discrimination", "shine_the_light",
    },
    "pipeda": {"access", "correction", "withdraw_consent", "complain"},
    "fadp": {"access", "rectification", "erasure", "objection", "portability", "complain"},
}  # fmt: skip


def test_the_six_codes_in_order() -> None:
    assert jurisdiction_codes() == CODES


def test_right_vocabulary_is_known_to_the_declaration_model() -> None:
    assert set(get_args(RightId)) <= set(RIGHTS)


@pytest.mark.parametrize("profile", PROFILES, ids=CODES)
def test_profile_is_well_formed(profile: JurisdictionProfile) -> None:
    for text in (profile.name, profile.law):
        assert set(text) == {"en", "fr"} and all(v.strip() for v in text.values())
    assert set(profile.rights) <= VOCABULARY[profile.regime]
    assert len(set(profile.rights)) == len(profile.rights)
    assert "complain" in profile.rights or profile.regime == "ccpa"
    assert 13 <= profile.child_age <= 16


@pytest.mark.parametrize("profile", PROFILES, ids=CODES)
def test_deadlines_are_parseable(profile: JurisdictionProfile) -> None:
    deadlines = profile.deadlines
    assert deadlines.respond, "a profile gives at least one response period"
    texts = [*deadlines.respond.values(), deadlines.extension, deadlines.acknowledge]
    for text in filter(None, texts):
        assert DEADLINE.match(text), text
    for kind in deadlines.respond:
        assert kind in profile.rights
        assert isinstance(deadlines.for_request(kind), Duration)


@pytest.mark.parametrize("profile", PROFILES, ids=CODES)
def test_authority_except_eu(profile: JurisdictionProfile) -> None:
    if profile.code == "eu":
        assert profile.authority is None
        return
    authority = profile.authority
    assert authority is not None
    assert set(authority.name) == {"en", "fr"}
    assert authority.address.strip()
    assert authority.website.startswith("https://")
    assert re.fullmatch(r"[A-Z]{2}", authority.country)


def test_legal_clocks() -> None:
    uk, eu, fr, ca_us, ca, ch = PROFILES
    for gdpr in (uk, eu, fr):
        assert gdpr.deadlines.for_request("access") == Duration(1, "month")
        assert gdpr.deadlines.extension == "2 months"
        assert gdpr.deadlines.for_request("withdraw_consent") is None
    assert ca_us.deadlines.for_request("know") == Duration(45, "day")
    assert ca_us.deadlines.for_request("opt_out_sale_share") == Duration(15, "business_day")
    assert ca_us.deadlines.extension == "45 days"
    assert ca_us.deadlines.acknowledge == "10 business days"
    assert ca.deadlines.for_request("access") == Duration(30, "day")
    assert ca.deadlines.extension == "30 days"
    assert ch.deadlines.for_request("access") == Duration(30, "day")
    assert ca_us.deadlines.for_request("access") is None


def test_children_and_transfer_homes() -> None:
    ages = {p.code: (p.child_age, p.child_opt_in_age) for p in PROFILES}
    assert ages == {
        "uk": (13, None),
        "eu": (16, None),
        "fr": (15, None),
        "us-ca": (13, 16),
        "ca": (13, None),
        "ch": (16, None),
    }
    homes = {p.code: p.transfer_home for p in PROFILES}
    assert (homes["uk"], homes["eu"], homes["fr"]) == ("uk", "eea", "eea")


def test_authorities_by_name() -> None:
    names = {p.code: p.authority.name["en"] for p in PROFILES if p.authority}
    assert "ICO" in names["uk"]
    assert "CNIL" in names["fr"]
    assert "California Privacy Protection Agency" in names["us-ca"]
    assert "Privacy Commissioner of Canada" in names["ca"]
    assert "FDPIC" in names["ch"]
    uk = jurisdiction("uk").authority
    assert uk is not None and uk.phone == "0303 123 1113" and "SK9 5AF" in uk.address


def test_unknown_code_lists_the_known_ones() -> None:
    with pytest.raises(UnknownJurisdiction) as caught:
        jurisdiction("de")
    message = str(caught.value)
    assert "'de'" in message
    for code in CODES:
        assert code in message
    assert caught.value.known == CODES
    assert isinstance(caught.value, ValueError)
    assert not isinstance(caught.value, KeyError)


def test_profiles_are_cached() -> None:
    assert jurisdiction("uk") is jurisdiction("uk")


def test_transfer_lists() -> None:
    country = re.compile(r"[A-Z]{2}")
    assert set(ADEQUATE_COUNTRIES) == {"eu", "uk"}
    for codes in (*ADEQUATE_COUNTRIES.values(), EEA_COUNTRIES):
        assert all(country.fullmatch(code) for code in codes)
    assert len(EEA_COUNTRIES) == 30
    assert {"FR", "DE", "IE", "IS", "LI", "NO"} <= EEA_COUNTRIES
    assert "GB" not in EEA_COUNTRIES and "CH" not in EEA_COUNTRIES
    assert {"GB", "CH", "JP", "KR"} <= ADEQUATE_COUNTRIES["eu"]
    assert "IN" not in ADEQUATE_COUNTRIES["eu"]
    assert "GB" not in ADEQUATE_COUNTRIES["uk"]
    assert not ADEQUATE_COUNTRIES["eu"] & EEA_COUNTRIES
    assert set(ADEQUACY_SCOPE) <= ADEQUATE_COUNTRIES["eu"] & ADEQUATE_COUNTRIES["uk"]
