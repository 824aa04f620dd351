"""Cookies, and what we do with the Do Not Track and Global Privacy Control signals."""

from __future__ import annotations

from pledge.declaration.durations import parse_duration
from pledge.notice.content_context import NoticeContext, unique
from pledge.notice.content_model import CookiesSection, CookieView, Detail, SignalsSection
from pledge.notice.content_sharing import sells_or_shares
from pledge.notice.i18n import N_

COOKIE_CATEGORIES = {
    "strictly_necessary": N_("Strictly necessary"),
    "functional": N_("Functional"),
    "analytics": N_("Analytics"),
    "advertising": N_("Advertising"),
}
COOKIE_ID = "online.cookie_id"


def build_cookies(ctx: NoticeContext) -> CookiesSection | None:
    d = ctx.declaration
    if not d.cookies:
        return None
    cookies = tuple(
        CookieView(
            name=name,
            provider=cookie.provider,
            purpose=ctx.t(cookie.purpose),
            category=ctx._(COOKIE_CATEGORIES[cookie.category]),
            lifetime=_lifetime(ctx, cookie.lifetime),
            party=ctx._("First party") if cookie.first_party else ctx._("Third party"),
        )
        for name, cookie in d.cookies.items()
    )
    optional = any(c.category != "strictly_necessary" for c in d.cookies.values())
    if optional:
        consent = ctx._(
            "Strictly necessary cookies make the website work and do not need your consent. We "
            "set the others only if you agree, and you can change your choice at any time."
        )
    else:
        consent = ctx._(
            "We only use cookies that the website needs to work, so we do not ask for your consent."
        )
    return CookiesSection(
        id="cookies",
        title=ctx._("Cookies"),
        intro=ctx._(
            "Cookies are small files that a website stores in your browser. These are the "
            "cookies we use:"
        ),
        cookies=cookies,
        consent=consent,
        settings=ctx.channels(_cookie_channels(ctx)) if optional else (),
        browser=ctx._(
            "You can also block or delete cookies in your browser's settings. If you block "
            "strictly necessary cookies, parts of the website may not work."
        ),
    )


def _lifetime(ctx: NoticeContext, lifetime: str) -> str:
    if lifetime == "session":
        return ctx._("Until you close your browser")
    return parse_duration(lifetime).describe(ctx.lang)


def _cookie_channels(ctx: NoticeContext) -> list[str]:
    # Where people change cookie choices: how they withdraw consent from the activities that
    # rely on cookie identifiers.
    d = ctx.declaration
    return unique(
        channel
        for activity in d.activities.values()
        if COOKIE_ID in activity.categories
        for channel in activity.withdraw
    )


def cookie_settings_named(ctx: NoticeContext) -> bool:
    return bool(_cookie_channels(ctx))


def build_signals(ctx: NoticeContext) -> SignalsSection | None:
    d = ctx.declaration
    signals = d.signals
    if not (d.cookies or "us-ca" in ctx.jurisdictions or signals.statement):
        return None
    sells, shares = sells_or_shares(ctx)
    if signals.gpc == "honour":
        gpc = ctx._(
            "When your browser sends this signal, we treat it as your request to opt out of the "
            "sale and sharing of your personal information, for that browser and, if we know "
            "who you are, for you. You do not need to do anything else."
        )
        if not (sells or shares):
            gpc += " " + ctx._("We do not sell or share personal information in any case.")
    else:
        gpc = ctx._("We do not respond to this signal.")
    if signals.dnt == "honour":
        dnt = ctx._(
            "When your browser sends this signal, we treat it as a refusal of the optional "
            "cookies and tracking described in this notice."
        )
    else:
        dnt = ctx._(
            "We do not respond to this signal, because there is no agreed standard for what it "
            "means."
        )
        if cookie_settings_named(ctx):
            dnt += " " + ctx._("You can refuse optional cookies in our cookie settings instead.")
    return SignalsSection(
        id="signals",
        title=ctx._("Do Not Track and Global Privacy Control"),
        signals=(
            Detail(label=ctx._("Global Privacy Control"), text=gpc),
            Detail(label=ctx._("Do Not Track"), text=dnt),
        ),
        statement=ctx.paragraphs(signals.statement),
    )
