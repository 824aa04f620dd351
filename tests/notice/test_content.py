"""The notice's content: what each section says, derived from the declaration."""

from __future__ import annotations

import datetime as dt

import pytest

from pledge.declaration.taxonomy import builtin_categories
from pledge.errors import PledgeError
from pledge.notice.content import build_notice
from pledge.notice.content_model import (
    CaliforniaSection,
    ChildrenSection,
    ExtraSection,
    PurposesSection,
    RetentionSection,
    RightsSection,
    Section,
    SharingSection,
    TransfersSection,
    WhoSection,
)
from tests.notice.helpers import MINIMAL, declare, demo

NBSP = "\u00a0"


def section(sections: tuple[Section, ...], kind: type[Section]) -> Section:
    found = [s for s in sections if isinstance(s, kind)]
    assert len(found) == 1, f"expected one {kind.__name__}"
    return found[0]


def test_demo_sections_follow_the_order_of_the_notice() -> None:
    ids = [s.id for s in build_notice(demo(), "en").sections]
    assert ids == [
        "who", "collect", "purposes", "retention", "sharing", "transfers", "cookies",
        "rights", "children", "signals", "california", "complaints", "security", "changes",
    ]  # fmt: skip


def test_sections_without_data_are_left_out() -> None:
    ids = [s.id for s in build_notice(declare(), "en").sections]
    assert ids == ["who", "collect", "purposes", "sharing", "rights", "complaints", "changes"]


def test_retention_rules_read_as_plain_words_with_their_event_and_law() -> None:
    retention = section(build_notice(demo(), "en").sections, RetentionSection)
    assert isinstance(retention, RetentionSection)
    periods = {rule.name: (rule.period, rule.end) for rule in retention.rules}
    assert periods["Customer accounts"] == ("3 years from your last contact with us", "Deleted")
    assert periods["Invoices"][0] == (
        "6 years from the date of the invoice, because the Companies Act 2006, s. 388 requires it"
    )
    assert periods["Newsletter subscriptions"][0] == "Until you unsubscribe"
    assert periods["Audience measurement"] == (
        "13 months from when we collected it",
        "Anonymised, so that it no longer identifies you",
    )
    assert retention.maximum.startswith(
        "We never keep personal information for longer than 6 years"
    )


def test_retention_criteria_objection_and_consent_variants() -> None:
    notice = build_notice(
        declare("""
            retention:
              leads:
                name: Leads
                duration: 3 years
                trigger: last_contact
                ends_on_objection: true
              vague:
                name: Vague
                criteria: As long as the warranty on your product runs
              consent:
                name: Consented data
                trigger: consent_withdrawn
                ends_on_objection: true
            """),
        "en",
    )
    retention = section(notice.sections, RetentionSection)
    assert isinstance(retention, RetentionSection)
    periods = [rule.period for rule in retention.rules]
    assert periods == [
        "3 years from your last contact with us, unless you object",
        "As long as the warranty on your product runs",
        "Until you withdraw your consent or object",
    ]
    assert retention.maximum == ""


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "5 years from the end of our contract with you; then 1 year more in a separate "
            "archive, "
            "which only our staff in charge of legal matters can open, before it is deleted",
        ),
        (
            "fr",
            "5 ans à compter de la fin de notre contrat avec vous ; puis 1 an de plus en "
            "archive intermédiaire, séparée, que seul notre personnel chargé des questions "
            "juridiques peut consulter, avant leur suppression",
        ),
    ],
)
def test_an_archive_period_is_told_after_the_active_one(lang: str, expected: str) -> None:
    declared = declare(
        """
        retention:
          customers:
            name: Customers
            duration: 5 years
            trigger: contract_end
            archive: 1 year
        """,
        base=MINIMAL.replace(
            "  jurisdictions: [uk]", "  jurisdictions: [uk]\n  languages: [en, fr]"
        ),
    )
    retention = section(build_notice(declared, lang).sections, RetentionSection)
    assert isinstance(retention, RetentionSection)
    assert [rule.period for rule in retention.rules] == [expected]


def test_french_retention_uses_french_words_and_durations() -> None:
    retention = section(build_notice(demo(), "fr").sections, RetentionSection)
    assert isinstance(retention, RetentionSection)
    periods = [rule.period for rule in retention.rules]
    assert "3 ans à compter de votre dernier contact avec nous" in periods
    assert (
        f"6 ans à compter de la date de la facture, comme l'exige la loi{NBSP}: "
        "Companies Act 2006, art. 388 (droit britannique)"
    ) in periods
    assert "13 mois à compter de leur collecte" in periods


