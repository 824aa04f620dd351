"""How long we keep information: each rule's period and trigger event in plain words."""

from __future__ import annotations

from pledge.declaration.model import RetentionRule
from pledge.notice.content_context import NoticeContext, lower_first, unique
from pledge.notice.content_model import RetentionSection, RetentionView
from pledge.notice.i18n import N_

# "<duration> <from the event>", for a rule with a period.
FROM_EVENT = {
    "collected": N_("%(duration)s from when we collected it"),
    "last_contact": N_("%(duration)s from your last contact with us"),
    "application": N_("%(duration)s from the date of your application"),
    "recorded": N_("%(duration)s from when it was recorded"),
    "issued": N_("%(duration)s from the date of the invoice"),
    "contract_end": N_("%(duration)s from the end of our contract with you"),
    "relationship_end": N_("%(duration)s from the end of our relationship with you"),
    "account_closed": N_("%(duration)s from when you close your account"),
    "request_resolved": N_("%(duration)s from when we close your request"),
    "consent_withdrawn": N_("%(duration)s after you withdraw your consent"),
    "objection": N_("%(duration)s after you object"),
}
# "until <the event>", for a rule with no period (or a period of zero).
UNTIL_EVENT = {
    "collected": N_("Only while we use it, then not kept"),
    "last_contact": N_("Until our last contact with you"),
    "application": N_("Until we have decided on your application"),
    "recorded": N_("Only while we use it, then not kept"),
    "issued": N_("Until the invoice is issued"),
    "contract_end": N_("Until the end of our contract with you"),
    "relationship_end": N_("Until the end of our relationship with you"),
    "account_closed": N_("Until you close your account"),
    "request_resolved": N_("Until we have dealt with your request"),
    "consent_withdrawn": N_("Until you withdraw your consent"),
    "objection": N_("Until you object"),
}
ACTIONS = {
    "delete": N_("Deleted"),
    "anonymise": N_("Anonymised, so that it no longer identifies you"),
}


def build_retention(ctx: NoticeContext) -> RetentionSection | None:
    d = ctx.declaration
    if not d.retention:
        return None
    rules = tuple(
        RetentionView(
            name=ctx.t(rule.name),
            applies_to=ctx.category_names(_categories(ctx, key, rule)),
            period=period_phrase(ctx, key),
            end=ctx._(ACTIONS[rule.action]),
        )
        for key, rule in d.retention.items()
    )
    maximum = ""
    if d.notice.maximum_retention is not None:
        maximum = ctx._(
            "We never keep personal information for longer than %(duration)s from the event "
            "that starts its retention period."
        ) % {"duration": d.notice.maximum_retention.describe(ctx.lang)}
    return RetentionSection(
        id="retention",
        title=ctx._("How long we keep your information"),
        intro=ctx._(
            "We keep your information only for as long as we need it. Each kind of record has "
            "its own period, counted from the event shown."
        ),
        rules=rules,
        maximum=maximum,
        afterwards=_afterwards(ctx),
        backups=_backups(ctx),
    )


def _afterwards(ctx: NoticeContext) -> str:
    """What happens at the end of a period: the actions the rules declare, nothing more.

    Periods the law imposes are stated with their rule ("because the ... requires it"); other
    holds (for a legal claim, say) cannot be declared, so the notice does not announce them.
    """
    actions = {rule.action for rule in ctx.declaration.retention.values()}
    if actions == {"delete"}:
        return ctx._("At the end of a period we delete the information.")
    if actions == {"anonymise"}:
        return ctx._(
            "At the end of a period we anonymise the information, so that it can no longer "
            "identify you."
        )
    return ctx._(
        "At the end of a period we delete the information, or anonymise it so that it can "
        "no longer identify you."
    )


def _backups(ctx: NoticeContext) -> str:
    """Said only when Pledge erases in the company's databases (declared sources): each
    erasure is journaled there, and `pledge replay-erasures` re-applies the journal to a
    restored backup before it is used again."""
    if not ctx.declaration.sources:
        return ""
    return ctx._(
        "If we have to restore our systems from a backup, the restored information is kept "
        "apart until everything we had deleted or anonymised, at the end of its period or at "
        "your request, has been deleted or anonymised again."
    )


def _categories(ctx: NoticeContext, key: str, rule: RetentionRule) -> list[str]:
    if rule.categories:
        return rule.categories
    # No explicit list: the rule covers the data of the activities that use it.
    users = [a for a in ctx.declaration.activities.values() if key in a.retention]
    return unique(c for activity in users for c in activity.categories)


def period_phrase(ctx: NoticeContext, key: str, *, with_name: bool = False) -> str:
    """A rule's period in words ("3 years from your last contact with us"), with its law."""
    rule = ctx.declaration.retention[key]
    phrase = _base_period(ctx, key, rule)
    if rule.required_by:
        phrase = ctx._("%(period)s, because the %(law)s requires it") % {
            "period": phrase,
            "law": ctx.t(rule.required_by),
        }
    if rule.ends_on_objection and not _ends_by_objecting(ctx, key, rule):
        phrase = ctx._("%(period)s, unless you object") % {"period": phrase}
    if rule.archive is not None and rule.archive.amount > 0:
        phrase = ctx._(
            "%(period)s; then %(archive)s more in a separate archive, which only our staff in "
            "charge of legal matters can open, before it is deleted"
        ) % {"period": phrase, "archive": rule.archive.describe(ctx.lang)}
    if with_name:
        return ctx._("%(name)s: %(period)s") % {
            "name": ctx.t(rule.name),
            "period": lower_first(phrase),
        }
    return phrase


def _base_period(ctx: NoticeContext, key: str, rule: RetentionRule) -> str:
    criteria = ctx.t(rule.criteria)
    has_period = rule.duration is not None and rule.duration.amount > 0
    if rule.trigger is None:
        if rule.duration is not None:
            period = rule.duration.describe(ctx.lang)
            return f"{period}. {criteria}" if criteria else period
        return criteria or ctx._("For as long as we need it for this purpose")
    if has_period and rule.duration is not None:
        phrase = ctx._(FROM_EVENT[rule.trigger]) % {"duration": rule.duration.describe(ctx.lang)}
    elif _ends_by_objecting(ctx, key, rule) and _only_marketing(ctx, key):
        phrase = ctx._("Until you unsubscribe")
    elif rule.trigger == "consent_withdrawn" and rule.ends_on_objection:
        phrase = ctx._("Until you withdraw your consent or object")
    else:
        phrase = ctx._(UNTIL_EVENT[rule.trigger])
    return f"{phrase}. {criteria}" if criteria else phrase


def _ends_by_objecting(ctx: NoticeContext, key: str, rule: RetentionRule) -> bool:
    # Kept until the person withdraws or objects: "unless you object" would say it twice.
    zero = rule.duration is None or rule.duration.amount == 0
    return zero and rule.trigger in ("consent_withdrawn", "objection")


def _only_marketing(ctx: NoticeContext, key: str) -> bool:
    users = [a for a in ctx.declaration.activities.values() if key in a.retention]
    return bool(users) and all(a.direct_marketing for a in users)
