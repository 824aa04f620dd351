"""The notice as the templates see it: frozen, ordered and already written in one language.

Every string here is final text for the reader (nothing left to translate or format), except
`href` and `id` fields, which are link targets and anchors. Each section class names the
template that renders it through `kind`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, kw_only=True)
class Detail:
    """One labelled value, e.g. "Email: privacy@example.com" with a mailto link."""

    label: str
    text: str = ""
    href: str | None = None
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class ContactCard:
    """A named party and how to reach it (the company, its DPO, a representative, an authority)."""

    title: str
    name: str = ""
    details: tuple[Detail, ...] = ()
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Section:
    id: str
    title: str
    kind: ClassVar[str] = ""


# --- who we are and what we collect --------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class WhoSection(Section):
    kind: ClassVar[str] = "who"
    controller: str
    description: tuple[str, ...] = ()
    contact: ContactCard
    registrations: tuple[Detail, ...] = ()
    dpo: ContactCard | None = None
    representatives: tuple[ContactCard, ...] = ()
    processor_note: str = ""


@dataclass(frozen=True, kw_only=True)
class CategoryItem:
    name: str
    description: str
    sources: tuple[str, ...]
    special: bool = False


@dataclass(frozen=True, kw_only=True)
class CategoryGroup:
    name: str
    items: tuple[CategoryItem, ...]


@dataclass(frozen=True, kw_only=True)
class CollectSection(Section):
    kind: ClassVar[str] = "collect"
    subjects: str
    groups: tuple[CategoryGroup, ...]
    origins: tuple[Detail, ...] = ()
    special_statement: str = ""


# --- purposes and legal bases -------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BasisView:
    """A legal basis in plain words; `scope` names the jurisdictions when bases differ."""

    scope: str
    text: str
    citation: str = ""
    explanation: str = ""


@dataclass(frozen=True, kw_only=True)
class ActivityView:
    id: str
    name: str
    description: str = ""
    subjects: str
    data: str
    sources: str
    bases: tuple[BasisView, ...]
    requirement: str = ""
    withdraw: tuple[Detail, ...] = ()
    opt_out: tuple[Detail, ...] = ()
    marketing: str = ""
    automated: str = ""
    recipients: str = ""
    retention: str = ""


@dataclass(frozen=True, kw_only=True)
class PurposesSection(Section):
    kind: ClassVar[str] = "purposes"
    intro: str
    activities: tuple[ActivityView, ...]
    automated_statement: str = ""


# --- retention ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RetentionView:
    name: str
    applies_to: str = ""
    period: str
    end: str


@dataclass(frozen=True, kw_only=True)
class RetentionSection(Section):
    kind: ClassVar[str] = "retention"
    intro: str
    rules: tuple[RetentionView, ...]
    maximum: str = ""
    afterwards: str = ""
    backups: str = ""  # what happens to erased data a backup brings back


# --- sharing and transfers ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RecipientView:
    name: str
    purpose: str = ""
    country: str = ""
    data: str = ""
    condition: str = ""


@dataclass(frozen=True, kw_only=True)
class RecipientGroup:
    title: str
    description: str
    recipients: tuple[RecipientView, ...]


@dataclass(frozen=True, kw_only=True)
class SharingSection(Section):
    kind: ClassVar[str] = "sharing"
    intro: str
    groups: tuple[RecipientGroup, ...]
    sale_statement: str
    sale_details: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class TransferView:
    recipient: str
    country: str
    safeguard: str


@dataclass(frozen=True, kw_only=True)
class TransfersSection(Section):
    kind: ClassVar[str] = "transfers"
    storage: str = ""
    allowed: str = ""
    statement: tuple[str, ...] = ()
    transfers: tuple[TransferView, ...] = ()
    copy_note: str = ""


# --- cookies and browser signals ----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CookieView:
    name: str
    provider: str
    purpose: str
    category: str
    lifetime: str
    party: str


@dataclass(frozen=True, kw_only=True)
class CookiesSection(Section):
    kind: ClassVar[str] = "cookies"
    intro: str
    cookies: tuple[CookieView, ...]
    consent: str = ""
    settings: tuple[Detail, ...] = ()
    browser: str = ""


@dataclass(frozen=True, kw_only=True)
class SignalsSection(Section):
    kind: ClassVar[str] = "signals"
    signals: tuple[Detail, ...]
    statement: tuple[str, ...] = ()


# --- rights -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RightView:
    id: str
    name: str
    explanation: str
    channels: tuple[Detail, ...] = ()
    deadline: str = ""
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class RightsGroup:
    """The rights one group of jurisdictions grants, and how to use them."""

    id: str
    title: str
    law: str
    rights: tuple[RightView, ...]
    channels: tuple[Detail, ...] = ()
    deadline: str = ""
    verification: str = ""
    fee: str = ""
    agents: str = ""


@dataclass(frozen=True, kw_only=True)
class RightsSection(Section):
    kind: ClassVar[str] = "rights"
    intro: str
    groups: tuple[RightsGroup, ...]
    elsewhere: str = ""
    elsewhere_href: str = ""


@dataclass(frozen=True, kw_only=True)
class ChildrenSection(Section):
    kind: ClassVar[str] = "children"
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class CcpaRow:
    letter: str
    title: str
    examples: str
    collected: bool
    collected_text: str
    ours: str = ""
    disclosed_to: str = ""


@dataclass(frozen=True, kw_only=True)
class CaliforniaSection(Section):
    kind: ClassVar[str] = "california"
    intro: str
    notice_at_collection: tuple[str, ...] = ()
    rows: tuple[CcpaRow, ...]
    sources: str
    purposes: str
    recipients: str
    sensitive: str
    sale_statement: str
    opt_out: tuple[Detail, ...] = ()
    rights: RightsGroup
    incentives: str = ""


# --- complaints, security, changes --------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ComplaintsSection(Section):
    kind: ClassVar[str] = "complaints"
    intro: str
    authorities: tuple[ContactCard, ...]


@dataclass(frozen=True, kw_only=True)
class SecuritySection(Section):
    kind: ClassVar[str] = "security"
    intro: str
    measures: tuple[str, ...]
    specific: tuple[Detail, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ExtraSection(Section):
    kind: ClassVar[str] = "extra"
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ChangesSection(Section):
    kind: ClassVar[str] = "changes"
    paragraphs: tuple[str, ...]
    url: Detail | None = None
    last_updated: str = ""


# --- the whole notice ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Notice:
    lang: str
    title: str
    organisation: str
    introduction: tuple[str, ...]
    last_updated: str = ""
    last_updated_iso: str = ""
    highlights: tuple[str, ...] = ()
    sections: tuple[Section, ...]
