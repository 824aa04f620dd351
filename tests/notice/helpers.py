"""Shared helpers for the notice tests: declarations to render, and HTML/Markdown readers."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import TypeVar

from pledge.declaration.load import load_declaration, parse_declaration
from pledge.declaration.model import Declaration
from pledge.notice.content_model import Section

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo" / "pledge.yaml"
VOID = frozenset({"br", "meta", "link", "img", "hr", "input", "wbr", "col", "source"})


def demo() -> Declaration:
    return load_declaration(DEMO).declaration


MINIMAL = """
pledge: 1
organisation:
  name: Tiny Shop
  country: GB
  email: hello@tiny.example
  jurisdictions: [uk]
subjects:
  customer: {name: Customers}
activities:
  orders:
    name: Orders
    subjects: [customer]
    categories: [identity.name, contact.email]
    legal_basis: contract
"""


def declare(extra: str = "", base: str = MINIMAL) -> Declaration:
    """A small valid declaration: `base` with `extra` YAML appended (top-level sections)."""
    text = textwrap.dedent(base) + textwrap.dedent(extra)
    return parse_declaration(text, "test.yaml").declaration


S = TypeVar("S", bound=Section)


def sections_of(sections: Iterable[Section], kind: type[S]) -> list[S]:
    """The sections of one kind, typed as that kind (none when the notice leaves it out)."""
    return [s for s in sections if isinstance(s, kind)]


def one(sections: Iterable[Section], kind: type[S]) -> S:
    found = sections_of(sections, kind)
    assert len(found) == 1, f"expected one {kind.__name__}, found {len(found)}"
    return found[0]


class _Reader(HTMLParser):
    """Collects the text of every table cell and checks that tags are balanced."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self.ids: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1][-1].append(squash(" ".join(self._cell)))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        self.text.append(data)


def read_html(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def html_text(html: str) -> str:
    """The page's text with runs of whitespace as single spaces (entities decoded)."""
    return squash("".join(read_html(html).text))


def squash(text: str) -> str:
    """ASCII whitespace runs as one space; a no-break space (French typography) is kept."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def md_tables(markdown: str) -> list[list[list[str]]]:
    """Every Markdown table as rows of cells, split on unescaped pipes."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for line in markdown.splitlines():
        if line.startswith("|"):
            if current is None:
                current = []
                tables.append(current)
            cells = _split_row(line)
            current.append(cells)
        else:
            current = None
    return tables


def _split_row(line: str) -> list[str]:
    cells, cell, escaped = [], "", False
    for char in line.strip()[1:]:
        if escaped:
            cell += char
            escaped = False
        elif char == "\\":
            cell += char
            escaped = True
        elif char == "|":
            cells.append(cell.strip())
            cell = ""
        else:
            cell += char
    return cells
