"""Who receives personal information, whether any of it is sold, and transfers abroad."""

from __future__ import annotations

from pledge.declaration.jurisdictions import ADEQUATE_COUNTRIES, EEA_COUNTRIES
from pledge.declaration.model import Recipient
from pledge.notice.content_context import NoticeContext, lower_first, unique
from pledge.notice.content_model import (
    RecipientGroup,
    RecipientView,
    SharingSection,
    TransfersSection,
    TransferView,
)
from pledge.notice.content_places import capitalise
from pledge.notice.i18n import N_

KINDS = {
    "processor": (
        N_("Service providers"),
        N_(
            "They handle information on our behalf, only on our instructions, and may not use "
            "it for their own purposes."
        ),
    ),
    "joint_controller": (
        N_("Joint controllers"),
        N_("We decide together with them why and how this information is used."),
    ),
    "third_party": (
        N_("Other organisations"),
        N_("They use the information for the purpose shown, under their own privacy notice."),
    ),
    "advisers": (
        N_("Professional advisers"),
        N_("Accountants, lawyers and other advisers who help us run our business."),
    ),
    "authority": (
        N_("Public authorities"),
        N_(
            "Regulators, tax authorities, courts or the police, when the law requires or allows it."
        ),
    ),
    "staff": (
        N_("Our staff"),
        N_("Only the people who need the information for their work."),
    ),
}

SAFEGUARDS = {
    "adequacy": N_(
        "an adequacy decision: the law recognises that the country protects personal data "
        "adequately"
    ),
    "scc": N_("the European Commission's standard contractual clauses"),
    "uk_idta": N_("the UK International Data Transfer Agreement"),
    "uk_addendum": N_("the UK Addendum to the European Commission's standard contractual clauses"),
    "dpf": N_(
        "the recipient's certification under the EU-US Data Privacy Framework (and its UK "
        "Extension)"
    ),
    "bcr": N_("binding corporate rules approved by a data protection authority"),
    "consent": N_("your explicit consent, given after we have told you the risks"),
    "derogation": N_(
        "an exception the law allows in specific situations, such as performing a contract with you"
    ),
}
# Where an adequacy decision covers only some organisations in a country: the same countries
# as jurisdictions.yaml's `adequacy_scope` (a test keeps them in step), in words to translate.
ADEQUACY_SCOPES = {
    "CA": N_("for commercial organisations subject to PIPEDA"),
    "JP": N_("for private-sector organisations subject to Japan's data protection act"),
    "US": N_("for organisations certified under the EU-US Data Privacy Framework"),
}
TRANSFERS_TITLES = {
    "uk": N_("Transfers outside the United Kingdom"),
    "eea": N_("Transfers outside the European Economic Area"),
    "other": N_("International transfers"),
}
REGIONS = {
    "eea": N_("the European Economic Area"),
    "uk": N_("the United Kingdom"),
    "adequate": N_("countries whose data protection is recognised as adequate"),
}


# --- sharing --------------------------------------------------------------------------------


def build_sharing(ctx: NoticeContext) -> SharingSection:
    d = ctx.declaration
    groups = []
    for kind, (title, description) in KINDS.items():
        members = [r for r in d.recipients.values() if r.kind == kind]
        if members:
            views = tuple(_recipient(ctx, r) for r in members)
            groups.append(
                RecipientGroup(title=ctx._(title), description=ctx._(description), recipients=views)
            )
    statement, details = _sale_statement(ctx)
    intro = (
        ctx._("We share your information only when we need to, and only what each recipient needs.")
        if groups
        else ctx._("We do not share your personal information with anyone outside our company.")
    )
    return SharingSection(
        id="sharing",
        title=ctx._("Who we share your information with"),
        intro=intro,
        groups=tuple(groups),
        sale_statement=statement,
        sale_details=details,
    )


def _recipient(ctx: NoticeContext, recipient: Recipient) -> RecipientView:
    return RecipientView(
        name=ctx.t(recipient.name),
        purpose=ctx.t(recipient.purpose),
        country=ctx.country(recipient.country) if recipient.country else "",
        data=ctx.category_names(recipient.categories),
        condition=ctx.t(recipient.condition),
    )


def sells_or_shares(ctx: NoticeContext) -> tuple[bool, bool]:
    """(sells, shares) in the CCPA's sense, from the activities' and recipients' flags."""
    d = ctx.declaration
    activities, recipients = d.activities.values(), d.recipients.values()
    sells = any(a.sale for a in activities) or any(r.sale for r in recipients)
    shares = any(a.share for a in activities) or any(r.share for r in recipients)
    return sells, shares


def sale_share_statement(ctx: NoticeContext) -> str:
    sells, shares = sells_or_shares(ctx)
    if sells and shares:
        return ctx._(
            "We sell and share some personal information, as described here. You can opt out at "
            "any time."
        )
    if sells:
        return ctx._(
            "We sell some personal information, as described here. You can opt out at any time."
        )
    if shares:
        return ctx._(
            "We share some personal information for cross-context behavioural advertising, as "
            "described here. You can opt out at any time."
        )
    return ctx._("We do not sell or share your personal information.")


