"""The rows of the record of processing, read from the demo declaration and variants of it."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from pledge.declaration.model import RetentionRule
from pledge.records.ropa import COLUMNS, RopaRow, headers, is_third_country, ropa_rows
from pledge.records.wording import retention_words
from tests.records.demo import demo, variant, with_archive, with_us_analytics


def row(rows: list[RopaRow], reference: str) -> RopaRow:
    return next(r for r in rows if r.reference == reference)


def test_one_row_per_activity_in_the_declarations_order() -> None:
    declaration = demo()
    rows = ropa_rows(declaration)
    assert [r.reference for r in rows] == list(declaration.activities)
    assert len(rows) == 7


def test_columns_follow_the_row_fields_so_cells_line_up_with_headers() -> None:
    assert [f.name for f in fields(RopaRow)] == [c.key for c in COLUMNS]
    cells = ropa_rows(demo())[0].cells()
    assert len(cells) == len(headers()) == len(COLUMNS)
    assert cells[0] == "orders"


def test_the_controller_dpo_and_representative_are_on_every_row() -> None:
    orders = row(ropa_rows(demo()), "orders")
    assert orders.controller == (
        "Maple & Finch Ltd (Maple & Finch)",
        "12 Quayside Lane, Bristol BS1 4QA, United Kingdom",
        "privacy@maplefinch.example",
        "+44 117 496 0000",
    )
    assert orders.dpo == "Priya Natarajan, dpo@maplefinch.example, +44 117 496 0001"
    assert orders.representatives == (
        "European Union: Finch Representation SARL, 8 rue des Imprimeurs, 69002 Lyon, "
        "France, eu-rep@maplefinch.example",
    )


def test_legal_bases_in_words_with_the_gdpr_article_and_the_stated_reasons() -> None:
    rows = ropa_rows(demo())
    assert row(rows, "orders").legal_basis == ("Contract (Art. 6(1)(b))",)
    assert row(rows, "newsletter").legal_basis == ("Consent (Art. 6(1)(a))",)
    assert row(rows, "recruitment").legal_basis == (
        "Steps before entering into a contract (Art. 6(1)(b))",
    )
    assert row(rows, "accounting").legal_basis == (
        "Legal obligation (Art. 6(1)(c))",
        "Obligation: UK company law and HMRC rules require us to keep accounting records for "
        "six years.",
    )
    assert row(rows, "fraud").legal_basis == (
        "Legitimate interests (Art. 6(1)(f))",
        "Interests pursued: Stopping stolen cards from being used protects you, the card "
        "holder and us.",
    )


def test_bases_per_jurisdiction_are_grouped_and_only_gdpr_ones_get_an_article() -> None:
    def canada(data: dict[str, Any]) -> None:
        data["organisation"]["jurisdictions"] = ["uk", "eu", "ca"]
        # Written out of order: the record follows the organisation's jurisdictions.
        data["activities"]["newsletter"]["legal_basis"] = {
            "ca": "implied_consent",
            "eu": "consent",
            "uk": "consent",
        }

    newsletter = row(ropa_rows(variant(canada)), "newsletter")
    assert newsletter.legal_basis == (
        "United Kingdom, European Union: Consent (Art. 6(1)(a))",
        "Canada: Implied consent",
    )
    french = row(ropa_rows(variant(canada), "fr"), "newsletter")
    assert french.legal_basis == (
        "Royaume-Uni, Union européenne : Consentement (art. 6(1)(a))",
        "Canada : Consentement implicite",
    )


def test_subjects_categories_sources_and_recipients_in_words() -> None:
    rows = ropa_rows(demo())
    orders = row(rows, "orders")
    assert orders.subjects == ("Customers",)
    assert orders.categories[:3] == ("Name", "Date of birth", "Email address")
    assert orders.recipients == (
        "Stripe Payments Europe (processor, Ireland)",
        "Royal Mail and DPD (third party, United Kingdom)",
    )
    assert row(rows, "fraud").sources == (
        "The data subject",
        "Collected automatically (cookies, logs, devices)",
        "Our payment provider (fraud checks)",
    )
    assert row(rows, "accounting").recipients[0] == (
        "Our chartered accountants (professional advisers, United Kingdom)"
    )


def test_special_categories_and_children_are_flagged() -> None:
    def health(data: dict[str, Any]) -> None:
        data["activities"]["support"]["categories"].append("special.health")
        data["subjects"]["visitor"]["children"] = True

    support = row(ropa_rows(variant(health)), "support")
    assert "Health data (special category)" in support.categories
    assert "Email address" in support.categories
    assert support.subjects == ("Customers", "Website visitors (may include children)")


def test_retention_rules_in_words() -> None:
    rows = ropa_rows(demo())
    assert row(rows, "orders").retention == (
        "Customer accounts: 3 years from last contact, then deleted",
        "Invoices: 6 years from the date of issue, then deleted (Companies Act 2006, s. 388)",
    )
    assert row(rows, "newsletter").retention == (
        "Newsletter subscriptions: deleted on consent withdrawal; ends early on objection",
    )
    assert row(rows, "analytics").retention == (
        "Audience measurement: 13 months from collection, then anonymised",
    )


def test_an_archive_is_stated_after_the_active_period_in_english_and_french() -> None:
    declaration = variant(with_archive)
    assert row(ropa_rows(declaration), "orders").retention[0] == (
        "Customer accounts: 3 years from last contact, then archived (restricted access) "
        "for 2 years, then deleted"
    )
    assert row(ropa_rows(declaration, "fr"), "orders").retention[0] == (
        "Comptes clients : 3 ans à compter du dernier contact, puis archivées (accès "
        "restreint) pendant 2 ans, puis supprimées"
    )
    # Only the rule with an archive says so.
    assert row(ropa_rows(declaration), "orders").retention[1] == (
        "Invoices: 6 years from the date of issue, then deleted (Companies Act 2006, s. 388)"
    )


@pytest.mark.parametrize(
    ("rule", "english", "french"),
    [
        (
            {"name": "Logs", "duration": "10 business days", "trigger": "recorded"},
            "10 business days from recording, then deleted",
            "10 jours ouvrés à compter de l'enregistrement, puis supprimées",
        ),
        (
            {"name": "Files", "criteria": "until the claim is settled", "action": "anonymise"},
            "until the claim is settled, then anonymised",
            "until the claim is settled, puis anonymisées",
        ),
        (
            {"name": "Box", "duration": "1 year"},
            "1 year, then deleted",
            "1 an, puis supprimées",
        ),
        (
            {
                "name": "Ads",
                "duration": "2 years",
                "trigger": "last_contact",
                "ends_on_objection": True,
            },
            "2 years from last contact, then deleted; ends early on objection",
            "2 ans à compter du dernier contact, puis supprimées ; prend fin en cas d'opposition",
        ),
        (
            {
                "name": "Accounts",
                "duration": "18 months",
                "trigger": "account_closed",
                "archive": "1 year",
                "ends_on_objection": True,
            },
            "18 months from account closure, then archived (restricted access) for 1 year, "
            "then deleted; ends early on objection",
            "18 mois à compter de la clôture du compte, puis archivées (accès restreint) "
            "pendant 1 an, puis supprimées ; prend fin en cas d'opposition",
        ),
        (
            {
                "name": "Leads",
                "duration": "0 days",
                "trigger": "consent_withdrawn",
                "archive": "6 months",
            },
            "archived (restricted access) for 6 months on consent withdrawal, then deleted",
            "archivées (accès restreint) pendant 6 mois dès le retrait du consentement, "
            "puis supprimées",
        ),
        (
            {"name": "Box", "duration": "1 year", "archive": "0 days"},
            "1 year, then deleted",
            "1 an, puis supprimées",
        ),
    ],
)
def test_retention_words_for_each_shape_of_rule(
    rule: dict[str, Any], english: str, french: str
) -> None:
    parsed = RetentionRule.model_validate(rule)
    assert retention_words(parsed, "en") == english
    assert retention_words(parsed, "fr") == french


def test_security_falls_back_to_the_organisations_measures() -> None:
    def own(data: dict[str, Any]) -> None:
        data["activities"]["recruitment"]["security"] = ["CVs are kept in a locked HR folder."]

    rows = ropa_rows(variant(own))
    assert row(rows, "recruitment").security == ("CVs are kept in a locked HR folder.",)
    assert row(rows, "orders").security[0] == (
        "All traffic is encrypted with TLS; data at rest is encrypted."
    )


def test_systems_are_the_tables_that_serve_the_activity() -> None:
    rows = ropa_rows(demo())
    assert row(rows, "orders").systems == (
        "shop.customers",
        "shop.customer_addresses",
        "shop.addresses",
        "shop.orders",
        "shop.order_lines",
        "shop.payments",
    )
    assert row(rows, "accounting").systems == (
        "shop.orders",
        "shop.order_lines",
        "shop.payments",
        "shop.invoices",
    )
    assert row(rows, "support").systems == (
        "shop.support_tickets",
        "shop.call_records",
        "crm.contacts",
        "crm.interactions",
    )
    assert row(rows, "recruitment").systems == ()


def test_no_transfer_when_every_recipient_is_in_the_uk_or_the_eea() -> None:
    assert {r.transfers for r in ropa_rows(demo())} == {("None",)}


def test_recipients_outside_the_home_region_are_transfers_with_their_safeguard() -> None:
    analytics = row(ropa_rows(variant(with_us_analytics)), "analytics")
    assert analytics.transfers == (
        "Acme Insights Inc. (United States): Standard contractual clauses",
        "Bharat Dashboards (India): no safeguard declared",
    )


def test_an_undeclared_safeguard_to_an_adequate_country_says_adequacy_and_its_scope() -> None:
    def bare_us(data: dict[str, Any]) -> None:
        with_us_analytics(data)
        del data["recipients"]["acme"]["safeguards"]

    analytics = row(ropa_rows(variant(bare_us)), "analytics")
    assert analytics.transfers[0] == (
        "Acme Insights Inc. (United States): Adequacy decision (only for organisations "
        "certified under the EU-US Data Privacy Framework (for the UK: its UK Extension))"
    )


@pytest.mark.parametrize(
    ("home", "country", "transfer"),
    [
        ("GB", "IE", False),  # the UK treats EEA states as adequate
        ("GB", "GB", False),
        ("GB", "US", True),
        ("FR", "DE", False),
        ("FR", "GB", True),  # adequate, but still a transfer to record
        ("FR", "NO", False),  # EEA, not EU
    ],
)
def test_third_countries(home: str, country: str, transfer: bool) -> None:
    assert is_third_country(home, country) is transfer


def test_french_rows_and_headers() -> None:
    rows = ropa_rows(demo(), "fr")
    accounting = row(rows, "accounting")
    assert accounting.activity == "Comptabilité et fiscalité"
    assert accounting.legal_basis[0] == "Obligation légale (art. 6(1)(c))"
    assert accounting.retention == (
        "Factures : 6 ans à compter de la date d'émission, puis supprimées "
        "(Companies Act 2006, art. 388 (droit britannique))",
    )
    assert accounting.transfers == ("Aucun",)
    assert row(rows, "orders").recipients[0] == "Stripe Payments Europe (sous-traitant, Irlande)"
    assert headers("fr")[:3] == ["Référence", "Traitement", "Finalités"]
    assert "Délégué à la protection des données" in headers("fr")
