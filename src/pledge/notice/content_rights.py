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
from pledge.notice.content_rights_words import CCPA_RIGHTS, NO_VERIFICATION, RIGHTS

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


def rights_group(ctx: NoticeContext, codes: list[str], *, group_id: str) -> RightsGroup:
    """The rights that the jurisdictions `codes` (which share one profile shape) grant."""
    d = ctx.declaration
    profile = ctx.profile(codes[0])
    ccpa = profile.regime == "ccpa"
    granted: list[str] = list(profile.rights)
    granted += [r for r in ctx.offered if r not in granted and (r in CCPA_RIGHTS) == ccpa]
    deadlines = {r: _deadline(ctx, profile, r) for r in granted}
    common = Counter(v for v in deadlines.values() if v is not None).most_common(1)
    group_deadline = common[0][0] if common else None
    rights = tuple(_right(ctx, right, deadlines[right], group_deadline) for right in granted)
    return RightsGroup(
        id=group_id,
        title=ctx._("If you are %(places)s") % {"places": in_places(ctx, codes)},
        law=ctx.language.semicolons(unique(text(ctx.profile(c).law, ctx.lang) for c in codes)),
        rights=rights,
        channels=default_channels(ctx),
        deadline=_deadline_sentence(ctx, profile, group_deadline),
        verification=_verification(ctx, granted),
        fee=ctx.t(d.rights.fee) or ctx._("Using your rights is free of charge."),
        agents=_agents(ctx, ccpa),
    )


def _deadline(ctx: NoticeContext, profile: JurisdictionProfile, right: str) -> Duration | None:
    rule = ctx.offered.get(right)
    if rule is not None and rule.deadline is not None:
        return rule.deadline
    return profile.deadlines.for_request(right)


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
    verification = ctx.declaration.rights.verification
    described = ctx.t(verification.description)
    if not described:
        described = ctx._(
            "To protect your information, we first check that a request comes from you: we send "
            "a one-time code to the email address we hold for you."
        )
        if verification.access_match:
            described += " " + ctx._(
                "For a copy of your information, we also ask you to confirm your %(data)s."
            ) % {"data": lower_first(ctx.category_names(verification.access_match))}
    if any(right in NO_VERIFICATION for right in granted):
        described += " " + ctx._(
            "We do not ask you to prove who you are to opt out of sale or sharing, or to limit "
            "the use of sensitive information."
        )
    return described


def _agents(ctx: NoticeContext, ccpa: bool) -> str:
    agents = ctx.declaration.rights.agents
    if agents is None:
        if not ccpa:
            return ""
        return ctx._(
            "You can use an authorised agent to make a request for you. We will ask for your "
            "signed permission, and may ask you to confirm your identity with us directly."
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
    if not codes:
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
    views = tuple(
        rights_group(ctx, group, group_id="rights-" + "-".join(group)) for group in groups.values()
    )
    california = "us-ca" in ctx.jurisdictions
    return RightsSection(
        id="rights",
        title=ctx._("Your rights"),
        intro=ctx._(
            "You have rights over your personal information. They depend on where you live; "
            "each one is explained below, with how to use it."
        ),
        groups=views,
        elsewhere=ctx._(
            "If you live in California, your rights are set out in “Your California privacy "
            "rights”."
        )
        if california
        else "",
        elsewhere_href="#california" if california else "",
    )
