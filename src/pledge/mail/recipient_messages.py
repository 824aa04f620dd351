"""The mail telling a recipient of a person's data of an erasure, rectification or restriction,
or that a restriction was lifted.

GDPR Art. 19: what the company erased, corrected or restricted at a person's request, it
passes on to every recipient that got the data; a recipient told of a restriction is told
when it ends, or it would keep it for ever. The mail goes to the address the declaration
gives (`recipients.<id>.notify.email`), in the language the person wrote in, with a plain
text part and an HTML alternative.

This module stands alone (it imports nothing from pledge.mail.messages nor pledge.rights):
pledge.rights imports it, and pledge.mail.messages imports pledge.rights, so either import
order must work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Literal

from pledge.declaration.model import Declaration, text
from pledge.declaration.taxonomy import builtin_categories
from pledge.mail.template_overrides import mail_environment
from pledge.store.tables import RequestRow

NoticeEvent = Literal["erasure", "rectification", "restriction", "restriction_lifted"]

LANGUAGES = ("en", "fr")
TEMPLATE = "recipient_notice"
# A mail of its own, not a branch of TEMPLATE: a company's own recipient_notice templates
# know three events and would tell a lifting as a restriction. Named after TEMPLATE, its
# files are checked at start-up against the same variables (pledge.mail.template_overrides).
LIFTED_TEMPLATE = "recipient_notice.lifted"

# Pledge's templates, or a company's in their place (PLEDGE_MAIL_TEMPLATES).
_ENVIRONMENT = mail_environment(trim_blocks=True)


def recipient_notice_message(
    declaration: Declaration,
    request: RequestRow,
    recipient: str,
    *,
    event: NoticeEvent,
    categories: Sequence[str],
    corrections: Mapping[str, str],
    to: str,
    sender: str,
) -> EmailMessage:
    """The mail to recipient `recipient` (its id in the declaration), sent to `to`.

    `categories` are ids (`contact.email`), shown by name; `corrections` maps what was
    corrected (a category id or a table.column) to its new value, for a rectification.
    """
    lang = language_of(request.language)
    declared = declaration.recipients.get(recipient)
    organisation = declaration.organisation
    context: dict[str, object] = {
        "company": organisation.name,
        "contact": organisation.email or (organisation.dpo.email if organisation.dpo else None),
        "recipient_name": text(declared.name, lang) if declared is not None else recipient,
        "reference": request.id,
        "event": event,
        "person": request.email,
        "categories": [category_name(declaration, c, lang) for c in categories],
        "corrections": [
            (category_name(declaration, what, lang), value) for what, value in corrections.items()
        ],
    }
    template = LIFTED_TEMPLATE if event == "restriction_lifted" else TEMPLATE
    message = EmailMessage()
    subject = _render(f"{lang}/{template}.subject.j2", context)
    message["Subject"] = " ".join(subject.split())
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    # RFC 3834: a machine wrote this, so auto-responders should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    if organisation.email:
        message["Reply-To"] = organisation.email
    message.set_content(_render(f"{lang}/{template}.txt.j2", context))
    message.add_alternative(_render(f"{lang}/{template}.html.j2", context), subtype="html")
    # After the body: setting content moves Content-* headers into the first part.
    message["Content-Language"] = lang
    return message


def category_name(declaration: Declaration, category: str, lang: str) -> str:
    """A category's name in `lang`; anything else (a table.column) as it is."""
    custom = declaration.categories.get(category)
    if custom is not None:
        return text(custom.name, lang)
    builtin = builtin_categories().get(category)
    return text(builtin.name, lang) if builtin is not None else category


def language_of(lang: str) -> str:
    base = lang.lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else "en"


def _render(template: str, context: dict[str, object]) -> str:
    return _ENVIRONMENT.get_template(template).render(context)


def _domain(sender: str) -> str:
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rsplit("@", 1)[-1] if "@" in address else "pledge.invalid"
