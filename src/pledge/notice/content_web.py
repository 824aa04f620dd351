"""Cookies, and what we do with the Do Not Track and Global Privacy Control signals.

Both sections say only what the declaration says: a browser signal the declaration is silent
about is not mentioned, and cookies are "set only if you agree" only when an activity based
on consent covers what the cookies collect.
"""

from __future__ import annotations

from pledge.declaration.durations import parse_duration
from pledge.declaration.model import Activity, Cookie
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
# What each category of cookie is for, as the end of "We use cookies ...".
COOKIE_USES = {
    "strictly_necessary": N_("to make the website work"),
    "functional": N_("to remember choices that improve the website"),
    "analytics": N_("to measure how the website is used"),
    "advertising": N_("for advertising"),
}
COOKIE_ID = "online.cookie_id"
# The categories of data that cookies (other than strictly necessary ones) collect.
COOKIE_DATA = frozenset({COOKIE_ID, "online.usage", "online.device"})
CONSENT = frozenset({"consent", "express_consent"})
# Channels where a person changes cookie choices themselves: a page, not a letter.
SETTINGS_KINDS = frozenset({"web_form", "account_settings"})


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
            party=_party(ctx, cookie),
        )
        for name, cookie in d.cookies.items()
    )
    optional = any(c.category != "strictly_necessary" for c in d.cookies.values())
    settings: list[str] = []
    asks_consent = False
    if not optional:
        consent = ctx._(
            "We only use cookies that the website needs to work, so we do not ask for your consent."
        )
    elif cookies_need_consent(ctx):
        consent = ctx._(
            "Strictly necessary cookies make the website work and do not need your consent. We "
            "set the others only if you agree, and you can change your choice at any time."
        )
        settings = _withdraw_channels(ctx)
        asks_consent = True
    else:
        # No consent is declared for what the cookies collect: say what they are for, and
        # where choices can be made if the declaration names such a place.
        declared = {c.category for c in d.cookies.values()}
        uses = [ctx._(use) for category, use in COOKIE_USES.items() if category in declared]
        consent = ctx._("We use cookies %(uses)s.") % {"uses": ctx.join(uses)}
        settings = cookie_settings_channels(ctx)
    return CookiesSection(
        id="cookies",
        title=ctx._("Cookies"),
        intro=ctx._(
            "Cookies are small files that a website stores in your browser. These are the "
            "cookies we use:"
        ),
        cookies=cookies,
        consent=consent,
        settings=ctx.channels(settings),
        browser=_browser(ctx, also=asks_consent or bool(settings)),
    )


def _browser(ctx: NoticeContext, *, also: bool) -> str:
    # "also" only when the notice has just offered another way to make a choice.
    if also:
        return ctx._(
            "You can also block or delete cookies in your browser's settings. If you block "
            "strictly necessary cookies, parts of the website may not work."
        )
    return ctx._(
        "You can block or delete cookies in your browser's settings. If you block strictly "
        "necessary cookies, parts of the website may not work."
    )


def _lifetime(ctx: NoticeContext, lifetime: str) -> str:
    if lifetime == "session":
        return ctx._("Until you close your browser")
    return parse_duration(lifetime).describe(ctx.lang)


def _party(ctx: NoticeContext, cookie: Cookie) -> str:
    if cookie.first_party is None:
        return ""
    return ctx._("First party") if cookie.first_party else ctx._("Third party")


def consent_based(activity: Activity) -> bool:
    """Consent (or express consent) is the basis wherever the activity names one."""
    listed = list(activity.legal_basis.values())
    return bool(listed) and all(CONSENT & set(bases) for bases in listed)


def _cookie_activities(ctx: NoticeContext) -> list[Activity]:
    return [a for a in ctx.declaration.activities.values() if COOKIE_DATA & set(a.categories)]


def cookies_need_consent(ctx: NoticeContext) -> bool:
    """Whether "we set the optional cookies only if you agree" is what the declaration says.

    Some activity based on consent must cover the data cookies collect, and no activity may
    use cookie identifiers on another basis (that would be a cookie set without consent).
    """
    users = _cookie_activities(ctx)
    covered = any(consent_based(a) for a in users)
    others = any(COOKIE_ID in a.categories and not consent_based(a) for a in users)
    return covered and not others


def _withdraw_channels(ctx: NoticeContext) -> list[str]:
    # How people take back the consent that covers the cookies.
    return unique(c for a in _cookie_activities(ctx) if consent_based(a) for c in a.withdraw)


def cookie_settings_channels(ctx: NoticeContext) -> list[str]:
    """The pages (a web form, account settings) declared for choices about cookie data."""
    d = ctx.declaration
    return unique(
        c
        for a in _cookie_activities(ctx)
        for c in [*a.withdraw, *a.opt_out]
        if d.channels[c].kind in SETTINGS_KINDS
    )


def build_signals(ctx: NoticeContext) -> SignalsSection | None:
    signals = ctx.declaration.signals
    details: list[Detail] = []
    if signals.gpc is not None:
        details.append(Detail(label=ctx._("Global Privacy Control"), text=_gpc(ctx, signals.gpc)))
    if signals.dnt is not None:
        details.append(Detail(label=ctx._("Do Not Track"), text=_dnt(ctx, signals.dnt)))
    statement = ctx.paragraphs(signals.statement)
    if not details and not statement:
        return None
    return SignalsSection(
        id="signals",
        title=ctx._("Do Not Track and Global Privacy Control"),
        signals=tuple(details),
        statement=statement,
    )


def _gpc(ctx: NoticeContext, policy: str) -> str:
    if policy != "honour":
        return ctx._("We do not respond to this signal.")
    gpc = ctx._(
        "When your browser sends this signal, we treat it as your request to opt out of the "
        "sale and sharing of your personal information, for that browser and, if we know "
        "who you are, for you. You do not need to do anything else."
    )
    sells, shares = sells_or_shares(ctx)
    if not (sells or shares):
        gpc += " " + ctx._("We do not sell or share personal information in any case.")
    return gpc


def _dnt(ctx: NoticeContext, policy: str) -> str:
    if policy == "honour":
        return ctx._(
            "When your browser sends this signal, we treat it as a refusal of the optional "
            "cookies and tracking described in this notice."
        )
    dnt = ctx._("We do not respond to this signal.")
    if cookie_settings_channels(ctx):
        dnt += " " + ctx._("You can refuse optional cookies in our cookie settings instead.")
    return dnt
