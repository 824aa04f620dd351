"""What we collect (by category, with its sources) and why (each activity and its legal basis)."""

from __future__ import annotations

from collections.abc import Iterable

from pledge.declaration.model import Activity
from pledge.notice.content_context import NoticeContext, lower_first, unique
from pledge.notice.content_model import (
    ActivityView,
    BasisView,
    CategoryGroup,
    CategoryItem,
    CollectSection,
    Detail,
    PurposesSection,
)
from pledge.notice.content_places import capitalise, in_places, laws_cited
from pledge.notice.content_retention import period_phrase
from pledge.notice.i18n import N_

# Taxonomy groups (the part of a category id before the dot), in reading order.
GROUPS = {
    "identity": N_("Identity"),
    "contact": N_("Contact details"),
    "account": N_("Your account"),
    "commercial": N_("Purchases and contracts"),
    "financial": N_("Payment and financial information"),
    "preferences": N_("Your preferences"),
    "communications": N_("Communications with us"),
    "online": N_("Online and device information"),
    "location": N_("Location"),
    "professional": N_("Work and career"),
    "education": N_("Education"),
    "audiovisual": N_("Images and recordings"),
    "personal_life": N_("Personal life"),
    "inference": N_("Inferences and profiles"),
    "children": N_("Children"),
    "special": N_("Special categories of data"),
    "criminal": N_("Criminal offence data"),
}
OTHER_GROUP = N_("Other information")

# `automatic` says how data is collected, not where: CCTV is as automatic as a cookie.
SOURCES = {
    "subject": N_("Directly from you"),
    "automatic": N_("Collected automatically"),
}

BASES = {
    "consent": N_("Your consent"),
    "contract": N_("Performing our contract with you"),
    "pre_contract": N_("Taking steps you ask for before entering into a contract with you"),
    "legal_obligation": N_("Complying with a legal obligation"),
    "vital_interests": N_("Protecting your life, or someone else's"),
    "public_task": N_("Carrying out a task in the public interest"),
    "legitimate_interests": N_("Our legitimate interests"),
    "express_consent": N_("Your express consent"),
    "implied_consent": N_("Your implied consent"),
}
GDPR_ARTICLES = {
    "consent": "6(1)(a)",
    "contract": "6(1)(b)",
    "pre_contract": "6(1)(b)",
    "legal_obligation": "6(1)(c)",
    "vital_interests": "6(1)(d)",
    "public_task": "6(1)(e)",
    "legitimate_interests": "6(1)(f)",
}
REQUIREMENTS = {
    "contractual": N_("Providing this information is a requirement of our contract with you."),
    "statutory": N_("The law requires you to provide this information."),
    "contract_precondition": N_("We need this information to enter into a contract with you."),
}


def used_categories(ctx: NoticeContext) -> list[str]:
    """Every category some activity uses, in the order the declaration first names them."""
    return unique(
        c for activity in ctx.declaration.activities.values() for c in activity.categories
    )


def source_labels(ctx: NoticeContext, origins: Iterable[str]) -> list[str]:
    labels = []
    for origin in unique(origins):
        if origin in SOURCES:
            labels.append(ctx._(SOURCES[origin]))
        else:
            labels.append(ctx.t(ctx.declaration.origins[origin].name))
    return labels


def _group_of(category: str) -> str:
    prefix = category.split(".", 1)[0] if "." in category else ""
    return prefix if prefix in GROUPS else ""


def build_collect(ctx: NoticeContext) -> CollectSection | None:
    d = ctx.declaration
    categories = used_categories(ctx)
    if not categories:
        return None
    by_group: dict[str, list[CategoryItem]] = {}
    for category in categories:
        found = [
            o for a in d.activities.values() if category in a.categories for o in a.collected_from
        ]
        item = CategoryItem(
            name=ctx.category_name(category),
            description=ctx.category_description(category),
            sources=tuple(source_labels(ctx, _ordered_origins(ctx, found))),
            special=ctx.category_flags(category)[0],
        )
        by_group.setdefault(_group_of(category), []).append(item)
    order = [*GROUPS, ""]
    groups = tuple(
        CategoryGroup(name=ctx._(GROUPS.get(key, OTHER_GROUP)), items=tuple(by_group[key]))
        for key in order
        if key in by_group
    )
    subjects = lower_first(ctx.join_nouns(ctx.t(s.name) for s in d.subjects.values()))
    named = unique(o for a in d.activities.values() for o in a.collected_from if o in d.origins)
    origins = tuple(
        Detail(label=ctx.t(d.origins[o].name), text=ctx.t(d.origins[o].description)) for o in named
    )
    return CollectSection(
        id="collect",
        title=ctx._("What information we collect"),
        subjects=ctx._("This notice covers information about: %(people)s.") % {"people": subjects},
        groups=groups,
        origins=origins,
        special_statement=_special_statement(ctx, categories),
    )


def _ordered_origins(ctx: NoticeContext, origins: list[str]) -> list[str]:
    # You first, then automatic collection, then named origins in declaration order.
    rank = {name: i for i, name in enumerate(["subject", "automatic", *ctx.declaration.origins])}
    return sorted(unique(origins), key=lambda o: rank.get(o, len(rank)))


def _special_statement(ctx: NoticeContext, categories: list[str]) -> str:
    special = [ctx.category_name(c) for c in categories if ctx.category_flags(c)[0]]
    if not special:
        return ctx._(
            "We do not collect special category data (such as information about your health, "
            "religion, ethnic origin or sex life) or information about criminal offences."
        )
    return ctx._(
        "Some of this information is special category data, which the law protects more "
        "strictly: %(categories)s. We use it only for the purposes set out below."
    ) % {"categories": ctx.join(special)}


