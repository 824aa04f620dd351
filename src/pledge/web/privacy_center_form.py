"""Reading the request form a person sent: what to file, or what to ask them to fix.

The checks here are the ones a person can act on, in their language (an address that is not
one, a missing postcode, a correction with no value, an objection with no grounds); the
workflow checks everything again when it files the request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from babel.numbers import format_decimal
from starlette.datastructures import FormData, UploadFile

from pledge.declaration.model import Declaration
from pledge.rights.decisions_scope import absolute_objections, objection_needs_review
from pledge.rights.types import HANDLING, available_types
from pledge.rights.workflow import MAX_GROUNDS, MAX_PROOF_BYTES, PROOF_TYPES
from pledge.web.privacy_center_view import (
    Choice,
    activity_choices,
    agents_allowed,
    correction_categories,
    second_checks,
)
from pledge.web.privacy_center_words import Words

CORRECTION_ROWS = 3
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_MAX_TEXT = 500


@dataclass(frozen=True)
class Proof:
    """The agent's proof of authority, as uploaded."""

    filename: str
    content_type: str
    content: bytes


@dataclass
class FormValues:
    """What the person typed, to show again when something must be fixed."""

    email: str = ""
    identity: dict[str, str] = field(default_factory=dict)
    corrections: list[tuple[str, str]] = field(default_factory=lambda: [("", "")] * CORRECTION_ROWS)
    activities: set[str] = field(default_factory=set)
    agent: bool = False
    agent_name: str = ""
    agent_email: str = ""
    grounds: str = ""


@dataclass(frozen=True)
class GroundsField:
    """The objection form's text area for the person's grounds."""

    help: str
    # Every use offered needs grounds, so the browser may insist before sending.
    required: bool
    limit: int = MAX_GROUNDS


@dataclass(frozen=True)
class Filing:
    """A request ready to be filed."""

    jurisdiction: str
    type: str
    email: str
    identity: dict[str, str]
    details: dict[str, object]
    agent_name: str | None
    agent_email: str | None
    proof: Proof | None


def chosen_step(
    declaration: Declaration, jurisdiction: str | None, kind: str | None
) -> tuple[str | None, str | None]:
    """The jurisdiction and type asked for, each kept only when the declaration offers it."""
    declared = declaration.organisation.jurisdictions
    if jurisdiction not in declared:
        jurisdiction = declared[0] if len(declared) == 1 else None
    if jurisdiction is None or kind not in available_types(jurisdiction, declaration):
        kind = None
    return jurisdiction, kind


async def read_proof(form: FormData) -> Proof | None:
    """The uploaded file, if one came; at most one byte over the limit is read."""
    upload = form.get("agent_proof")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    content = await upload.read(MAX_PROOF_BYTES + 1)
    return Proof(upload.filename, upload.content_type or "", content)


def read_filing(
    form: FormData, proof: Proof | None, declaration: Declaration, lang: str
) -> tuple[FormValues, Filing | None, list[str]]:
    """The values to show again, the filing (None when something must be fixed), the problems."""
    words = Words(lang)
    jurisdiction, kind = chosen_step(declaration, _text(form, "jurisdiction"), _text(form, "type"))
    values = FormValues(email=_text(form, "email"))
    if jurisdiction is None or kind is None:
        return values, None, [words("error_filing")]
    problems: list[str] = []
    if not _EMAIL.fullmatch(values.email):
        problems.append(words("error_email"))
    identity = _identity(form, declaration, kind, lang, values, words, problems)
    details: dict[str, object] = {}
    handling = HANDLING[kind]
    if handling == "rectification":
        details["corrections"] = _corrections(form, declaration, lang, values, words, problems)
    choices = {c.value for c in activity_choices(declaration, kind, jurisdiction, lang)}
    if choices:
        values.activities = {a for a in form.getlist("activity") if a in choices}
        if not values.activities:
            problems.append(words("error_activities"))
        details["activities"] = sorted(values.activities)
    if handling == "objection" and _grounds(form, declaration, values, words, problems):
        # As the API sends them: the workflow keeps them, trimmed, as details.grounds.
        details["grounds"] = values.grounds
    agent = _agent(form, proof, declaration, values, words, problems)
    if problems:
        return values, None, problems
    return (
        values,
        Filing(
            jurisdiction=jurisdiction,
            type=kind,
            email=values.email,
            identity=identity,
            details=details,
            agent_name=agent[0] if agent else None,
            agent_email=agent[1] if agent else None,
            proof=proof if agent else None,
        ),
        [],
    )


