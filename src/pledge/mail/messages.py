"""The mails a person gets about their request, in their language, as text and HTML.

Every message has a plain text part (some people read mail as text only) and an HTML
alternative, both from Jinja2 templates under templates/<lang>/. HTML templates escape
what they are given; text templates do not, as nothing renders them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from types import MappingProxyType

from babel.dates import format_date
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from pledge.declaration.jurisdictions import UnknownJurisdiction, jurisdiction
from pledge.declaration.model import Declaration, text
from pledge.rights.deadlines import local_day
from pledge.rights.types import DESCRIPTIONS, needs_identity
from pledge.store.tables import RequestRow

LANGUAGES = ("en", "fr")

_FRENCH_DESCRIPTIONS: MappingProxyType[str, str] = MappingProxyType(
    {
        "access": "demande d'accès",
        "know": "demande d'information (droit de savoir)",
        "portability": "demande de portabilité",
        "erasure": "demande d'effacement",
        "delete": "demande de suppression",
        "rectification": "demande de rectification",
        "correct": "demande de correction",
        "correction": "demande de correction",
        "restriction": "demande de limitation du traitement",
        "objection": "opposition",
        "withdraw_consent": "retrait du consentement",
        "opt_out_sale_share": "demande d'opposition à la vente et au partage",
    }
)

_ENVIRONMENT = Environment(
    loader=PackageLoader("pledge.mail", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Complaint:
    """Where a person can complain about how their request was handled."""

    name: str
    website: str | None
    address: str | None
    email: str | None


def acknowledgement_message(
    declaration: Declaration, request: RequestRow, *, lang: str, sender: str
) -> EmailMessage:
    """The mail confirming a request arrived: its reference, what comes next, the due date
    (or that the clock starts on confirming identity) and how to complain."""
    language = _language(lang)
    due = request.extended_due_at or request.due_at
    context = {
        **_common(declaration, request, language),
        "due": _date(due, language, request.jurisdiction) if due is not None else None,
        "needs_identity": needs_identity(request.type) and request.verified_at is None,
    }
    return _message("acknowledgement", language, context, request.email, sender, declaration)


def code_message(
    declaration: Declaration,
    request: RequestRow,
    code: str,
    *,
    lang: str,
    sender: str,
    valid_minutes: int = 15,
) -> EmailMessage:
    """The mail carrying an identity code. The code is in the body only, never the subject
    (subjects show on lock screens and in mail server logs)."""
    language = _language(lang)
    context = {
        **_common(declaration, request, language),
        "code": code,
        "valid_minutes": valid_minutes,
    }
    return _message("code", language, context, request.email, sender, declaration)


def complaint_for(declaration: Declaration, code: str, lang: str) -> Complaint | None:
    """The authority for jurisdiction `code`: the declaration's own, else the built-in one."""
    declared = declaration.organisation.authorities.get(code)
    if declared is not None:
        return Complaint(
            name=text(declared.name, lang),
            website=declared.website,
            address=text(declared.address, lang) or None,
            email=declared.email,
        )
    try:
        builtin = jurisdiction(code).authority
    except UnknownJurisdiction:
        return None
    if builtin is None:
        return None
    return Complaint(
        name=text(builtin.name, lang),
        website=builtin.website,
        address=builtin.address,
        email=None,
    )


def _common(declaration: Declaration, request: RequestRow, lang: str) -> dict[str, object]:
    organisation = declaration.organisation
    descriptions = _FRENCH_DESCRIPTIONS if lang == "fr" else DESCRIPTIONS
    received = local_day(request.received_at, request.jurisdiction)
    return {
        "company": organisation.name,
        "contact": organisation.email or (organisation.dpo.email if organisation.dpo else None),
        "reference": request.id,
        "kind": descriptions.get(request.type, request.type),
        "received": _date(received, lang, request.jurisdiction),
        "complaint": complaint_for(declaration, request.jurisdiction, lang),
    }


def _message(
    name: str,
    lang: str,
    context: dict[str, object],
    recipient: str,
    sender: str,
    declaration: Declaration,
) -> EmailMessage:
    subject = _render(f"{lang}/{name}.subject.j2", context).strip()
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    # RFC 3834: a machine wrote this, so auto-responders should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    if declaration.organisation.email:
        message["Reply-To"] = declaration.organisation.email
    message.set_content(_render(f"{lang}/{name}.txt.j2", context))
    message.add_alternative(_render(f"{lang}/{name}.html.j2", context), subtype="html")
    # After the body: setting content moves Content-* headers into the first part.
    message["Content-Language"] = lang
    return message


def _render(template: str, context: dict[str, object]) -> str:
    return _ENVIRONMENT.get_template(template).render(context)


def _date(day: dt.date, lang: str, jurisdiction: str) -> str:
    """A long date as people of that law read it: "3 September 2025", in California
    "September 3, 2025"; in French "3 septembre 2025"."""
    locale = lang
    if lang == "en":
        locale = "en_US" if jurisdiction.startswith("us-") else "en_GB"
    return format_date(day, format="long", locale=locale)


def _language(lang: str) -> str:
    base = lang.lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else "en"


def _domain(sender: str) -> str:
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rsplit("@", 1)[-1] if "@" in address else "pledge.invalid"
