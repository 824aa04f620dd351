"""Translations and locale formatting for the published notice.

The English text is the message id, written where it is used (`_("...")` in the content code,
`_()` in the templates); French lives in locales/fr/LC_MESSAGES/pledge.po. A message id with
no French translation falls back to English, so a test checks that every one is translated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from io import BytesIO
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

DOMAIN = "pledge"
SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:
    """Mark a message id for extraction where it is defined; it is translated where used."""
    return message


def po_path(lang: str) -> str:
    """Where the catalogue for `lang` lives inside the package (for tools and tests)."""
    return f"locales/{lang}/LC_MESSAGES/{DOMAIN}.po"


def available_languages() -> tuple[str, ...]:
    """English plus every language with a catalogue in the package."""
    root = files("pledge.notice").joinpath("locales")
    found = sorted(
        p.name for p in root.iterdir() if p.joinpath("LC_MESSAGES", f"{DOMAIN}.po").is_file()
    )
    return (SOURCE_LANGUAGE, *found)


@cache
def translations(lang: str) -> NullTranslations:
    """The translations for `lang`; English is the source text, so it translates to itself."""
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    resource = files("pledge.notice").joinpath(po_path(lang))
    if not resource.is_file():
        raise LookupError(f"no translation catalogue for language {lang!r}")
    with resource.open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    # gettext's runtime only reads the binary .mo format. Compiling the .po in memory, once per
    # process, lets the .po be the only file in the repository: no build step, and no stale
    # binary that disagrees with the text a translator edited. Fuzzy entries are left out.
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def babel_locale(lang: str, country: str | None) -> Locale:
    """The locale for `lang` with the organisation's country when Babel knows the pair.

    A UK company writing English gets "1 November 2026"; a US one "November 1, 2026".
    """
    if country:
        try:
            return Locale.parse(f"{lang}_{country}")
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse(lang)


@dataclass(frozen=True)
class Language:
    """Everything needed to write text in one language: gettext and locale-aware formatting."""

    code: str
    locale: Locale
    gettext: Callable[[str], str]

    @classmethod
    def for_notice(cls, lang: str, country: str | None = None) -> Language:
        return cls(lang, babel_locale(lang, country), translations(lang).gettext)

    def date(self, day: dt.date) -> str:
        return format_date(day, format="long", locale=self.locale)

    def country(self, code: str) -> str:
        """A country name from its ISO code, in this language ("GB" -> "Royaume-Uni")."""
        name = self.locale.territories.get(code.upper())
        return name if isinstance(name, str) else code

    @property
    def _spaced_punctuation(self) -> bool:
        # French sets a no-break space before two-part punctuation (: ; ? !).
        return self.locale.language == "fr"

    @property
    def colon_suffix(self) -> str:
        return "\u00a0:" if self._spaced_punctuation else ":"

    @property
    def semicolon(self) -> str:
        """The separator between items that may themselves contain commas."""
        return "\u00a0; " if self._spaced_punctuation else "; "

    def semicolons(self, items: Iterable[str]) -> str:
        return self.semicolon.join(item for item in items if item)

    def join(self, items: Sequence[str], style: Literal["standard", "or"] = "standard") -> str:
        """The items as a list in this language ("a, b and c"); empty for no items."""
        kept = [item for item in items if item]
        if not kept:
            return ""
        return format_list(kept, style=style, locale=self.locale)
