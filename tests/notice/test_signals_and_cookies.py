"""Browser signals and cookies: the notice says only what the declaration says about them."""

from __future__ import annotations

import pytest

from pledge.notice.content import build_notice
from pledge.notice.content_model import CookiesSection, SignalsSection
from pledge.notice.render import render_notice
from tests.notice.helpers import declare, md_tables, one, sections_of

GPC_HONOURED = "we treat it as your request to opt out of the sale and sharing"
ONLY_IF_YOU_AGREE = "We set the others only if you agree"

CALIFORNIA_SHOP = """
pledge: 1
organisation:
  name: Sun Shop
  country: US
  email: hello@sun.example
  jurisdictions: [us-ca]
subjects:
  visitor: {name: Visitors}
activities:
  stats:
    name: Statistics
    subjects: [visitor]
    categories: [online.usage]
    legal_basis: contract
cookies:
  sid:
    provider: Sun Shop
    category: strictly_necessary
    purpose: Keeps you signed in
    lifetime: session
"""


# --- signals ----------------------------------------------------------------------------------


def test_signals_the_declaration_does_not_mention_are_not_mentioned() -> None:
    # Cookies and California used to be enough for "we honour Global Privacy Control".
    declaration = declare(base=CALIFORNIA_SHOP)
    assert (declaration.signals.gpc, declaration.signals.dnt) == (None, None)
    notice = build_notice(declaration, "en")
    assert sections_of(notice.sections, SignalsSection) == []
    markdown = render_notice(declaration, fmt="md", lang="en")
    assert "Global Privacy Control" not in markdown and "Do Not Track" not in markdown


@pytest.mark.parametrize(
    ("signals", "labels"),
    [
        ("{gpc: honour}", ["Global Privacy Control"]),
        ("{dnt: ignore}", ["Do Not Track"]),
        ("{gpc: ignore, dnt: honour}", ["Global Privacy Control", "Do Not Track"]),
    ],
)
def test_each_declared_signal_and_only_that_one_is_stated(signals: str, labels: list[str]) -> None:
    notice = build_notice(declare(f"signals: {signals}\n", base=CALIFORNIA_SHOP), "en")
    section = one(notice.sections, SignalsSection)
    assert [d.label for d in section.signals] == labels


def test_honoured_gpc_is_promised_and_ignored_gpc_is_refused() -> None:
    honoured = one(
        build_notice(declare("signals: {gpc: honour}\n", base=CALIFORNIA_SHOP), "en").sections,
        SignalsSection,
    )
    assert GPC_HONOURED in honoured.signals[0].text
    assert honoured.signals[0].text.endswith(
        "We do not sell or share personal information in any case."
    )
    ignored = one(
        build_notice(declare("signals: {gpc: ignore}\n", base=CALIFORNIA_SHOP), "en").sections,
        SignalsSection,
    )
    assert ignored.signals[0].text == "We do not respond to this signal."


def test_ignored_dnt_gives_no_reason_the_company_did_not_give() -> None:
    section = one(
        build_notice(declare("signals: {dnt: ignore}\n", base=CALIFORNIA_SHOP), "en").sections,
        SignalsSection,
    )
    assert section.signals[0].text == "We do not respond to this signal."


def test_a_statement_alone_makes_the_section() -> None:
    extra = "signals:\n  statement: We are reviewing how we treat browser signals.\n"
    section = one(build_notice(declare(extra, base=CALIFORNIA_SHOP), "en").sections, SignalsSection)
    assert section.signals == ()
    assert section.statement == ("We are reviewing how we treat browser signals.",)


# --- cookies ----------------------------------------------------------------------------------

UK_SITE = """
pledge: 1
organisation:
  name: Fern Studio
  country: GB
  email: hello@fern.example
  jurisdictions: [uk]
subjects:
  visitor: {name: Visitors}
channels:
  mail: {kind: email, address: hello@fern.example}
  prefs: {kind: web_form, address: https://fern.example/cookies, name: Cookie settings}
activities:
  stats:
    name: Statistics
    subjects: [visitor]
    categories: [online.usage, online.cookie_id]
    collected_from: [automatic]
    legal_basis: %(basis)s
    legitimate_interests: Knowing which pages are read.
    withdraw: %(withdraw)s
    opt_out: %(opt_out)s
cookies:
  sid:
    provider: Fern Studio
    category: strictly_necessary
    purpose: Keeps your basket
    lifetime: session
    first_party: true
  stats_id:
    provider: Counter Co
    category: analytics
    purpose: Counts visits
    lifetime: 13 months
"""


def site(basis: str, withdraw: str = "[]", opt_out: str = "[]", extra: str = "") -> CookiesSection:
    base = UK_SITE % {"basis": basis, "withdraw": withdraw, "opt_out": opt_out}
    return one(build_notice(declare(extra, base=base), "en").sections, CookiesSection)