def test_legal_bases_cite_the_article_and_explain_interests_and_obligations() -> None:
    purposes = section(build_notice(demo(), "en").sections, PurposesSection)
    assert isinstance(purposes, PurposesSection)
    by_id = {a.id: a for a in purposes.activities}
    orders = by_id["purpose-orders"].bases[0]
    assert (orders.text, orders.citation) == (
        "Performing our contract with you",
        "UK GDPR and GDPR, Article 6(1)(b)",
    )
    fraud = by_id["purpose-fraud"].bases[0]
    assert fraud.citation.endswith("Article 6(1)(f)")
    assert fraud.explanation.startswith("Stopping stolen cards from being used protects you")
    accounting = by_id["purpose-accounting"].bases[0]
    assert accounting.text == "Complying with a legal obligation"
    assert accounting.explanation.startswith("UK company law and HMRC rules")
    assert by_id["purpose-orders"].requirement.startswith(
        "We need this information to enter into a contract with you. Without a name"
    )
    assert "until you unsubscribe" in by_id["purpose-newsletter"].retention


def test_bases_that_differ_by_jurisdiction_are_labelled_with_the_place() -> None:
    notice = build_notice(
        declare(
            base="""
            pledge: 1
            organisation:
              name: Two Lands
              country: FR
              jurisdictions: [uk, eu]
            subjects:
              visitor: {name: Visitors}
            activities:
              stats:
                name: Statistics
                subjects: [visitor]
                categories: [online.usage]
                legal_basis: {uk: consent, eu: legitimate_interests}
                legitimate_interests: Knowing which pages are read.
            """
        ),
        "en",
    )
    purposes = section(notice.sections, PurposesSection)
    assert isinstance(purposes, PurposesSection)
    bases = purposes.activities[0].bases
    assert [(b.scope, b.text, b.citation) for b in bases] == [
        ("In the United Kingdom", "Your consent", "UK GDPR, Article 6(1)(a)"),
        ("In the European Union", "Our legitimate interests", "GDPR, Article 6(1)(f)"),
    ]


def test_ccpa_table_follows_the_categories_through_the_taxonomy() -> None:
    declaration = demo()
    california = section(build_notice(declaration, "en").sections, CaliforniaSection)
    assert isinstance(california, CaliforniaSection)
    # Computed independently: the letters of every category an activity uses.
    taxonomy = builtin_categories()
    used = {c for a in declaration.activities.values() for c in a.categories}
    letters = {taxonomy[c].ccpa for c in used if c in taxonomy} - {None}
    rows = {row.letter: row for row in california.rows}
    assert list(rows) == list("ABCDEFGHIJK")
    assert {letter for letter, row in rows.items() if row.collected} == letters
    assert {letter for letter, row in rows.items() if row.collected} == set("ABCDFHI")
    assert rows["A"].collected_text == "Yes" and rows["G"].collected_text == "No"
    assert "IP address" in rows["A"].ours
    assert rows["F"].disclosed_to == "Service providers"


def test_ccpa_row_turns_yes_when_an_activity_adds_a_category_of_that_letter() -> None:
    notice = build_notice(
        declare(
            base="""
            pledge: 1
            organisation:
              name: Geo Shop
              country: US
              jurisdictions: [us-ca]
            subjects:
              customer: {name: Customers}
            categories:
              custom.loyalty_tier:
                name: Loyalty tier
                ccpa: K
            activities:
              delivery:
                name: Delivery
                subjects: [customer]
                categories: [location.precise, custom.loyalty_tier]
                legal_basis: contract
            """
        ),
        "en",
    )
    california = section(notice.sections, CaliforniaSection)
    assert isinstance(california, CaliforniaSection)
    collected = {row.letter for row in california.rows if row.collected}
    assert collected == {builtin_categories()["location.precise"].ccpa, "K"}
    assert california.sensitive.startswith("We collect these kinds of sensitive personal")


def test_sale_flags_change_the_statement() -> None:
    quiet = section(build_notice(declare(), "en").sections, SharingSection)
    assert isinstance(quiet, SharingSection)
    assert quiet.sale_statement == "We do not sell or share your personal information."
    selling = build_notice(
        declare("""
            recipients:
              broker:
                name: Data Broker Inc
                kind: third_party
                categories: [contact.email]
                sale: true
            """),
        "en",
    )
    sharing = section(selling.sections, SharingSection)
    assert isinstance(sharing, SharingSection)
    assert sharing.sale_statement.startswith("We sell some personal information")
    assert "Sold to Data Broker Inc: email address." in sharing.sale_details


def test_transfers_name_the_safeguard_for_each_recipient_abroad() -> None:
    notice = build_notice(
        declare("""
            recipients:
              crm:
                name: Acme CRM
                kind: processor
                country: US
                safeguards: [uk_idta]
              host:
                name: Cloud Host
                kind: processor
                country: DE
              local:
                name: Local Printer
                kind: processor
                country: GB
            """),
        "en",
    )
    transfers = section(notice.sections, TransfersSection)
    assert isinstance(transfers, TransfersSection)
    assert transfers.title == "Transfers outside the United Kingdom"
    rows = {t.recipient: (t.country, t.safeguard) for t in transfers.transfers}
    assert rows == {
        "Acme CRM": ("United States", "The UK International Data Transfer Agreement"),
        "Cloud Host": (
            "Germany",
            "An adequacy decision: the law recognises that the country protects personal data "
            "adequately",
        ),
    }
    assert transfers.copy_note


