"""What every section builder needs: the declaration, the language, and lookups in plain words.

`NoticeContext` resolves ids (categories, channels, jurisdictions) to reader-facing text and
turns addresses into safe link targets. Section builders receive one and return view-model
objects; none of them formats dates or picks translations by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote, urljoin, urlsplit

from pledge.declaration.jurisdictions import JurisdictionProfile, jurisdiction
from pledge.declaration.model import Channel, Declaration, RightRule, text
from pledge.declaration.taxonomy import builtin_categories
from pledge.notice.content_model import Detail
from pledge.notice.i18n import N_, Language

_WEB_SCHEMES = ("http", "https")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n")
# ASCII whitespace only: a no-break space (French typography) must survive.
_SPACES = re.compile(r"[ \t\r\n]+")

# Default labels for each kind of channel; a channel's own `name` replaces them.
CHANNEL_LABELS = {
    "email": N_("Email"),
    "web_form": N_("Online form"),
    "postal": N_("Post"),
    "phone": N_("Phone"),
    "toll_free": N_("Toll-free phone"),
    "account_settings": N_("Your account settings"),
    "unsubscribe_link": N_("The unsubscribe link in our emails"),
    "privacy_center": N_("Our privacy center"),
    "in_person": N_("In person"),
}


def mailto(address: str) -> str | None:
    """A mailto link for an address that looks like one, else None (never a broken link)."""
    address = address.strip()
    if not re.fullmatch(r"[^\s@<>\"']+@[^\s@<>\"']+", address):
        return None
    return "mailto:" + quote(address, safe="@.+-_")


def tel(number: str) -> str | None:
    """A tel: link with only the digits and a leading +, or None when there are no digits."""
    digits = re.sub(r"[^\d+]", "", number)
    return f"tel:{digits}" if re.fullmatch(r"\+?\d{3,}", digits) else None


def web_link(address: str, base: str | None) -> str | None:
    """An http(s) link, with paths resolved against the company's site; None for any other
    scheme (javascript:, data:, ...), which must never become a link in a public page."""
    address = address.strip()
    parts = urlsplit(address)
    if parts.scheme:
        return address if parts.scheme.lower() in _WEB_SCHEMES and parts.netloc else None
    if address.startswith("//"):
        return None
    return urljoin(base, address) if base else address


@dataclass(frozen=True)
class NoticeContext:
    declaration: Declaration
    language: Language

    # --- words ---------------------------------------------------------------------------

    @property
    def lang(self) -> str:
        return self.language.code

    def _(self, message: str) -> str:
        """Translate one message id (the English text)."""
        return self.language.gettext(message)

    def t(self, value: dict[str, str] | None) -> str:
        """A declaration text in the notice's language."""
        return squash(text(value, self.lang)) if value else ""

    def paragraphs(self, value: dict[str, str] | None) -> tuple[str, ...]:
        """A declaration text split at blank lines, each paragraph on one line."""
        raw = text(value, self.lang) if value else ""
        found = (squash(part) for part in _PARAGRAPH_BREAK.split(raw))
        return tuple(part for part in found if part)

    def join(self, items: Iterable[str]) -> str:
        return self.language.join(list(items))

    def join_nouns(self, items: Iterable[str]) -> str:
        """A list of common nouns as a phrase: "Name, email address and IP address"."""
        listed = list(items)
        return self.join([listed[0], *(lower_first(item) for item in listed[1:])] if listed else [])

    def country(self, code: str) -> str:
        return self.language.country(code)

    # --- categories ----------------------------------------------------------------------

    def category_name(self, category: str) -> str:
        custom = self.declaration.categories.get(category)
        if custom is not None:
            return self.t(custom.name)
        builtin = builtin_categories().get(category)
        return text(builtin.name, self.lang) if builtin else category

    def category_description(self, category: str) -> str:
        custom = self.declaration.categories.get(category)
        if custom is not None:
            return self.t(custom.description)
        builtin = builtin_categories().get(category)
        return text(builtin.description, self.lang) if builtin else ""

    def category_ccpa(self, category: str) -> str | None:
        custom = self.declaration.categories.get(category)
        if custom is not None:
            return custom.ccpa
        builtin = builtin_categories().get(category)
        return builtin.ccpa if builtin else None

    def category_flags(self, category: str) -> tuple[bool, bool]:
        """(special under the GDPR, sensitive under the CPRA)."""
        custom = self.declaration.categories.get(category)
        if custom is not None:
            return custom.special, custom.sensitive
        builtin = builtin_categories().get(category)
        return (builtin.special, builtin.sensitive) if builtin else (False, False)

    def category_names(self, categories: Iterable[str]) -> str:
        return self.join_nouns(unique(self.category_name(c) for c in categories))

    @cached_property
    def offered(self) -> dict[str, RightRule]:
        """The declared rules per right, keyed by plain strings for lookups by right id."""
        return {str(right): rule for right, rule in self.declaration.rights.offered.items()}

    # --- jurisdictions -------------------------------------------------------------------

    @cached_property
    def jurisdictions(self) -> tuple[str, ...]:
        return tuple(unique(self.declaration.organisation.jurisdictions))

    def profile(self, code: str) -> JurisdictionProfile:
        return jurisdiction(code)

    def jurisdiction_name(self, code: str) -> str:
        return text(jurisdiction(code).name, self.lang)

    # --- links and channels --------------------------------------------------------------

    @cached_property
    def site(self) -> str | None:
        """The base that relative addresses (e.g. /privacy/requests) resolve against."""
        organisation = self.declaration.organisation
        base = organisation.website or self.declaration.notice.url
        if base and web_link(base, None) is not None:
            return base
        return None

    def web(self, address: str) -> str | None:
        return web_link(address, self.site)

    def channel(self, name: str) -> Detail:
        """A declared channel as the reader uses it: a label, what to type or click, a link."""
        channel = self.declaration.channels[name]
        label = self.t(channel.name) or self._(CHANNEL_LABELS[channel.kind])
        return self._channel_detail(channel, label)

    def _channel_detail(self, channel: Channel, label: str) -> Detail:
        note = self.t(channel.note)
        address = (channel.address or "").strip()
        if not address:
            return Detail(label=label, note=note)
        if channel.kind == "email":
            href = mailto(address)
        elif channel.kind in ("phone", "toll_free"):
            href = tel(address)
        elif channel.kind in ("postal", "in_person"):
            href = None
        else:
            href = self.web(address)
            address = href or address
        return Detail(label=label, text=address, href=href, note=note)

    def channels(self, names: Iterable[str]) -> tuple[Detail, ...]:
        return tuple(self.channel(name) for name in unique(names))


def squash(value: str) -> str:
    """Runs of spaces and line breaks as one space, no space at either end."""
    return _SPACES.sub(" ", value).strip()


def lower_first(phrase: str) -> str:
    """Lower-case the first letter of a common noun: "Email address" but not "IP address"."""
    return phrase[:1].lower() + phrase[1:] if phrase[1:2].islower() else phrase


def unique(items: Iterable[str]) -> list[str]:
    """The items in first-seen order without repeats."""
    return list(dict.fromkeys(items))
