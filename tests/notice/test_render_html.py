"""The HTML notice: real content from the demo declaration, structure, and escaping."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest

from pledge.errors import PledgeError
from pledge.notice.render import render_notice
from tests.notice.helpers import declare, demo, html_text, read_html

NBSP = "\u00a0"
SECTION_IDS = [
    "who", "collect", "purposes", "retention", "sharing", "transfers", "cookies", "rights",
    "children", "signals", "california", "complaints", "security", "changes",
]  # fmt: skip


@cache
def page(lang: str) -> str:
    return render_notice(demo(), fmt="html", lang=lang)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_page_is_well_formed_with_a_section_id_per_heading(lang: str) -> None:
    html = page(lang)
    assert html.startswith("<!DOCTYPE html>\n")
    assert f'<html lang="{lang}">' in html
    reader = read_html(html)
    assert reader.problems == []
    assert reader.stack == []
    assert [i for i in reader.ids if i in SECTION_IDS] == SECTION_IDS
    for section_id in SECTION_IDS:
        assert f'<a href="#{section_id}">' in html  # the table of contents links to it
        assert f'<h2 id="{section_id}-title">' in html
    assert "<style>" in html and "@media print" in html
    assert "<script" not in html and "<link" not in html and "src=" not in html


def test_english_page_states_the_retention_rules_in_words() -> None:
    text = html_text(page("en"))
    assert "3 years from your last contact with us" in text
    assert (
        "6 years from the date of the invoice, because the Companies Act 2006, s. 388 requires it"
        in text
    )
    assert "Until you unsubscribe" in text
    assert "We never keep personal information for longer than 6 years" in text


def test_english_page_has_the_ccpa_table_with_yes_and_no() -> None:
    reader = read_html(page("en"))
    (table,) = [t for t in reader.tables if t and t[0][:2] == ["Category", "Collected"]]
    collected = {row[0].split(".")[0]: row[1] for row in table[1:]}
    assert collected == {
        "A": "Yes", "B": "Yes", "C": "Yes", "D": "Yes", "E": "No", "F": "Yes",
        "G": "No", "H": "Yes", "I": "Yes", "J": "No", "K": "No",
    }  # fmt: skip
    identifiers = table[1]
    assert identifiers[0].startswith("A. Identifiers Details that single a person out")
    assert "IP address" in identifiers[2]


def test_english_page_names_the_authorities_with_their_addresses() -> None:
    html = page("en")
    text = html_text(html)
    assert "Information Commissioner's Office (ICO)" in text
    assert "Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF, United Kingdom" in text
    assert 'href="tel:03031231113"' in html
    assert "CNIL (Commission nationale de l'informatique et des libertés)" in text
    assert "3 Place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, France" in text
    assert "California Privacy Protection Agency (CPPA)" in text


def test_english_page_gives_usable_channels_for_rights() -> None:
    html = page("en")
    assert '<a href="mailto:privacy@maplefinch.example">privacy@maplefinch.example</a>' in html
    assert '<a href="https://maplefinch.example/privacy/requests">' in html
    assert '<a href="tel:+18885550142">+1 888 555 0142</a>' in html
    text = html_text(html)
    assert "Maple &amp; Finch" not in text  # decoded once, not escaped twice
    assert "Post: Maple & Finch Ltd, Privacy, 12 Quayside Lane, Bristol BS1 4QA" in text
    assert (
        "We answer within one month of receiving your request. If a request is complex, or you "
        "send us several, we may take up to two months more" in text
    )
    assert "We answer within 45 days of receiving your request." in text
    assert "We act on this request within 15 business days." in text
    assert "We do not sell or share your personal information." in text


def test_french_page_is_in_french() -> None:
    html = page("fr")
    text = html_text(html)
    assert f"Qui sommes-nous{NBSP}?" in text
    assert "Vos droits" in text
    assert "Combien de temps nous conservons vos données" in text
    assert "3 ans à compter de votre dernier contact avec nous" in text
    assert f"Dernière mise à jour{NBSP}: 1 novembre 2026" in text
    assert "Nous ne vendons ni ne partageons vos informations personnelles." in text
    assert "3 Place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, France" in text
    assert "Royaume-Uni" in text
    for english in ("Who we are", "Your rights", "How long we keep", "Last updated"):
        assert english not in text


def test_names_and_addresses_are_escaped() -> None:
    declaration = declare(
        base="""
        pledge: 1
        organisation:
          name: "<script>alert('x')</script> & Co"
          country: GB
          website: "javascript:alert(1)"
          jurisdictions: [uk]
        subjects:
          customer: {name: "<b>Customers</b>"}
        channels:
          form:
            kind: web_form
            address: "javascript:alert(2)"
        rights:
          channels: [form]
        activities:
          orders:
            name: "Orders <img src=x onerror=alert(3)>"
            subjects: [customer]
            categories: [identity.name]
            legal_basis: contract
        """
    )
    html = render_notice(declaration, fmt="html", lang="en")
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co" in html
    # A javascript: address is shown as text, never used as a link target.
    assert 'href="javascript' not in html
    assert "Online form: javascript:alert(2)" in html_text(html)
    assert read_html(html).problems == []


def test_rendering_is_deterministic_and_dated_by_the_caller() -> None:
    declaration = demo()
    first = render_notice(declaration, fmt="html", lang="en")
    assert first == render_notice(declaration, fmt="html", lang="en")
    dated = render_notice(declaration, fmt="html", lang="en", last_updated=dt.date(2027, 1, 5))
    assert '<time datetime="2027-01-05">Last updated: 5 January 2027</time>' in dated
    undated = render_notice(declare(), fmt="html", lang="en")
    assert "<time" not in undated and "Last updated" not in undated


def test_unknown_format_and_language_are_refused() -> None:
    with pytest.raises(PledgeError, match="languages are en, fr"):
        render_notice(demo(), fmt="html", lang="de")
    with pytest.raises(PledgeError, match="unknown notice format 'pdf'"):
        render_notice(demo(), fmt="pdf", lang="en")  # type: ignore[arg-type]  # a bad value on purpose
