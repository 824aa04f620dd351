"""The declaration: everything Pledge knows about a company's processing, in one model."""

from __future__ import annotations

from typing import Literal

from pledge.declaration.model.common import LANGUAGES, Language, Strict, Text, text
from pledge.declaration.model.organisation import (
    Authority,
    ChangePolicy,
    Contact,
    ExtraSection,
    NoticeSettings,
    Organisation,
    Registration,
)
from pledge.declaration.model.processing import (
    BASES,
    TRIGGERS,
    Activity,
    Category,
    Origin,
    Recipient,
    RetentionRule,
    Subject,
    TransferPolicy,
)
from pledge.declaration.model.rights import (
    RIGHTS,
    California,
    Channel,
    Children,
    Cookie,
    RightRule,
    Rights,
    Signals,
)
from pledge.declaration.model.sources import Column, Link, Source, Table


class Declaration(Strict):
    """The root of pledge.yaml."""

    pledge: Literal[1]
    organisation: Organisation
    categories: dict[str, Category] = {}
    subjects: dict[str, Subject]
    origins: dict[str, Origin] = {}
    activities: dict[str, Activity]
    retention: dict[str, RetentionRule] = {}
    recipients: dict[str, Recipient] = {}
    transfers: TransferPolicy | None = None
    channels: dict[str, Channel] = {}
    rights: Rights = Rights()
    children: Children | None = None
    signals: Signals = Signals()
    california: California | None = None
    cookies: dict[str, Cookie] = {}
    security: list[Text] = []
    sources: dict[str, Source] = {}
    notice: NoticeSettings = NoticeSettings()


__all__ = [
    "BASES",
    "LANGUAGES",
    "RIGHTS",
    "TRIGGERS",
    "Activity",
    "Authority",
    "California",
    "Category",
    "ChangePolicy",
    "Channel",
    "Children",
    "Column",
    "Contact",
    "Cookie",
    "Declaration",
    "ExtraSection",
    "Language",
    "Link",
    "NoticeSettings",
    "Organisation",
    "Origin",
    "Recipient",
    "Registration",
    "RetentionRule",
    "RightRule",
    "Rights",
    "Signals",
    "Source",
    "Subject",
    "Table",
    "TransferPolicy",
    "text",
]