def grounds_field(
    declaration: Declaration, kind: str, choices: Sequence[Choice], words: Words
) -> GroundsField | None:
    """The grounds an objection form asks for, or None where it asks none: objecting to a
    use on legitimate interests or a public task is on grounds relating to the person's
    particular situation, which staff weigh (GDPR Art. 21(1)); objecting to direct
    marketing needs none (Art. 21(2)-(3))."""
    offered = [choice.value for choice in choices]
    if HANDLING.get(kind) != "objection" or not objection_needs_review(declaration, offered):
        return None
    marketing = bool(absolute_objections(declaration, offered))
    limit = format_decimal(MAX_GROUNDS, locale=words.lang)
    key = "grounds_help_marketing" if marketing else "grounds_help"
    return GroundsField(words(key, limit=limit), required=not marketing)


def _grounds(
    form: FormData,
    declaration: Declaration,
    values: FormValues,
    words: Words,
    problems: list[str],
) -> str:
    given = form.get("grounds")
    # Browsers send a line break as CR LF but count it as one character against maxlength.
    values.grounds = given.replace("\r\n", "\n").strip() if isinstance(given, str) else ""
    if len(values.grounds) > MAX_GROUNDS:
        problems.append(
            words(
                "error_grounds_long",
                length=format_decimal(len(values.grounds), locale=words.lang),
                limit=format_decimal(MAX_GROUNDS, locale=words.lang),
            )
        )
    elif not values.grounds and objection_needs_review(declaration, values.activities):
        problems.append(words("error_grounds"))
    return values.grounds


def _identity(
    form: FormData,
    declaration: Declaration,
    kind: str,
    lang: str,
    values: FormValues,
    words: Words,
    problems: list[str],
) -> dict[str, str]:
    for check in second_checks(declaration, kind, lang):
        given = _text(form, f"identity.{check.value}")
        values.identity[check.value] = given
        if not given:
            problems.append(words("error_missing", field=check.name))
    return dict(values.identity)


def _corrections(
    form: FormData,
    declaration: Declaration,
    lang: str,
    values: FormValues,
    words: Words,
    problems: list[str],
) -> dict[str, str]:
    known = {choice.value for choice in correction_categories(declaration, lang)}
    rows = [
        (_text(form, f"correction_category_{i}"), _text(form, f"correction_value_{i}"))
        for i in range(1, CORRECTION_ROWS + 1)
    ]
    values.corrections = rows
    corrections = {category: value for category, value in rows if category and value}
    half_filled = any(bool(category) != bool(value) for category, value in rows)
    if not corrections or half_filled or not set(corrections) <= known:
        problems.append(words("error_corrections"))
    return corrections


def _agent(
    form: FormData,
    proof: Proof | None,
    declaration: Declaration,
    values: FormValues,
    words: Words,
    problems: list[str],
) -> tuple[str, str] | None:
    values.agent_name = _text(form, "agent_name")
    values.agent_email = _text(form, "agent_email")
    values.agent = agents_allowed(declaration) and _text(form, "agent") == "yes"
    if not values.agent:
        return None
    if not values.agent_name or not _EMAIL.fullmatch(values.agent_email) or proof is None:
        problems.append(words("error_agent"))
        return None
    if proof.content_type not in PROOF_TYPES or len(proof.content) > MAX_PROOF_BYTES:
        problems.append(words("error_proof"))
        return None
    return values.agent_name, values.agent_email


def _text(form: Mapping[str, object] | FormData, name: str) -> str:
    value = form.get(name)
    return value.strip()[:_MAX_TEXT] if isinstance(value, str) else ""
