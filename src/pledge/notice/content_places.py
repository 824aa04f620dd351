"""Jurisdictions as a sentence needs them: "in the United Kingdom", "If you are in ...".

Place names take articles and prepositions that differ by language ("in the United Kingdom",
"au Royaume-Uni"), so each code has its own phrase rather than a name slotted into a template.
"""

from __future__ import annotations

from collections.abc import Iterable

from pledge.notice.content_context import NoticeContext
from pledge.notice.i18n import N_

IN_PLACE = {
    "uk": N_("in the United Kingdom"),
    "eu": N_("in the European Union"),
    "fr": N_("in France"),
    "us-ca": N_("in California"),
    "ca": N_("in Canada"),
    "ch": N_("in Switzerland"),
}

# Short names of each regime's law, for citing an article ("UK GDPR, Article 6(1)(b)").
LAW_SHORT = {
    "uk_gdpr": N_("UK GDPR"),
    "gdpr": N_("GDPR"),
    "fadp": N_("Swiss FADP"),
    "pipeda": N_("PIPEDA"),
    "ccpa": N_("CCPA"),
}


def in_place(ctx: NoticeContext, code: str) -> str:
    phrase = IN_PLACE.get(code)
    if phrase is not None:
        return ctx._(phrase)
    return ctx._("in %(place)s") % {"place": ctx.jurisdiction_name(code)}


def in_places(ctx: NoticeContext, codes: Iterable[str]) -> str:
    """Places joined with "or": "in the United Kingdom or in the European Union"."""
    return ctx.language.join([in_place(ctx, code) for code in codes], style="or")


def capitalise(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def laws_cited(ctx: NoticeContext, codes: Iterable[str]) -> str:
    """The short names of the laws of `codes`, each once: "UK GDPR and GDPR"."""
    regimes = dict.fromkeys(ctx.profile(code).regime for code in codes)
    return ctx.join(ctx._(LAW_SHORT[regime]) for regime in regimes)
