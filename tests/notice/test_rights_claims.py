"""Rights: each right under the law that grants it, and no practice the company did not declare.

Identity checks, fees and agents are stated as declared; where the notice says more, it says
what the law itself provides (GDPR Art. 12(5), 11 CCR 7026 and 7063).
"""

from __future__ import annotations

from pledge.notice.content import build_notice
from pledge.notice.content_model import CaliforniaSection, RightsGroup, RightsSection
from pledge.notice.render import render_notice
from tests.notice.helpers import MINIMAL, declare, one, read_html, sections_of

ONE_TIME_CODE = "we send a one-time code to the email address we hold for you"
NO_PROOF_TO_OPT_OUT = "We do not ask you to prove who you are to opt out of sale or sharing"


def groups(extra: str = "", base: str = MINIMAL) -> dict[str, RightsGroup]:
    rights = one(build_notice(declare(extra, base=base), "en").sections, RightsSection)
    return {group.id: group for group in rights.groups}


def right_ids(group: RightsGroup) -> list[str]:
    return [right.id for right in group.rights]


def in_places(codes: str) -> str:
    return MINIMAL.replace("jurisdictions: [uk]", f"jurisdictions: [{codes}]")


CALIFORNIA = """
pledge: 1
organisation:
  name: Sun Shop
  country: US
  email: hello@sun.example
  jurisdictions: [us-ca]
subjects:
  customer: {name: Customers}
activities:
  orders:
    name: Orders
    subjects: [customer]
    categories: [identity.name]
    legal_basis: contract
"""


# --- identity checks --------------------------------------------------------------------------


def test_no_identity_check_is_described_when_none_is_declared() -> None:
    declaration = declare()
    assert declaration.rights.verification is None
    (group,) = groups().values()
    assert group.verification == ""
    markdown = render_notice(declaration, fmt="md", lang="en")
    assert "one-time code" not in markdown and "Checking it is you" not in markdown


def test_a_declared_check_is_described() -> None:
    (group,) = groups("rights:\n  verification: {method: email_code}\n").values()
    assert ONE_TIME_CODE in group.verification
    matched = "rights:\n  verification: {access_match: [contact.postal_address]}\n"
    (group,) = groups(matched).values()
    assert group.verification.endswith(
        "For a copy of your information, we also ask you to confirm your postal address."
    )
    told = "rights:\n  verification: {description: We call you back on the number we hold.}\n"
    (group,) = groups(told).values()
    assert group.verification == "We call you back on the number we hold."


def test_california_says_only_what_the_law_says_about_checks_when_none_is_declared() -> None:
    california = one(build_notice(declare(base=CALIFORNIA), "en").sections, CaliforniaSection)
    assert california.rights.verification.startswith(NO_PROOF_TO_OPT_OUT)
    assert ONE_TIME_CODE not in california.rights.verification


# --- which right under which law --------------------------------------------------------------

CORRECTION = "rights:\n  offered:\n    correction: {channels: [mail]}\n"
MAIL = "channels:\n  mail: {kind: email, address: hello@tiny.example}\n"


def test_a_canadian_right_is_listed_under_canada_only() -> None:
    found = groups(MAIL + CORRECTION, base=in_places("uk, eu, ca"))
    assert list(found) == ["rights-uk-eu", "rights-ca"]
    assert "correction" not in right_ids(found["rights-uk-eu"])
    assert right_ids(found["rights-ca"]) == ["access", "correction", "withdraw_consent", "complain"]


def test_each_group_lists_only_what_its_law_grants() -> None:
    offered = "rights:\n  offered:\n    restriction: {}\n    automated_decision: {}\n"
    found = groups(offered, base=in_places("uk, ch"))
    assert "restriction" in right_ids(found["rights-uk"])
    assert right_ids(found["rights-ch"]) == [
        "access", "rectification", "erasure", "objection", "portability", "complain",
    ]  # fmt: skip


def test_a_right_no_declared_law_grants_is_among_the_other_rights() -> None:
    found = groups(MAIL + CORRECTION)
    assert list(found) == ["rights-uk", "rights-other"]
    other = found["rights-other"]
    assert other.title == "Other rights we offer"
    assert (other.law, right_ids(other)) == ("", ["correction"])
    assert other.fee == "" and other.deadline == "" and other.verification == ""
    markdown = render_notice(declare(MAIL + CORRECTION), fmt="md", lang="en")
    heading = markdown.index("### Other rights we offer")
    assert markdown[heading:].split("\n\n")[1] == "You have these rights:"  # no empty law line
    html = render_notice(declare(MAIL + CORRECTION), fmt="html", lang="en")
    assert read_html(html).problems == []
    assert html.count('<p class="law">') == 1


def test_california_only_with_an_extra_right_gets_a_rights_section_for_it() -> None:
    extra = "rights:\n  offered:\n    minors_removal: {}\n"
    notice = build_notice(declare(extra, base=CALIFORNIA), "en")
    rights = one(notice.sections, RightsSection)
    assert [(g.id, right_ids(g)) for g in rights.groups] == [("rights-other", ["minors_removal"])]
    california = one(notice.sections, CaliforniaSection)
    assert "minors_removal" not in right_ids(california.rights)
    assert sections_of(build_notice(declare(base=CALIFORNIA), "en").sections, RightsSection) == []


# --- fees, agents, and the summary at the top -------------------------------------------------


def test_free_of_charge_only_where_the_law_or_the_declaration_says_so() -> None:
    found = groups(base=in_places("uk, ca, ch"))
    assert found["rights-uk"].fee == "Using your rights is free of charge."
    assert found["rights-ca"].fee == "" and found["rights-ch"].fee == ""
    fee = "rights:\n  fee: We charge 10 dollars for a copy.\n"
    assert groups(fee, base=in_places("ca"))["rights-ca"].fee == "We charge 10 dollars for a copy."


def test_the_summary_promises_only_rights_and_prices_that_apply() -> None:
    uk = build_notice(declare(), "en").highlights
    assert (
        "You can ask for a copy of your information, or ask us to correct or delete it, free of "
        "charge." in uk
    )
    mixed = build_notice(declare(base=in_places("uk, ca")), "en").highlights
    assert "You can ask for a copy of your information, or ask us to correct or delete it." in mixed
    canada = build_notice(declare(base=in_places("ca")), "en").highlights
    assert not any("copy of your information" in point for point in canada)  # no erasure right


def test_the_summary_names_a_way_to_reach_us_without_ranking_it() -> None:
    highlights = build_notice(declare(), "en").highlights
    assert "To use your rights, you can contact us through email (hello@tiny.example)." in (
        highlights
    )
    assert not any("quickest" in point for point in highlights)


def test_california_agents_are_described_by_what_the_law_allows() -> None:
    california = one(build_notice(declare(base=CALIFORNIA), "en").sections, CaliforniaSection)
    assert california.rights.agents == (
        "You can use an authorised agent to make a request for you. The law lets us ask for "
        "your signed permission, and ask you to confirm your identity with us directly."
    )
    declared = "rights:\n  agents: {allowed: false}\n"
    california = one(
        build_notice(declare(declared, base=CALIFORNIA), "en").sections, CaliforniaSection
    )
    assert california.rights.agents.startswith("We accept requests from you, or from someone")
