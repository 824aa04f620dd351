"""Your rights, per group of jurisdictions: what each allows, how to use it, and when we answer."""

from __future__ import annotations

from collections import Counter

from pledge.declaration.durations import Duration, parse_duration
from pledge.declaration.jurisdictions import JurisdictionProfile
from pledge.declaration.model import text
from pledge.notice.content_context import NoticeContext, lower_first, mailto, tel, unique
from pledge.notice.content_model import (
    Detail,
    RightsGroup,
    RightsSection,
    RightView,
)
from pledge.notice.content_places import in_places
from pledge.notice.content_rights_words import NO_VERIFICATION, RIGHTS

_NUMBERS = {
    "en": ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    "fr": ("un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"),
}


def duration_words(ctx: NoticeContext, duration: Duration) -> str:
    """Small numbers in words, as running text has them: "one month", "two months", "45 days"."""
    words = duration.describe(ctx.lang)
    numbers = _NUMBERS.get(ctx.lang)
    if not numbers or not 1 <= duration.amount <= len(numbers):
        return words
    number = numbers[duration.amount - 1]
    if ctx.lang == "fr" and duration.amount == 1 and duration.unit == "week":
        number = "une"
    return words.replace(str(duration.amount), number, 1)


# --- rights groups --------------------------------------------------------------------------

# Regimes whose law makes using the rights free of charge (GDPR and UK GDPR Art. 12(5); the
# CCPA, Cal. Civ. Code 1798.130(a)(2)). PIPEDA allows a "minimal" cost (principle 4.9.4) and
# the FADP a fee in some cases, so for them the notice says what the declaration says, or
# nothing. The jurisdiction profiles have no field for this yet.
FREE_BY_LAW = frozenset({"uk_gdpr", "gdpr", "ccpa"})
OTHER_GROUP = "rights-other"


def granted_by(ctx: NoticeContext, right: str) -> list[str]:
    """The declared jurisdictions whose profile grants `right`."""
    return [code for code in ctx.jurisdictions if right in ctx.profile(code).rights]


def other_rights(ctx: NoticeContext) -> list[str]:
    """Rights the declaration offers that no declared jurisdiction's law grants."""
    return [right for right in ctx.offered if not granted_by(ctx, right)]


def free_by_law(ctx: NoticeContext, codes: list[str]) -> bool:
    return bool(codes) and all(ctx.profile(code).regime in FREE_BY_LAW for code in codes)


def rights_group(ctx: NoticeContext, codes: list[str], *, group_id: str) -> RightsGroup:
    """The rights that the jurisdictions `codes` (which share one profile shape) grant.

    Only the rights their law grants: a right the company offers under another law is listed
    under that law's group, or with the "other rights" when no declared law grants it.
    """
    d = ctx.declaration
    profile = ctx.profile(codes[0])
    ccpa = profile.regime == "ccpa"
    granted: list[str] = list(profile.rights)
    deadlines = {r: _deadline(ctx, profile, r) for r in granted}
    common = Counter(v for v in deadlines.values() if v is not None).most_common(1)
    group_deadline = common[0][0] if common else None
    rights = tuple(_right(ctx, right, deadlines[right], group_deadline) for right in granted)
    free = free_by_law(ctx, codes)
    return RightsGroup(
        id=group_id,
        title=ctx._("If you are %(places)s") % {"places": in_places(ctx, codes)},
        law=ctx.language.semicolons(unique(text(ctx.profile(c).law, ctx.lang) for c in codes)),
        rights=rights,
        channels=default_channels(ctx),
        deadline=_deadline_sentence(ctx, profile, group_deadline),
        verification=_verification(ctx, granted),
        fee=ctx.t(d.rights.fee) or (ctx._("Using your rights is free of charge.") if free else ""),
        agents=_agents(ctx, ccpa),
    )


def other_rights_group(ctx: NoticeContext) -> RightsGroup | None:
    """The offered rights no declared law grants, with only what the declaration says of them."""
    others = other_rights(ctx)
    if not others:
        return None
    d = ctx.declaration
    rights = tuple(_right(ctx, right, _deadline(ctx, None, right), None) for right in others)
    return RightsGroup(
        id=OTHER_GROUP,
        title=ctx._("Other rights we offer"),
        law="",
        rights=rights,
        channels=default_channels(ctx),
        verification=_verification(ctx, []),
        fee=ctx.t(d.rights.fee),
        agents=_agents(ctx, False),
    )


def _deadline(
    ctx: NoticeContext, profile: JurisdictionProfile | None, right: str
) -> Duration | None:
    rule = ctx.offered.get(right)
    if rule is not None and rule.deadline is not None:
        return rule.deadline
    return profile.deadlines.for_request(right) if profile is not None else None