# --- purposes -------------------------------------------------------------------------------


def build_purposes(ctx: NoticeContext) -> PurposesSection | None:
    d = ctx.declaration
    if not d.activities:
        return None
    views = tuple(_activity(ctx, key, activity) for key, activity in d.activities.items())
    statement = ""
    if not any(activity.automated_decisions for activity in d.activities.values()):
        statement = ctx._(
            "We do not make decisions about you based solely on automated processing, "
            "including profiling, that have legal or similarly significant effects on you."
        )
    return PurposesSection(
        id="purposes",
        title=ctx._("Why we use your information, and on what legal basis"),
        intro=ctx._(
            "We use your information only for the purposes below. For each one, the law "
            "requires us to have a legal basis; we give it in plain words, with the article of "
            "the law it comes from."
        )
        if _legal_basis_jurisdictions(ctx)
        else ctx._("We use your information only for the purposes below."),
        activities=views,
        automated_statement=statement,
    )


def _activity(ctx: NoticeContext, key: str, activity: Activity) -> ActivityView:
    d = ctx.declaration
    requirement = ctx._(REQUIREMENTS[activity.requirement]) if activity.requirement else ""
    if not requirement and _only_consent(activity):
        requirement = ctx._("Giving this information is up to you: you do not have to consent.")
    requirement = " ".join(part for part in (requirement, ctx.t(activity.consequences)) if part)
    marketing = ""
    if activity.direct_marketing:
        marketing = ctx._(
            "This is direct marketing: you can object to it at any time, free of charge, and "
            "we will stop."
        )
    retention = ctx.language.semicolons(
        period_phrase(ctx, rule, with_name=True) for rule in activity.retention
    )
    return ActivityView(
        id=f"purpose-{key}",
        name=ctx.t(activity.name),
        description=ctx.t(activity.description),
        subjects=ctx.join_nouns(ctx.t(d.subjects[s].name) for s in activity.subjects),
        data=ctx.category_names(activity.categories),
        sources=ctx.language.semicolons(
            source_labels(ctx, _ordered_origins(ctx, activity.collected_from))
        ),
        bases=_bases(ctx, activity),
        requirement=requirement,
        withdraw=ctx.channels(activity.withdraw),
        opt_out=ctx.channels(activity.opt_out),
        marketing=marketing,
        automated=ctx.t(activity.automated_decisions),
        recipients=ctx.language.semicolons(
            ctx.t(d.recipients[r].name) for r in activity.recipients
        ),
        retention=retention,
    )


def _only_consent(activity: Activity) -> bool:
    bases = {basis for listed in activity.legal_basis.values() for basis in listed}
    return bool(bases) and bases <= {"consent", "express_consent"}


def _legal_basis_jurisdictions(ctx: NoticeContext) -> list[str]:
    # California law does not ask for a legal basis; every other profile does.
    return [code for code in ctx.jurisdictions if ctx.profile(code).regime != "ccpa"]


def _bases(ctx: NoticeContext, activity: Activity) -> tuple[BasisView, ...]:
    codes = _legal_basis_jurisdictions(ctx)
    if not codes:
        return ()
    # Group the jurisdictions that share the same bases, so each set is said once.
    groups: dict[tuple[str, ...], list[str]] = {}
    for code in codes:
        listed = activity.legal_basis.get(code) or activity.legal_basis.get("*") or []
        if listed:
            groups.setdefault(tuple(listed), []).append(code)
    views: list[BasisView] = []
    for bases, group in groups.items():
        scope = capitalise(in_places(ctx, group)) if len(groups) > 1 else ""
        for basis in bases:
            views.append(
                BasisView(
                    scope=scope,
                    text=ctx._(BASES[basis]),
                    citation=_citation(ctx, basis, group),
                    explanation=_basis_explanation(ctx, activity, basis),
                )
            )
    return tuple(views)


def _citation(ctx: NoticeContext, basis: str, codes: list[str]) -> str:
    """Where the basis comes from: "UK GDPR and GDPR, Article 6(1)(b)", or the law's name."""
    gdpr_like = [c for c in codes if ctx.profile(c).regime in ("gdpr", "uk_gdpr")]
    others = [c for c in codes if c not in gdpr_like]
    parts = []
    if basis in GDPR_ARTICLES and gdpr_like:
        parts.append(
            ctx._("%(laws)s, Article %(article)s")
            % {"laws": laws_cited(ctx, gdpr_like), "article": GDPR_ARTICLES[basis]}
        )
    elif gdpr_like:
        others = codes
    if others:
        parts.append(laws_cited(ctx, others))
    return ctx.language.semicolons(parts)


def _basis_explanation(ctx: NoticeContext, activity: Activity, basis: str) -> str:
    if basis == "legitimate_interests":
        interest = ctx.t(activity.legitimate_interests)
        balance = ctx._(
            "We have weighed this interest against your rights and expectations. You can "
            "object to this use of your information."
        )
        return f"{interest} {balance}" if interest else balance
    if basis == "legal_obligation":
        return ctx.t(activity.legal_obligation)
    if basis in ("consent", "express_consent", "implied_consent"):
        return ctx._(
            "You can withdraw your consent at any time; this does not affect what we did "
            "with it before."
        )
    return ""