def test_rights_groups_use_the_profile_deadline_or_the_override() -> None:
    notice = build_notice(
        declare("""
            rights:
              offered:
                access:
                  deadline: 14 days
            """),
        "en",
    )
    rights = section(notice.sections, RightsSection)
    assert isinstance(rights, RightsSection)
    (group,) = rights.groups
    assert group.deadline.startswith(
        "We answer within one month of receiving your request. If a request is complex"
    )
    access = next(r for r in group.rights if r.id == "access")
    assert access.deadline == "We act on this request within 14 days."
    assert [d.text for d in group.channels] == ["hello@tiny.example"]


def test_last_updated_argument_wins_over_the_declaration() -> None:
    assert build_notice(demo(), "en").last_updated == "Last updated: 1 November 2026"
    later = build_notice(demo(), "en", last_updated=dt.date(2027, 2, 3))
    assert later.last_updated == "Last updated: 3 February 2027"
    assert later.last_updated_iso == "2027-02-03"
    assert build_notice(declare(), "en").last_updated == ""


def test_a_language_the_declaration_does_not_offer_is_refused() -> None:
    with pytest.raises(PledgeError) as raised:
        build_notice(declare(), "fr")
    assert "'fr'" in raised.value.message and "languages are en" in raised.value.message


def test_french_titles_are_all_translated() -> None:
    english = [s.title for s in build_notice(demo(), "en").sections]
    french = [s.title for s in build_notice(demo(), "fr").sections]
    same = [e for e, f in zip(english, french, strict=True) if e == f]
    assert same == ["Cookies"]
    assert f"Qui sommes-nous{NBSP}?" in french and "Vos droits" in french


def test_children_section_gives_the_age_and_the_consent_rule() -> None:
    notice = build_notice(
        declare(
            """
            children:
              minimum_age: 13
              on_discovery: parental_consent
            """,
            base=MINIMAL.replace("jurisdictions: [uk]", "jurisdictions: [uk, eu]"),
        ),
        "en",
    )
    children = section(notice.sections, ChildrenSection)
    assert isinstance(children, ChildrenSection)
    assert children.paragraphs == (
        "Our services are not meant for children under 13, and we do not knowingly collect "
        "their personal information.",
        "If we learn that we hold information about such a child, we ask a parent or guardian "
        "for consent, and delete the information if we do not get it.",
        "Where we rely on consent for an online service, children under 16 in the European "
        "Union need the consent of a parent or guardian.",
    )
    demo_children = section(build_notice(demo(), "en").sections, ChildrenSection)
    assert isinstance(demo_children, ChildrenSection)
    assert demo_children.paragraphs == (
        "Our shop is not for children under 16. If we learn that an account belongs to a "
        "child, we delete it.",
    )


def test_own_sections_processor_role_and_title_are_printed() -> None:
    notice = build_notice(
        declare(
            """
            notice:
              title: {en: Privacy policy}
              introduction: "First paragraph.\\n\\nSecond paragraph."
              extra_sections:
                cctv:
                  title: {en: Video surveillance}
                  body: "Cameras watch our shop floor.\\n\\nFootage is kept one week."
            """,
            base=MINIMAL.replace(
                "jurisdictions: [uk]", "jurisdictions: [uk]\n  roles: [controller, processor]"
            ),
        ),
        "en",
    )
    assert notice.title == "Privacy policy"
    assert notice.introduction == ("First paragraph.", "Second paragraph.")
    extra = section(notice.sections, ExtraSection)
    assert isinstance(extra, ExtraSection)
    assert (extra.id, extra.title) == ("more-cctv", "Video surveillance")
    assert extra.paragraphs == ("Cameras watch our shop floor.", "Footage is kept one week.")
    assert [s.id for s in notice.sections][-2:] == ["more-cctv", "changes"]
    who = section(notice.sections, WhoSection)
    assert isinstance(who, WhoSection)
    assert who.processor_note.startswith("We also handle personal information for business")


def test_california_sale_gives_the_do_not_sell_channels() -> None:
    notice = build_notice(
        declare(
            base="""
            pledge: 1
            organisation:
              name: Ad Shop
              country: US
              jurisdictions: [us-ca]
            subjects:
              visitor: {name: Visitors}
            channels:
              dns:
                kind: web_form
                address: https://adshop.example/do-not-sell
                name: Do Not Sell or Share My Personal Information
            rights:
              offered:
                opt_out_sale_share: {channels: [dns]}
            activities:
              ads:
                name: Advertising
                subjects: [visitor]
                categories: [online.cookie_id]
                legal_basis: consent
                share: true
            """
        ),
        "en",
    )
    california = section(notice.sections, CaliforniaSection)
    assert isinstance(california, CaliforniaSection)
    assert california.sale_statement.startswith("We share some personal information for cross")
    assert [(d.label, d.href) for d in california.opt_out] == [
        ("Do Not Sell or Share My Personal Information", "https://adshop.example/do-not-sell")
    ]
    assert "rights" not in [s.id for s in notice.sections]  # California's are in its section