def _right(
    ctx: NoticeContext, right: str, deadline: Duration | None, usual: Duration | None
) -> RightView:
    d = ctx.declaration
    name, explanation = RIGHTS[right]
    rule = ctx.offered.get(right)
    channels: list[str] = list(rule.channels) if rule is not None else []
    if right == "withdraw_consent":
        channels += [c for a in d.activities.values() for c in a.withdraw]
    elif right == "objection":
        channels += [c for a in d.activities.values() for c in a.opt_out]
    if rule is None or not rule.channels:
        # Direct ways (unsubscribe, settings) only; the usual channels are listed once below.
        channels = [c for c in channels if c not in d.rights.channels]
    when = ""
    if deadline is not None and deadline != usual:
        when = ctx._("We act on this request within %(deadline)s.") % {
            "deadline": duration_words(ctx, deadline)
        }
    elif right == "withdraw_consent" and deadline is None:
        when = ctx._("It takes effect as soon as we receive it.")
    return RightView(
        id=right,
        name=ctx._(name),
        explanation=ctx._(explanation),
        channels=ctx.channels(channels),
        deadline=when,
        note=ctx.t(rule.note) if rule is not None else "",
    )


def default_channels(ctx: NoticeContext) -> tuple[Detail, ...]:
    """The channels for every right, or the company's own contact details when none is named."""
    d = ctx.declaration
    if d.rights.channels:
        return ctx.channels(d.rights.channels)
    return organisation_details(ctx)


def organisation_details(ctx: NoticeContext) -> tuple[Detail, ...]:
    o = ctx.declaration.organisation
    details = []
    if o.email:
        details.append(Detail(label=ctx._("Email"), text=o.email, href=mailto(o.email)))
    if o.phone:
        details.append(Detail(label=ctx._("Phone"), text=o.phone, href=tel(o.phone)))
    if o.address:
        details.append(Detail(label=ctx._("Post"), text=ctx.t(o.address)))
    return tuple(details)


def _deadline_sentence(
    ctx: NoticeContext, profile: JurisdictionProfile, usual: Duration | None
) -> str:
    if usual is None:
        return ""
    deadline = duration_words(ctx, usual)
    sentence = ctx._("We answer within %(deadline)s of receiving your request.") % {
        "deadline": deadline
    }
    extension = profile.deadlines.extension
    if extension:
        sentence += " " + ctx._(
            "If a request is complex, or you send us several, we may take up to %(extension)s "
            "more; we will then tell you why within %(deadline)s of receiving it."
        ) % {"extension": duration_words(ctx, parse_duration(extension)), "deadline": deadline}
    acknowledge = profile.deadlines.acknowledge
    if acknowledge:
        sentence = (
            ctx._("We confirm receipt of your request within %(acknowledge)s.")
            % {"acknowledge": duration_words(ctx, parse_duration(acknowledge))}
            + " "
            + sentence
        )
    return sentence


def _verification(ctx: NoticeContext, granted: list[str]) -> str:
    """How identity is checked, only as declared; plus what the law forbids checking."""
    verification = ctx.declaration.rights.verification
    parts: list[str] = []
    if verification is not None:
        described = ctx.t(verification.description)
        if not described:
            described = ctx._(
                "To protect your information, we first check that a request comes from you: we "
                "send a one-time code to the email address we hold for you."
            )
            if verification.access_match:
                described += " " + ctx._(
                    "For a copy of your information, we also ask you to confirm your %(data)s."
                ) % {"data": lower_first(ctx.category_names(verification.access_match))}
        parts.append(described)
    if any(right in NO_VERIFICATION for right in granted):
        # A legal fact, not a company practice (the us-ca profile's note: opt-outs need no
        # verification; 11 CCR 7026 and 7027).
        parts.append(
            ctx._(
                "We do not ask you to prove who you are to opt out of sale or sharing, or to "
                "limit the use of sensitive information."
            )
        )
    return " ".join(parts)


def _agents(ctx: NoticeContext, ccpa: bool) -> str:
    agents = ctx.declaration.rights.agents
    if agents is None:
        if not ccpa:
            return ""
        # What the CCPA grants and allows (11 CCR 7063), not a practice the company declared.
        return ctx._(
            "You can use an authorised agent to make a request for you. The law lets us ask "
            "for your signed permission, and ask you to confirm your identity with us directly."
        )
    if not agents.allowed:
        return ctx._(
            "We accept requests from you, or from someone with legal authority to act for you."
        )
    sentence = ctx._(
        "You can ask someone else, such as an authorised agent, to make a request for you."
    )
    proof = ctx.t(agents.proof)
    return f"{sentence} {proof}" if proof else sentence


def build_rights(ctx: NoticeContext) -> RightsSection | None:
    codes = [c for c in ctx.jurisdictions if ctx.profile(c).regime != "ccpa"]
    other = other_rights_group(ctx)
    if not codes and other is None:
        return None
    groups: dict[tuple[object, ...], list[str]] = {}
    for code in codes:
        profile = ctx.profile(code)
        shape = (
            profile.rights,
            tuple(profile.deadlines.respond.items()),
            profile.deadlines.extension,
        )
        groups.setdefault(shape, []).append(code)
    views = [
        rights_group(ctx, group, group_id="rights-" + "-".join(group)) for group in groups.values()
    ]
    if other is not None:
        views.append(other)
    california = "us-ca" in ctx.jurisdictions
    return RightsSection(
        id="rights",
        title=ctx._("Your rights"),
        intro=ctx._(
            "You have rights over your personal information. They depend on where you live; "
            "each one is explained below, with how to use it."
        ),
        groups=tuple(views),
        elsewhere=ctx._(
            "If you live in California, your rights are set out in “Your California privacy "
            "rights”."
        )
        if california
        else "",
        elsewhere_href="#california" if california else "",
    )
