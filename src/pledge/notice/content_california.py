"""The California section: the CCPA categories table, sale and sharing, and consumer rights.

Which of the categories A to K are "collected" follows from the declaration alone: a letter
is collected when an activity uses a category that the taxonomy (or the declaration's own
category) files under it.
"""

from __future__ import annotations

from dataclasses import replace

from pledge.declaration.model import text
from pledge.declaration.taxonomy import ccpa_categories
from pledge.notice.content_collect import source_labels, used_categories
from pledge.notice.content_context import NoticeContext, unique
from pledge.notice.content_model import CaliforniaSection, CcpaRow, Detail, RightsGroup
from pledge.notice.content_rights import rights_group
from pledge.notice.content_sharing import KINDS, sale_share_statement, sells_or_shares

CALIFORNIA = "us-ca"


def build_california(ctx: NoticeContext) -> CaliforniaSection | None:
    if CALIFORNIA not in ctx.jurisdictions:
        return None
    d = ctx.declaration
    california = d.california
    sells, shares = sells_or_shares(ctx)
    opt_out: tuple[Detail, ...] = ()
    if sells or shares:
        rule = ctx.offered.get("opt_out_sale_share")
        opt_out = ctx.channels(rule.channels if rule and rule.channels else d.rights.channels)
    origins = unique(o for a in d.activities.values() for o in a.collected_from)
    kinds = unique(r.kind for r in d.recipients.values())
    return CaliforniaSection(
        id="california",
        title=ctx._("Your California privacy rights"),
        intro=ctx._(
            "This section applies if you live in California. It gives the information required "
            "by the %(law)s, and explains your rights under it."
        )
        % {"law": text(ctx.profile(CALIFORNIA).law, ctx.lang)},
        notice_at_collection=ctx.paragraphs(california.notice_at_collection) if california else (),
        rows=_rows(ctx),
        sources=ctx.language.semicolons(source_labels(ctx, origins)),
        purposes=ctx.language.semicolons(ctx.t(a.name) for a in d.activities.values()),
        recipients=ctx.join_nouns(ctx._(KINDS[kind][0]) for kind in kinds),
        sensitive=_sensitive(ctx),
        sale_statement=sale_share_statement(ctx),
        opt_out=opt_out,
        rights=_rights(ctx),
        incentives=ctx.t(california.financial_incentives) if california else "",
    )


def _rights(ctx: NoticeContext) -> RightsGroup:
    group = rights_group(ctx, [CALIFORNIA], group_id="rights-us-ca")
    # The Shine the Light right comes with what we actually disclose for others' marketing.
    rights = tuple(
        replace(r, note=" ".join(p for p in (_shine_the_light(ctx), r.note) if p))
        if r.id == "shine_the_light"
        else r
        for r in group.rights
    )
    return replace(group, title=ctx._("Your rights under California law"), rights=rights)


def _rows(ctx: NoticeContext) -> tuple[CcpaRow, ...]:
    d = ctx.declaration
    used = used_categories(ctx)
    rows = []
    for letter, category in ccpa_categories().items():
        ours = [c for c in used if ctx.category_ccpa(c) == letter]
        disclosed = unique(
            ctx._(KINDS[r.kind][0])
            for r in d.recipients.values()
            if any(ctx.category_ccpa(c) == letter for c in r.categories)
        )
        rows.append(
            CcpaRow(
                letter=letter,
                title=text(category.title, ctx.lang),
                examples=text(category.description, ctx.lang),
                collected=bool(ours),
                collected_text=ctx._("Yes") if ours else ctx._("No"),
                ours=ctx.category_names(ours),
                disclosed_to=ctx.join_nouns(disclosed),
            )
        )
    return tuple(rows)


def _sensitive(ctx: NoticeContext) -> str:
    sensitive = [c for c in used_categories(ctx) if ctx.category_flags(c)[1]]
    if not sensitive:
        return ctx._("We do not collect sensitive personal information.")
    return ctx._(
        "We collect these kinds of sensitive personal information: %(categories)s. We use them "
        "only for the purposes described in this notice."
    ) % {"categories": ctx.category_names(sensitive)}


def _shine_the_light(ctx: NoticeContext) -> str:
    d = ctx.declaration
    if d.california and d.california.shine_the_light:
        return ctx.t(d.california.shine_the_light)
    if any(r.third_party_marketing for r in d.recipients.values()):
        return ctx._(
            "We disclose personal information to third parties for their own direct marketing. "
            "Once a year, free of charge, you can ask us what we disclosed and to whom."
        )
    return ctx._(
        "We do not disclose personal information to third parties for their own direct marketing."
    )
