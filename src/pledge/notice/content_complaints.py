"""How to complain: each declared jurisdiction's supervisory authority, with its contacts."""

from __future__ import annotations

from pledge.declaration.model import text
from pledge.notice.content_context import NoticeContext, mailto, tel
from pledge.notice.content_model import ComplaintsSection, ContactCard, Detail
from pledge.notice.content_places import capitalise, in_place, in_places

EU_AUTHORITIES = "https://www.edpb.europa.eu/about-edpb/about-edpb/members_en"


def authority_cards(ctx: NoticeContext) -> tuple[ContactCard, ...]:
    cards: dict[tuple[str, str], tuple[list[str], ContactCard]] = {}
    for code in ctx.jurisdictions:
        card = _authority(ctx, code)
        key = (card.name, card.details[0].text if card.details else "")
        if key in cards:
            cards[key][0].append(code)
        else:
            cards[key] = ([code], card)
    return tuple(
        ContactCard(
            title=capitalise(in_places(ctx, codes)),
            name=card.name,
            details=card.details,
            note=card.note,
        )
        for codes, card in cards.values()
    )


def _authority(ctx: NoticeContext, code: str) -> ContactCard:
    declared = ctx.declaration.organisation.authorities.get(code)
    if declared is not None:
        return _card(
            ctx,
            ctx.t(declared.name),
            ctx.t(declared.address),
            declared.phone,
            declared.email,
            declared.website,
        )
    built_in = ctx.profile(code).authority
    if built_in is None:
        return ContactCard(
            title=capitalise(in_place(ctx, code)),
            name=ctx._(
                "The data protection authority of the country where you live or work, or where "
                "you think the problem happened"
            ),
            details=(
                Detail(
                    label=ctx._("List of authorities"), text=EU_AUTHORITIES, href=EU_AUTHORITIES
                ),
            ),
        )
    address = built_in.address
    country = ctx.country(built_in.country)
    if not address.endswith(country):
        address = f"{address}, {country}"
    return _card(
        ctx, text(built_in.name, ctx.lang), address, built_in.phone, None, built_in.website
    )


def _card(
    ctx: NoticeContext,
    name: str,
    address: str,
    phone: str | None,
    email: str | None,
    website: str | None,
) -> ContactCard:
    details = []
    if address:
        details.append(Detail(label=ctx._("Address"), text=address))
    if phone:
        details.append(Detail(label=ctx._("Phone"), text=phone, href=tel(phone)))
    if email:
        details.append(Detail(label=ctx._("Email"), text=email, href=mailto(email)))
    if website:
        details.append(Detail(label=ctx._("Website"), text=website, href=ctx.web(website)))
    return ContactCard(title="", name=name, details=tuple(details))


def build_complaints(ctx: NoticeContext) -> ComplaintsSection:
    return ComplaintsSection(
        id="complaints",
        title=ctx._("How to complain"),
        intro=ctx._(
            "If you are unhappy with how we handle your information, please tell us first, so "
            "that we can put it right. You also have the right to complain to a supervisory "
            "authority:"
        ),
        authorities=authority_cards(ctx),
    )