def _sale_statement(ctx: NoticeContext) -> tuple[str, tuple[str, ...]]:
    d = ctx.declaration
    sells, shares = sells_or_shares(ctx)
    details: list[str] = []
    if not (sells or shares):
        details.append(
            ctx._(
                "We do not give it to anyone for money or other benefits, nor for advertising "
                "based on what you do on other companies' websites and apps."
            )
        )
    for recipient in d.recipients.values():
        if recipient.sale or recipient.share:
            how = _how(ctx, recipient.sale, recipient.share)
            details.append(
                ctx._("%(how)s to %(recipient)s: %(data)s.")
                % {
                    "how": how,
                    "recipient": ctx.t(recipient.name),
                    "data": lower_first(ctx.category_names(recipient.categories))
                    or ctx._("personal information"),
                }
            )
    for activity in d.activities.values():
        if activity.sale or activity.share:
            details.append(
                ctx._("%(how)s for the purpose “%(purpose)s”: %(data)s.")
                % {
                    "how": _how(ctx, activity.sale, activity.share),
                    "purpose": ctx.t(activity.name),
                    "data": lower_first(ctx.category_names(activity.categories)),
                }
            )
    marketing = [ctx.t(r.name) for r in d.recipients.values() if r.third_party_marketing]
    if marketing:
        details.append(
            ctx._("We give personal information to %(recipients)s for their own direct marketing.")
            % {"recipients": ctx.join(marketing)}
        )
    return sale_share_statement(ctx), tuple(details)


def _how(ctx: NoticeContext, sale: bool, share: bool) -> str:
    if sale and share:
        return ctx._("Sold and shared")
    return ctx._("Sold") if sale else ctx._("Shared")


# --- transfers ------------------------------------------------------------------------------


def home_region(country: str) -> str:
    """The company's home region: "uk", "eea", or its country code when elsewhere."""
    if country == "GB":
        return "uk"
    return "eea" if country in EEA_COUNTRIES else country


def _inside(region: str, country: str) -> bool:
    if region == "eea":
        return country in EEA_COUNTRIES
    if region == "uk":
        return country == "GB"
    return country == region


def _adequate(region: str, country: str) -> bool:
    if region == "uk":
        return country in ADEQUATE_COUNTRIES["uk"] or country in EEA_COUNTRIES
    if region == "eea":
        return country in ADEQUATE_COUNTRIES["eu"]
    return False


def build_transfers(ctx: NoticeContext) -> TransfersSection | None:
    d = ctx.declaration
    region = home_region(d.organisation.country)
    abroad = [
        recipient
        for recipient in d.recipients.values()
        if recipient.country and not _inside(region, recipient.country)
    ]
    if d.transfers is None and not abroad:
        return None
    storage = allowed = ""
    statement: tuple[str, ...] = ()
    if d.transfers is not None:
        if d.transfers.storage:
            countries = ctx.join(ctx.country(c) for c in unique(d.transfers.storage))
            storage = ctx._("We store your information in: %(countries)s.") % {
                "countries": countries
            }
        places = unique(_region_name(ctx, region, place) for place in d.transfers.allowed)
        if places:
            allowed = ctx._("We send personal information only to %(places)s.") % {
                "places": ctx.join(places)
            }
        statement = ctx.paragraphs(d.transfers.statement)
    # Only documents the company holds can be copied: contracts and rules, not the law itself.
    needs_copy = any(set(r.safeguards) - {"adequacy", "consent", "derogation"} for r in abroad)
    return TransfersSection(
        id="transfers",
        title=ctx._(TRANSFERS_TITLES.get(region, TRANSFERS_TITLES["other"])),
        storage=storage,
        allowed=allowed,
        statement=statement,
        transfers=tuple(_transfer(ctx, region, recipient) for recipient in abroad),
        copy_note=ctx._(
            "You can ask us for a copy of these safeguards using the contact details above."
        )
        if needs_copy
        else "",
    )


def _region_name(ctx: NoticeContext, home: str, place: str) -> str:
    if place == "home":
        return ctx._(REGIONS[home]) if home in REGIONS else ctx.country(home)
    if place in REGIONS:
        return ctx._(REGIONS[place])
    return ctx.country(place)


def _transfer(ctx: NoticeContext, region: str, recipient: Recipient) -> TransferView:
    """The recipient's country and its safeguard, as declared or as the law alone gives it.

    A country whose adequacy decision covers only some organisations (the US: the Data
    Privacy Framework) counts as adequate only when the declaration says the recipient is
    covered ("adequacy" or "dpf"). With no safeguard declared, and no adequacy that covers
    the whole country, the notice names the country and claims no safeguard at all; the
    lint (TRANSFER-GUARD) tells the company.
    """
    country = recipient.country or ""
    scoped = country in ADEQUACY_SCOPES
    safeguard = ""
    if recipient.safeguards:
        named = []
        for kind in recipient.safeguards:
            words = ctx._(SAFEGUARDS[kind])
            if kind == "adequacy" and scoped:
                words = f"{words} ({ctx._(ADEQUACY_SCOPES[country])})"
            named.append(words)
        safeguard = ctx.join(named)
    elif _adequate(region, country) and not scoped:
        adequacy = SAFEGUARDS["adequacy"]  # a variable, so message extraction skips the key
        safeguard = ctx._(adequacy)
    return TransferView(
        recipient=ctx.t(recipient.name),
        country=ctx.country(country),
        safeguard=capitalise(safeguard),
    )
