"""The privacy notice as content: a language-resolved view model built from a declaration.

`build_notice` decides what the notice says; the templates only decide how it looks. Each
section comes from one builder (content_*.py) that returns None when the declaration gives
it nothing to say, so a section that does not apply is left out rather than printed empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.notice.content_california import build_california
from pledge.notice.content_closing import build_changes, build_children, build_extra, build_security
from pledge.notice.content_collect import build_collect, build_purposes
from pledge.notice.content_complaints import build_complaints
from pledge.notice.content_context import NoticeContext, lower_first, mailto, tel
from pledge.notice.content_model import ContactCard, Detail, Notice, Section, WhoSection
from pledge.notice.content_retention import build_retention
from pledge.notice.content_rights import build_rights, default_channels, free_by_law
from pledge.notice.content_sharing import build_sharing, build_transfers, sale_share_statement
from pledge.notice.content_web import build_cookies, build_signals
from pledge.notice.i18n import N_, Language

REPRESENTATIVE_FOR = {
    "uk": N_("Our representative in the United Kingdom"),
    "eu": N_("Our representative in the European Union"),
    "fr": N_("Our representative in France"),
    "ch": N_("Our representative in Switzerland"),
    "ca": N_("Our representative in Canada"),
    "us-ca": N_("Our representative in California"),
}

Builder = Callable[[NoticeContext], Section | None]
# The order sections appear in; each builder may return None (the section does not apply).
SECTIONS: tuple[Builder, ...] = (
    lambda ctx: build_who(ctx),
    build_collect,
    build_purposes,
    build_retention,
    build_sharing,
    build_transfers,
    build_cookies,
    build_rights,
    build_children,
    build_signals,
    build_california,
    build_complaints,
    build_security,
)


def check_language(declaration: Declaration, lang: str) -> None:
    declared = list(declaration.organisation.languages)
    if lang not in declared:
        raise PledgeError(
            f"the notice is not available in {lang!r}: the declaration's languages are "
            + ", ".join(declared),
            "pass one of those with --lang, or add the language to organisation.languages",
        )


def build_notice(
    declaration: Declaration, lang: str, *, last_updated: dt.date | None = None
) -> Notice:
    """The notice in `lang`. `last_updated` defaults to declaration.notice.last_updated;
    with neither, the notice carries no date."""
    check_language(declaration, lang)
    ctx = NoticeContext(declaration, Language.for_notice(lang, declaration.organisation.country))
    day = last_updated or declaration.notice.last_updated
    sections: list[Section] = [s for s in (build(ctx) for build in SECTIONS) if s is not None]
    sections += build_extra(ctx)
    sections.append(build_changes(ctx, day))
    organisation = declaration.organisation.name
    title = ctx.t(declaration.notice.title) or ctx._("Privacy notice")
    introduction = ctx.paragraphs(declaration.notice.introduction) or (
        ctx._(
            "This notice explains what personal information %(organisation)s collects about "
            "you, why we use it, how long we keep it, who we share it with, and the rights you "
            "have over it."
        )
        % {"organisation": organisation},
    )
    return Notice(
        lang=lang,
        title=title,
        organisation=organisation,
        introduction=introduction,
        last_updated=ctx._("Last updated: %(date)s") % {"date": ctx.language.date(day)}
        if day
        else "",
        last_updated_iso=day.isoformat() if day else "",
        highlights=_highlights(ctx),
        sections=tuple(sections),
    )


# Rights that let a person get a copy, have data corrected, or have it deleted, in each law.
COPY_RIGHTS = frozenset({"access", "know"})
CORRECT_RIGHTS = frozenset({"rectification", "correction", "correct"})
DELETE_RIGHTS = frozenset({"erasure", "delete"})


def _highlights(ctx: NoticeContext) -> tuple[str, ...]:
    """Three or four facts a reader wants first; each is said in full further down."""
    d = ctx.declaration
    points = [sale_share_statement(ctx)]
    if d.notice.maximum_retention is not None:
        points.append(
            ctx._("We keep no personal information for longer than %(duration)s.")
            % {"duration": d.notice.maximum_retention.describe(ctx.lang)}
        )
    rights = _rights_highlight(ctx)
    if rights:
        points.append(rights)
    channels = default_channels(ctx)
    if channels:
        first = channels[0]
        points.append(
            ctx._("To use your rights, you can contact us through %(channel)s.")
            % {
                "channel": f"{lower_first(first.label)} ({first.text})"
                if first.text
                else lower_first(first.label)
            }
        )
    return tuple(points)


def _rights_highlight(ctx: NoticeContext) -> str:
    """Copy, correct, delete: said only when a declared law grants them or the company offers
    them; "free of charge" only when no fee is declared and every declared law makes it so."""
    available = {str(r) for c in ctx.jurisdictions for r in ctx.profile(c).rights}
    available |= set(ctx.offered)
    if not all(available & wanted for wanted in (COPY_RIGHTS, CORRECT_RIGHTS, DELETE_RIGHTS)):
        return ""
    if not ctx.declaration.rights.fee and free_by_law(ctx, list(ctx.jurisdictions)):
        return ctx._(
            "You can ask for a copy of your information, or ask us to correct or delete it, "
            "free of charge."
        )
    return ctx._("You can ask for a copy of your information, or ask us to correct or delete it.")


def build_who(ctx: NoticeContext) -> WhoSection:
    o = ctx.declaration.organisation
    legal = o.legal_name or o.name
    if legal != o.name:
        controller = ctx._(
            "%(legal_name)s (“%(name)s”, “we”, “us”) is the controller of your personal "
            "information: we decide why and how it is used."
        ) % {"legal_name": legal, "name": o.name}
    else:
        controller = ctx._(
            "%(name)s (“we”, “us”) is the controller of your personal information: we decide "
            "why and how it is used."
        ) % {"name": o.name}
    processor_note = ""
    if "processor" in o.roles:
        processor_note = ctx.t(o.processor_requests) or ctx._(
            "We also handle personal information for business clients, as their processor. For "
            "that information the client is the controller: please send your requests to them, "
            "and we will help them answer."
        )
    contact = ContactCard(
        title=ctx._("How to contact us"),
        name=legal,
        details=_contact_details(ctx, ctx.t(o.address), o.email, o.phone, o.website),
    )
    dpo = None
    if o.dpo is not None:
        dpo = ContactCard(
            title=ctx._("Our data protection officer"),
            name=o.dpo.name or "",
            details=_contact_details(
                ctx, ctx.t(o.dpo.address), o.dpo.email, o.dpo.phone, o.dpo.web_form
            ),
        )
    representatives = tuple(
        ContactCard(
            title=ctx._(REPRESENTATIVE_FOR[code])
            if code in REPRESENTATIVE_FOR
            else ctx._("Our representative (%(place)s)") % {"place": ctx.jurisdiction_name(code)},
            name=rep.name or "",
            details=_contact_details(ctx, ctx.t(rep.address), rep.email, rep.phone, rep.web_form),
        )
        for code, rep in o.representatives.items()
    )
    return WhoSection(
        id="who",
        title=ctx._("Who we are"),
        controller=controller,
        description=ctx.paragraphs(o.description),
        contact=contact,
        registrations=tuple(
            Detail(label=ctx.t(r.registry), text=r.number) for r in o.registrations
        ),
        dpo=dpo,
        representatives=representatives,
        processor_note=processor_note,
    )


def _contact_details(
    ctx: NoticeContext, address: str, email: str | None, phone: str | None, web: str | None
) -> tuple[Detail, ...]:
    details = []
    if address:
        details.append(Detail(label=ctx._("Address"), text=address))
    if email:
        details.append(Detail(label=ctx._("Email"), text=email, href=mailto(email)))
    if phone:
        details.append(Detail(label=ctx._("Phone"), text=phone, href=tel(phone)))
    if web:
        details.append(Detail(label=ctx._("Website"), text=web, href=ctx.web(web)))
    return tuple(details)
