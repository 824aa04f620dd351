"""Rendering the notice view model as HTML or Markdown with Jinja2.

HTML relies on Jinja's autoescaping. Markdown has no autoescape, so the whole view model is
escaped once before rendering (every text field; link targets and anchors are kept as they
are, having been made safe when the view model was built). Either way, nothing a declaration
says can inject markup.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from functools import cache
from typing import Any, Literal, TypeVar
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.notice.content import build_notice
from pledge.notice.content_context import squash
from pledge.notice.i18n import Language, translations

Format = Literal["html", "md"]
FORMATS: tuple[Format, ...] = ("html", "md")

# Fields that hold link targets or anchors, never reader text: Markdown-escaping would break them.
_RAW_FIELDS = frozenset({"id", "href", "elsewhere_href", "lang", "last_updated_iso", "letter"})
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# What would turn the start of a line into a list, heading, rule or ordered item.
_MD_LINE_START = re.compile(r"^(?:[-+](?=\s)|#{1,6}(?=\s|$)|[-=]+\s*$)")
_MD_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")

T = TypeVar("T")


@cache
def environment(lang: str) -> Environment:
    """One Jinja environment per language, with that language's translations installed."""
    env = Environment(
        loader=PackageLoader("pledge.notice", "templates"),
        autoescape=select_autoescape(
            enabled_extensions=("html.j2",), disabled_extensions=("md.j2",), default=True
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]  # added by the i18n extension
    language = Language.for_notice(lang)
    suffix = language.colon_suffix
    # "Email:" in English, "E-mail :" in French; Markup stays Markup (suffix has no markup).
    env.filters["colon"] = lambda label: label + suffix
    env.globals["sep"] = language.semicolon
    env.filters["md_url"] = md_url
    return env


def render_notice(
    declaration: Declaration,
    *,
    fmt: Format,
    lang: str,
    last_updated: dt.date | None = None,
) -> str:
    """The notice as a complete HTML page or a Markdown document, in `lang`.

    `last_updated` overrides declaration.notice.last_updated (the caller may know the date of
    the last published change); with neither, the notice has no date line.
    """
    if fmt not in FORMATS:
        raise PledgeError(f"unknown notice format {fmt!r}", "use one of: " + ", ".join(FORMATS))
    notice = build_notice(declaration, lang, last_updated=last_updated)
    if fmt == "md":
        notice = markdown_escaped(notice)
    output = environment(lang).get_template(f"notice.{fmt}.j2").render(notice=notice)
    return tidy(output)


def tidy(output: str) -> str:
    """No trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in output.splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip("\n") + "\n"


# --- Markdown escaping ----------------------------------------------------------------------


def md_escape(text: str) -> str:
    """Text that Markdown shows as written: no emphasis, links, HTML, or table breaks."""
    text = squash(text)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_ENTITY.sub("&amp;", text)
    text = _MD_LINE_START.sub(lambda m: "\\" + m[0], text)
    return _MD_ORDERED.sub(r"\1\\\2", text)


def md_url(href: str) -> str:
    """A link target that cannot end the Markdown link early: spaces, brackets, <> encoded."""
    return quote(href, safe=":/?#@!$&'*+,;=%~.-_")


def markdown_escaped(value: T) -> T:
    """A copy of a view-model object with every reader-facing string Markdown-escaped."""
    return _escape(value, "")  # type: ignore[no-any-return]  # same type in, same type out


def _escape(value: Any, field: str) -> Any:
    if field in _RAW_FIELDS:
        return value
    if isinstance(value, str):
        return md_escape(value)
    if isinstance(value, tuple):
        return tuple(_escape(item, field) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _escape(getattr(value, f.name), f.name) for f in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    return value
