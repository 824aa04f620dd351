"""The mails a person gets about their request, in their language, as text and HTML.

Every message has a plain text part (some people read mail as text only) and an HTML
alternative, both from Jinja2 templates under templates/<lang>/. HTML templates escape
what they are given; text templates do not, as nothing renders them. Blocks several mails
share (how to complain, the remedies after a refusal) are macros in templates/<lang>/_blocks.*.

A request filed by an authorised agent is answered to the agent (`RequestRow.agent_email`).

pledge.rights imports this module to send its mails, so this one reads pledge.rights inside
the functions that need it: either package can then be imported first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from types import MappingProxyType

from babel.dates import format_date

from pledge.declaration.jurisdictions import UnknownJurisdiction, jurisdiction
from pledge.declaration.model import Declaration, text
from pledge.errors import PledgeError
from pledge.mail.summary import day_of, kept_items, names, pairs
from pledge.mail.template_overrides import mail_environment
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

# Pledge's templates, or a company's in their place (PLEDGE_MAIL_TEMPLATES).
_ENVIRONMENT = mail_environment()


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
    from pledge.rights.types import needs_identity

    language = _language(lang)
    due = request.extended_due_at or request.due_at
    context = {
        **_common(declaration, request, language),
        "due": _date(due, language, request.jurisdiction) if due is not None else None,
        "needs_identity": needs_identity(request.type) and request.verified_at is None,
    }
    return _message("acknowledgement", language, context, request, sender, declaration)


def code_message(
    declaration: Declaration,
    request: RequestRow,
    code: str,
    *,
    lang: str,
    sender: str,
    valid_minutes: int = 15,
    status_url: str | None = None,
) -> EmailMessage:
    """The mail carrying an identity code, and the link to the request's status page where
    it is typed (`status_url`). The code is in the body only, never the subject (subjects
    show on lock screens and in mail server logs)."""
    language = _language(lang)
    context = {
        **_common(declaration, request, language),
        "code": code,
        "valid_minutes": valid_minutes,
        "status_url": status_url,
    }
    return _message("code", language, context, request, sender, declaration)


def completion_message(
    declaration: Declaration,
    request: RequestRow,
    *,
    lang: str,
    sender: str,
    status_url: str,
    summary: Mapping[str, object],
) -> EmailMessage:
    """The mail saying a request was carried out, and what that changed.

    `summary` is what running it found, with labels already in the person's language:
    "found" (False: we hold nothing about them), "by_hand" (True: staff answered it outside
    Pledge, so no copy waits here), "download_until" (ISO date: when the link
    to a copy stops working), "kept" (what an erasure kept, why and until when), "recipients"
    (names of those told), "corrections" ({label: value}) and "activities" (names; empty
    means all). A partial completion says what could not be done (`request.outcome`) and,
    as for a refusal, how to challenge it.
    """
    from pledge.rights.types import HANDLING

    language = _language(lang)
    code = request.jurisdiction
    until = day_of(summary.get("download_until"), code)
    kept = kept_items(summary.get("kept"), lambda day: _date(day, language, code), code)
    context = {
        **_common(declaration, request, language),
        "handling": HANDLING.get(request.type),
        "found": summary.get("found", True) is not False,
        "by_hand": summary.get("by_hand") is True,
        "status_url": status_url,
        "download_until": _date(until, language, code) if until is not None else None,
        "kept": kept,
        "recipients": names(summary.get("recipients"), "recipients"),
        "corrections": pairs(summary.get("corrections")),
        "activities": names(summary.get("activities"), "activities"),
        "partial": request.state == "partially_completed",
        "outcome": request.outcome,
    }
    return _message("completion", language, context, request, sender, declaration)


def denial_message(
    declaration: Declaration, request: RequestRow, *, lang: str, sender: str
) -> EmailMessage:
    """The mail refusing a request: the reason, the right to complain to the authority and,
    outside the CCPA, to seek a judicial remedy (GDPR Art 12(4))."""
    language = _language(lang)
    reason = _required(request.outcome, request, "a denial", "the person must be told why")
    context = {**_common(declaration, request, language), "reason": reason}
    return _message("denial", language, context, request, sender, declaration)


def extension_message(
    declaration: Declaration, request: RequestRow, *, lang: str, sender: str
) -> EmailMessage:
    """The mail saying an answer will take longer: the new due date and why (GDPR Art 12(3),
    11 CCR §7021(b)); it must go out before the first due date."""
    language = _language(lang)
    if request.extended_due_at is None:
        raise PledgeError(
            f"request {request.id} was not extended: there is no new due date to announce",
            "extend the request first (`pledge.rights.extend`)",
        )
    reason = _required(request.extension_reason, request, "an extension", "the law asks for one")
    code = request.jurisdiction
    context = {
        **_common(declaration, request, language),
        "new_due": _date(request.extended_due_at, language, code),
        "previous_due": _date(request.due_at, language, code) if request.due_at else None,
        "reason": reason,
    }
    return _message("extension", language, context, request, sender, declaration)


def restriction_lifted_message(
    declaration: Declaration,
    request: RequestRow,
    *,
    lang: str,
    sender: str,
    restricted_since: dt.datetime,
    lifted_at: dt.datetime,
    reason: str,
) -> EmailMessage:
    """The mail telling a person, before it is lifted (GDPR Art. 18(3)), that the restriction
    their request obtained ends: since when it applied, from when it no longer does, why,
    and where they can complain (pledge.rights.restriction_lift)."""
    from pledge.rights.deadlines import local_day

    language = _language(lang)
    code = request.jurisdiction
    context = {
        **_common(declaration, request, language),
        "since": _date(local_day(restricted_since, code), language, code),
        "lifted": _date(local_day(lifted_at, code), language, code),
        "reason": reason.strip(),
    }
    return _message("restriction_lifted", language, context, request, sender, declaration)


def download_code_message(
    declaration: Declaration,
    request: RequestRow,
    code: str,
    *,
    lang: str,
    sender: str,
    valid_minutes: int = 15,
) -> EmailMessage:
    """The mail carrying the code that unlocks the download of a copy; like the identity
    code, it is in the body only."""
    language = _language(lang)
    context = {
        **_common(declaration, request, language),
        "code": code,
        "valid_minutes": valid_minutes,
    }
    return _message("download_code", language, context, request, sender, declaration)


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
    from pledge.rights.deadlines import local_day
    from pledge.rights.types import DESCRIPTIONS

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
        "ccpa": _under_ccpa(request.jurisdiction),
        # Set when an authorised agent filed the request: the mail goes to them, about `person`.
        "agent": request.agent_email is not None,
        "person": request.email,
    }


def _under_ccpa(code: str) -> bool:
    """Whether the CCPA's remedies apply rather than the GDPR's (no "judicial remedy")."""
    try:
        return jurisdiction(code).regime == "ccpa"
    except UnknownJurisdiction:
        return code.startswith("us-")


def _required(value: str | None, request: RequestRow, what: str, hint: str) -> str:
    if value is None or not value.strip():
        raise PledgeError(f"request {request.id} has no reason recorded for {what}", hint)
    return value.strip()


def _message(
    name: str,
    lang: str,
    context: dict[str, object],
    request: RequestRow,
    sender: str,
    declaration: Declaration,
) -> EmailMessage:
    recipient = request.agent_email or request.email
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
