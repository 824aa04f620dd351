"""Transfers, the end of retention, and sources: no safeguard, hold or place the declaration
does not give. Adequacy that covers a whole country is the law's fact and is kept."""

from __future__ import annotations

import pytest

from pledge.declaration.jurisdictions import ADEQUACY_SCOPE
from pledge.notice.content import build_notice
from pledge.notice.content_model import (
    CollectSection,
    PurposesSection,
    RetentionSection,
    TransfersSection,
)
from pledge.notice.content_sharing import ADEQUACY_SCOPES
from pledge.notice.render import render_notice
from tests.notice.helpers import declare, md_tables, one

ADEQUACY = "An adequacy decision: the law recognises that the country protects personal data"


def recipient(country: str, safeguards: str = "[]") -> str:
    return f"""
        recipients:
          partner:
            name: Partner Co
            kind: processor
            country: {country}
            safeguards: {safeguards}
        """


def transfers(extra: str) -> TransfersSection:
    return one(build_notice(declare(extra), "en").sections, TransfersSection)


@pytest.mark.parametrize("country", sorted(ADEQUACY_SCOPE))
def test_partial_adequacy_is_not_claimed_without_a_declared_safeguard(country: str) -> None:
    # Data Productions: Google Analytics in the US with `safeguards: []`.
    (row,) = transfers(recipient(country)).transfers
    assert row.safeguard == ""
    markdown = render_notice(declare(recipient(country)), fmt="md", lang="en")
    table = next(t for t in md_tables(markdown) if t[0][0] == "Recipient" and len(t[0]) == 3)
    assert table[2][1:] == [row.country, "—"]
    assert "adequacy" not in markdown and "Data Privacy Framework" not in markdown


def test_a_declared_dpf_or_adequacy_safeguard_is_stated_with_its_scope() -> None:
    (dpf,) = transfers(recipient("US", "[dpf]")).transfers
    assert dpf.safeguard.startswith(
        "The recipient's certification under the EU-US Data Privacy Framework"
    )
    (adequacy,) = transfers(recipient("US", "[adequacy]")).transfers
    assert adequacy.safeguard.startswith(ADEQUACY)
    assert adequacy.safeguard.endswith(
        "(for organisations certified under the EU-US Data Privacy Framework)"
    )
    (adequacy_jp,) = transfers(recipient("JP", "[adequacy]")).transfers
    assert "private-sector organisations" in adequacy_jp.safeguard


def test_adequacy_of_a_whole_country_is_the_laws_fact() -> None:
    (eea,) = transfers(recipient("DE")).transfers
    assert eea.safeguard.startswith(ADEQUACY)
    (swiss,) = transfers(recipient("CH")).transfers
    assert swiss.safeguard.startswith(ADEQUACY)


def test_no_safeguard_is_hinted_at_for_a_country_without_adequacy() -> None:
    section = transfers(recipient("IN"))
    assert [(t.country, t.safeguard) for t in section.transfers] == [("India", "")]
    assert section.copy_note == ""
    (contract,) = transfers(recipient("IN", "[uk_idta]")).transfers
    assert contract.safeguard == "The UK International Data Transfer Agreement"
    assert transfers(recipient("IN", "[uk_idta]")).copy_note.startswith("You can ask us for a copy")


def test_a_copy_is_offered_only_for_safeguards_of_transfers_abroad() -> None:
    at_home = """
        recipients:
          printer:
            name: Local Printer
            kind: processor
            country: GB
            safeguards: [scc]
          host:
            name: Cloud Host
            kind: processor
            country: DE
        """
    assert transfers(at_home).copy_note == ""


def test_every_partial_adequacy_has_its_words() -> None:
    assert set(ADEQUACY_SCOPES) == set(ADEQUACY_SCOPE)


# --- what happens at the end of retention -----------------------------------------------------

RULES = """
    retention:
      accounts:
        name: Accounts
        duration: 2 years
        trigger: last_contact
        action: %(first)s
      invoices:
        name: Invoices
        duration: 6 years
        trigger: issued
        required_by: Companies Act 2006
        action: %(second)s
    """


@pytest.mark.parametrize(
    ("first", "second", "afterwards"),
    [
        ("delete", "delete", "At the end of a period we delete the information."),
        (
            "anonymise",
            "anonymise",
            "At the end of a period we anonymise the information, so that it can no longer "
            "identify you.",
        ),
        (
            "delete",
            "anonymise",
            "At the end of a period we delete the information, or anonymise it so that it can "
            "no longer identify you.",
        ),
    ],
)
def test_the_end_of_retention_is_what_the_rules_declare(
    first: str, second: str, afterwards: str
) -> None:
    notice = build_notice(declare(RULES % {"first": first, "second": second}), "en")
    section = one(notice.sections, RetentionSection)
    assert section.afterwards == afterwards
    assert "legal claim" not in render_notice(
        declare(RULES % {"first": first, "second": second}), fmt="md", lang="en"
    )


# --- where data comes from --------------------------------------------------------------------


def test_automatic_collection_is_not_placed_on_a_website() -> None:
    cctv = """
    pledge: 1
    organisation:
      name: Depot
      country: FR
      email: hello@depot.example
      jurisdictions: [fr]
    subjects:
      visitor: {name: People on our premises}
    activities:
      cctv:
        name: Video surveillance
        subjects: [visitor]
        categories: [audiovisual.cctv]
        collected_from: [automatic]
        legal_basis: legitimate_interests
    """
    notice = build_notice(declare(base=cctv), "en")
    (item,) = one(notice.sections, CollectSection).groups[0].items
    assert item.sources == ("Collected automatically",)
    assert one(notice.sections, PurposesSection).activities[0].sources == "Collected automatically"
    assert "when you use our website" not in render_notice(declare(base=cctv), fmt="md", lang="en")