def test_cookies_on_legitimate_interests_are_not_said_to_need_agreement() -> None:
    # Data Productions: analytics cookies, no consent, browser settings only.
    cookies = site("legitimate_interests")
    assert ONLY_IF_YOU_AGREE not in cookies.consent
    assert cookies.consent == (
        "We use cookies to make the website work and to measure how the website is used."
    )
    assert cookies.settings == ()
    assert cookies.browser.startswith("You can block or delete cookies")


def test_cookies_covered_by_consent_are_set_only_if_you_agree() -> None:
    cookies = site("consent", withdraw="[prefs, mail]")
    assert ONLY_IF_YOU_AGREE in cookies.consent
    assert [d.label for d in cookies.settings] == ["Cookie settings", "Email"]
    assert cookies.browser.startswith("You can also block")
    assert ONLY_IF_YOU_AGREE in site("express_consent").consent


def test_without_consent_only_settings_pages_are_offered_for_cookie_choices() -> None:
    cookies = site("legitimate_interests", opt_out="[mail, prefs]")
    assert [(d.label, d.href) for d in cookies.settings] == [
        ("Cookie settings", "https://fern.example/cookies")
    ]
    assert cookies.browser.startswith("You can also block")


@pytest.mark.parametrize(
    "basis",
    [
        "{uk: [legitimate_interests]}",
        "[consent, legitimate_interests]",  # consent is one basis among others: still consent
    ],
)
def test_consent_must_be_the_basis_for_the_cookie_data(basis: str) -> None:
    cookies = site(basis)
    says_agree = ONLY_IF_YOU_AGREE in cookies.consent
    assert says_agree == ("consent" in basis)


def test_a_cookie_identifier_used_without_consent_spoils_the_promise() -> None:
    # Consent covers usage data, but another activity reads cookie identifiers on
    # legitimate interests: some cookies are set without agreement.
    ads = """
      ads:
        name: Ad measurement
        subjects: [visitor]
        categories: [online.cookie_id]
        legal_basis: legitimate_interests
    """
    base = UK_SITE % {"basis": "consent", "withdraw": "[prefs]", "opt_out": "[]"}
    base = base.replace("cookies:\n", ads.replace("\n    ", "\n") + "cookies:\n", 1)
    cookies = one(build_notice(declare(base=base), "en").sections, CookiesSection)
    assert ONLY_IF_YOU_AGREE not in cookies.consent


def test_the_party_of_a_cookie_is_shown_only_when_declared() -> None:
    cookies = site("consent")
    assert {c.name: c.party for c in cookies.cookies} == {"sid": "First party", "stats_id": ""}
    base = UK_SITE % {"basis": "consent", "withdraw": "[]", "opt_out": "[]"}
    markdown = render_notice(declare(base=base), fmt="md", lang="en")
    table = next(t for t in md_tables(markdown) if t[0][0] == "Cookie")
    assert [row[-1] for row in table[2:]] == ["First party", "—"]


def test_necessary_cookies_only_need_no_consent_sentence() -> None:
    base = UK_SITE % {"basis": "consent", "withdraw": "[]", "opt_out": "[]"}
    only_necessary = base[: base.index("  stats_id:")]
    cookies = one(build_notice(declare(base=only_necessary), "en").sections, CookiesSection)
    assert cookies.consent == (
        "We only use cookies that the website needs to work, so we do not ask for your consent."
    )
    assert cookies.browser.startswith("You can block")


def test_dnt_points_to_cookie_settings_only_when_a_settings_page_is_declared() -> None:
    with_page = site("consent", withdraw="[prefs]", extra="signals: {dnt: ignore}\n")
    assert with_page.settings  # the cookie section names the page ...
    base = UK_SITE % {"basis": "consent", "withdraw": "[prefs]", "opt_out": "[]"}
    notice = build_notice(declare("signals: {dnt: ignore}\n", base=base), "en")
    dnt = one(notice.sections, SignalsSection).signals[0].text
    assert dnt.endswith("You can refuse optional cookies in our cookie settings instead.")
    by_mail = UK_SITE % {"basis": "consent", "withdraw": "[mail]", "opt_out": "[]"}
    notice = build_notice(declare("signals: {dnt: ignore}\n", base=by_mail), "en")
    assert one(notice.sections, SignalsSection).signals[0].text == (
        "We do not respond to this signal."
    )


def test_french_cookie_uses_are_translated() -> None:
    base = UK_SITE % {"basis": "legitimate_interests", "withdraw": "[]", "opt_out": "[]"}
    base = base.replace("languages: [en]", "").replace(
        "jurisdictions: [uk]", "jurisdictions: [uk]\n  languages: [en, fr]"
    )
    cookies = one(build_notice(declare(base=base), "fr").sections, CookiesSection)
    assert cookies.consent == (
        "Nous utilisons des cookies pour faire fonctionner le site et pour mesurer "
        "l'utilisation du site."
    )
