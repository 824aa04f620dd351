"""The closing sections: children, security, the company's own sections, and changes."""

from __future__ import annotations

import datetime as dt

from pledge.notice.content_context import NoticeContext
from pledge.notice.content_model import (
    ChangesSection,
    ChildrenSection,
    Detail,
    ExtraSection,
    SecuritySection,
)
from pledge.notice.content_places import in_place
from pledge.notice.i18n import N_

NOTIFY = {
    "email": N_("by email"),
    "website": N_("with a notice on our website"),
    "account": N_("in your account"),
    "in_app": N_("in our app"),
}


def build_children(ctx: NoticeContext) -> ChildrenSection | None:
    children = ctx.declaration.children
    if children is None:
        return None
    statement = list(ctx.paragraphs(children.statement))
    age = children.minimum_age
    paragraphs: list[str] = []
    # The age is always said; a statement that already gives it is not repeated.
    if age is not None and not any(str(age) in p for p in statement):
        paragraphs.append(
            ctx._(
                "Our services are not meant for children under %(age)s, and we do not knowingly "
                "collect their personal information."
            )
            % {"age": age}
        )
        if not statement:
            paragraphs.append(_on_discovery(ctx, children.on_discovery))
    paragraphs += statement
    for code in ctx.jurisdictions:
        consent_age = ctx.profile(code).child_age
        if ctx.profile(code).regime != "ccpa" and (age is None or age < consent_age):
            paragraphs.append(
                ctx._(
                    "Where we rely on consent for an online service, children under %(age)s "
                    "%(place)s need the consent of a parent or guardian."
                )
                % {"age": consent_age, "place": in_place(ctx, code)}
            )
    if not paragraphs:
        return None
    return ChildrenSection(id="children", title=ctx._("Children"), paragraphs=tuple(paragraphs))


def _on_discovery(ctx: NoticeContext, action: str) -> str:
    if action == "delete":
        return ctx._("If we learn that we hold information about such a child, we delete it.")
    return ctx._(
        "If we learn that we hold information about such a child, we ask a parent or guardian "
        "for consent, and delete the information if we do not get it."
    )


def build_security(ctx: NoticeContext) -> SecuritySection | None:
    d = ctx.declaration
    measures = tuple(m for m in (ctx.t(text) for text in d.security) if m)
    specific = tuple(
        Detail(label=ctx.t(activity.name), text=" ".join(ctx.t(m) for m in activity.security))
        for activity in d.activities.values()
        if activity.security
    )
    if not measures and not specific:
        return None
    return SecuritySection(
        id="security",
        title=ctx._("How we protect your information"),
        intro=ctx._(
            "We protect your information with technical and organisational measures, including:"
        ),
        measures=measures,
        specific=specific,
    )


def build_extra(ctx: NoticeContext) -> list[ExtraSection]:
    return [
        ExtraSection(
            id=f"more-{key}", title=ctx.t(section.title), paragraphs=ctx.paragraphs(section.body)
        )
        for key, section in ctx.declaration.notice.extra_sections.items()
    ]


def build_changes(ctx: NoticeContext, last_updated: dt.date | None) -> ChangesSection:
    notice = ctx.declaration.notice
    paragraphs = list(ctx.paragraphs(notice.changes.statement))
    if not paragraphs:
        paragraphs.append(
            ctx._("We update this notice when the way we use personal information changes.")
        )
    if notice.changes.notify:
        ways = ctx.join(ctx._(NOTIFY[way]) for way in notice.changes.notify)
        paragraphs.append(
            ctx._("When we make an important change, we will tell you %(ways)s.") % {"ways": ways}
        )
    url = None
    if notice.url:
        href = ctx.web(notice.url)
        url = Detail(label=ctx._("The current version is always at"), text=notice.url, href=href)
    return ChangesSection(
        id="changes",
        title=ctx._("Changes to this notice"),
        paragraphs=tuple(paragraphs),
        url=url,
        last_updated=ctx._("Last updated: %(date)s") % {"date": ctx.language.date(last_updated)}
        if last_updated
        else "",
    )
