"""The Markdown notice: GitHub-ready structure, real content, and escaping."""

from __future__ import annotations

from functools import cache

import pytest
from markdown_it import MarkdownIt

from pledge.notice.render import md_escape, md_url, render_notice
from tests.notice.helpers import declare, demo, md_tables, read_html, squash

NBSP = "\u00a0"


@cache
def document(lang: str) -> str:
    return render_notice(demo(), fmt="md", lang=lang)


def as_html(markdown: str) -> str:
    """CommonMark with GFM tables, close to what GitHub shows."""
    rendered: str = MarkdownIt("commonmark").enable("table").render(markdown)
    return rendered


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_table_is_rectangular_and_renders_as_a_table(lang: str) -> None:
    markdown = document(lang)
    tables = md_tables(markdown)
    assert len(tables) >= 10
    for table in tables:
        widths = {len(row) for row in table}
        assert len(widths) == 1, table[0]
        assert set(table[1]) == {"---"}
    rendered = read_html(as_html(markdown))
    assert len(rendered.tables) == len(tables)
    assert rendered.problems == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_sections_have_anchors_and_a_numbered_contents_list(lang: str) -> None:
    markdown = document(lang)
    for number, section_id in enumerate(["who", "collect", "purposes", "retention"], start=1):
        assert f'<a id="{section_id}"></a>' in markdown
        assert f"](#{section_id})" in markdown
        assert f"\n## {number}. " in markdown
    assert markdown.endswith("\n") and not markdown.endswith("\n\n")
    assert "\n\n\n" not in markdown
    assert all(line == line.rstrip() for line in markdown.splitlines())


def test_english_markdown_content() -> None:
    markdown = document("en")
    assert "| **Customer accounts**<br>" in markdown
    assert "| 3 years from your last contact with us | Deleted |" in markdown
    assert (
        "6 years from the date of the invoice, because the Companies Act 2006, s. 388 requires it"
        in markdown
    )
    rows = {row[0]: row[1] for table in md_tables(markdown) for row in table[2:] if len(row) == 4}
    assert (
        rows["**G. Geolocation data**<br>Where a person or their device is, or has been."] == "No"
    )
    assert any(
        key.startswith("**A. Identifiers**") and value == "Yes" for key, value in rows.items()
    )
    assert "[privacy@maplefinch.example](mailto:privacy@maplefinch.example)" in markdown
    assert "**Toll-free phone:** [+1 888 555 0142](tel:+18885550142)" in markdown
    assert "Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF, United Kingdom" in markdown
    assert "3 Place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, France" in markdown
    assert "| mf\\_session | Maple & Finch |" in markdown
    assert "**Last updated: 1 November 2026**" in markdown


def test_french_markdown_content() -> None:
    markdown = document("fr")
    assert f"## 1. Qui sommes-nous{NBSP}?" in markdown
    assert "## 8. Vos droits" in markdown
    assert "| Données | Durée de conservation | Ensuite |" in markdown
    assert "3 ans à compter de votre dernier contact avec nous" in markdown
    assert f"**E-mail{NBSP}:** [privacy@maplefinch.example]" in markdown
    assert "| **A. Identifiants**<br>" in markdown
    assert f"*Dernière mise à jour{NBSP}: 1 novembre 2026*" in markdown


def test_markup_in_the_declaration_stays_text() -> None:
    declaration = declare(
        base="""
        pledge: 1
        organisation:
          name: "<script>alert(1)</script> *Bold* _Shop_"
          country: GB
          email: "a|b@shop.example"
          jurisdictions: [uk]
        subjects:
          customer: {name: "# Customers | [click](http://evil.example)"}
        activities:
          orders:
            name: "- Orders"
            subjects: [customer]
            categories: [identity.name]
            legal_basis: contract
        cookies:
          "a|b*c":
            provider: "Pipe | Co"
            category: strictly_necessary
            purpose: "Keeps <b>state</b>"
            lifetime: session
        """
    )
    markdown = render_notice(declaration, fmt="md", lang="en")
    assert "\\<script\\>alert(1)\\</script\\> \\*Bold\\* \\_Shop\\_" in markdown
    assert "### \\- Orders" in markdown
    assert "| a\\|b\\*c | Pipe \\| Co | Keeps \\<b\\>state\\</b\\> |" in markdown
    html = as_html(markdown)
    assert "<script>" not in html and "<b>" not in html and "<em>Bold</em>" not in html
    assert 'href="http://evil.example"' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; *Bold* _Shop_" in html
    cookie_table = next(t for t in read_html(html).tables if t[0][0] == "Cookie")
    assert cookie_table[1][:3] == ["a|b*c", "Pipe | Co", "Keeps <b>state</b>"]


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain words, kept", "plain words, kept"),
        ("- not a list", "\\- not a list"),
        ("+ not a list", "\\+ not a list"),
        ("+44 117 496 0000", "+44 117 496 0000"),
        ("# not a heading", "\\# not a heading"),
        ("1. not a list", "1\\. not a list"),
        ("2026. A year", "2026\\. A year"),
        ("---", "\\---"),
        ("a | b", "a \\| b"),
        ("snake_case and *stars*", "snake\\_case and \\*stars\\*"),
        ("[link](x)", "\\[link\\](x)"),
        ("AT&T &amp; co", "AT&T &amp;amp; co"),
        ("two\nlines\n\nhere", "two lines here"),
        (f"garder{NBSP}: ceci", f"garder{NBSP}: ceci"),
    ],
)
def test_md_escape(raw: str, escaped: str) -> None:
    assert md_escape(raw) == escaped
    shown = "".join(read_html(as_html(escaped)).text)
    assert squash(shown) == squash(raw)


def test_md_url_keeps_links_in_one_piece() -> None:
    assert md_url("https://example.com/a b)(c") == "https://example.com/a%20b%29%28c"
    assert md_url("mailto:a@b.example") == "mailto:a@b.example"
