"""What the privacy center's pages show, worked out from the declaration and the store.

Ids become words here: jurisdictions by their names, request types by the names the notice
gives the rights, categories and activities by their declared names. A request's timeline
is told in plain sentences, from its changes of state only: the notes staff and jobs write
stay in the admin console.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from babel.dates import format_date

from pledge.declaration.jurisdictions import jurisdiction as profile_of
from pledge.declaration.model import Declaration, text
from pledge.errors import PledgeError
from pledge.notice.content_context import NoticeContext
from pledge.notice.content_rights_words import RIGHTS
from pledge.notice.i18n import Language, translations
from pledge.rights.deadlines import local_day
from pledge.rights.decisions_scope import activities_for
from pledge.rights.lifecycle import CLOSED
from pledge.rights.requests import due_date
from pledge.rights.types import HANDLING, available_types, needs_identity
from pledge.store.tables import RequestEventRow, RequestRow
from pledge.web.privacy_center_words import LANGUAGES, Words

# Details a person gives with a request for a copy (access, portability), matched against
# what we hold.
SECOND_CHECK_HANDLING = frozenset({"access", "portability"})
# States in which the person still has to type the code we mailed.
AWAITING_CODE = frozenset({"received", "identity_pending"})


@dataclass(frozen=True)
class Choice:
    """One option of a list: the value the form sends, and what the person reads."""

    value: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Moment:
    """One line of a request's history, as the person reads it."""

    day: str
    what: str


@dataclass(frozen=True)
class StatusView:
    reference: str
    kind: str
    state: str
    received: str
    due: str | None
    waiting_for_code: bool
    clock_waits_for_identity: bool
    reason: str | None
    extension_reason: str | None
    history: list[Moment]


def center_languages(declaration: Declaration) -> list[str]:
    """The declared languages the center has words for, the first declared one first."""
    return [lang for lang in declaration.organisation.languages if lang in LANGUAGES] or ["en"]


def jurisdictions(declaration: Declaration, lang: str) -> list[Choice]:
    return [
        Choice(code, text(profile_of(code).name, lang))
        for code in declaration.organisation.jurisdictions
    ]


def request_types(code: str, declaration: Declaration, lang: str) -> list[Choice]:
    """The requests a person under `code` can make, named as the notice names the rights."""
    gettext = translations(lang).gettext
    return [
        Choice(kind, gettext(RIGHTS[kind][0]), gettext(RIGHTS[kind][1]))
        for kind in dict.fromkeys(available_types(code, declaration))
        if kind in RIGHTS
    ]


def type_name(kind: str, lang: str) -> str:
    words = RIGHTS.get(kind)
    return translations(lang).gettext(words[0]) if words else kind


def second_checks(declaration: Declaration, kind: str, lang: str) -> list[Choice]:
    """The data points a request for a copy must also give (rights.verification.access_match);
    the form sends each under its category id."""
    verification = declaration.rights.verification
    if verification is None or HANDLING.get(kind) not in SECOND_CHECK_HANDLING:
        return []
    context = _context(declaration, lang)
    return [Choice(c, context.category_name(c)) for c in dict.fromkeys(verification.access_match)]


def second_check_help(declaration: Declaration, lang: str) -> str:
    verification = declaration.rights.verification
    return text(verification.description, lang) if verification else ""


def correction_categories(declaration: Declaration, lang: str) -> list[Choice]:
    """What a person may ask to correct: each category of data the databases hold, or, where
    one table holds a category in several columns (an address in five), each of those
    columns, named as `pledge.sources.rectification` expects (table.column)."""
    places = [
        (source_name, table_name, column_name, column.category)
        for source_name, source in declaration.sources.items()
        for table_name, table in source.tables.items()
        for column_name, column in table.columns.items()
    ]
    tables_of = Counter((table, column) for _, table, column, _ in places)
    per_table = Counter((source, table, category) for source, table, _, category in places)
    crowded = {category for (_, _, category), count in per_table.items() if count > 1}
    context = _context(declaration, lang)
    named: dict[str, Choice] = {}
    for source, table, column, category in places:
        name = context.category_name(category)
        if category not in crowded:
            named.setdefault(category, Choice(category, name))
            continue
        # A table name two sources share needs its source to name one column.
        value = f"{table}.{column}"
        if tables_of[(table, column)] > 1:
            value = f"{source}.{value}"
        named.setdefault(value, Choice(value, f"{name}: {column.replace('_', ' ')} ({table})"))
    return sorted(named.values(), key=lambda choice: choice.name.casefold())


def activity_choices(declaration: Declaration, kind: str, code: str, lang: str) -> list[Choice]:
    """For an objection or a withdrawal of consent: the activities it can be about."""
    handling = HANDLING.get(kind)
    if handling not in ("objection", "withdraw_consent"):
        return []
    try:
        names = activities_for(declaration, handling, None, jurisdiction=code)
    except PledgeError:
        return []  # none qualifies: the request is then about everything it can be
    return [
        Choice(
            name,
            text(declaration.activities[name].name, lang),
            text(declaration.activities[name].description, lang),
        )
        for name in names
    ]


def agents_allowed(declaration: Declaration) -> bool:
    agents = declaration.rights.agents
    return agents is not None and agents.allowed


def agent_help(declaration: Declaration, lang: str) -> str:
    agents = declaration.rights.agents
    return text(agents.proof, lang) if agents and agents.proof else ""


def status_view(row: RequestRow, events: Sequence[RequestEventRow], words: Words) -> StatusView:
    lang = words.lang
    due = due_date(row)
    identity_step = needs_identity(row.type) and row.state in AWAITING_CODE
    # An agent is sent no code: staff check the permission they uploaded instead.
    by_agent = row.agent_email is not None
    waiting = identity_step and not by_agent
    if identity_step and by_agent:
        state = words("agent_review")
    else:
        # Before the first job runs a request is "received"; to the person both steps are
        # the same wait for their code, so the page does not change under them.
        state = words.state("identity_pending" if waiting else row.state)
    return StatusView(
        reference=row.id,
        kind=type_name(row.type, lang),
        state=state,
        received=day_in_words(local_day(row.received_at, row.jurisdiction), lang, row.jurisdiction),
        # Once answered, the date it was due by is history, not a promise.
        due=(
            day_in_words(due, lang, row.jurisdiction)
            if due is not None and row.state not in CLOSED
            else None
        ),
        waiting_for_code=waiting,
        clock_waits_for_identity=due is None and row.state not in CLOSED,
        reason=row.outcome if row.state in ("denied", "partially_completed") else None,
        extension_reason=row.extension_reason,
        history=_history(row, events, words),
    )


def _history(row: RequestRow, events: Sequence[RequestEventRow], words: Words) -> list[Moment]:
    lines: list[Moment] = []
    for event in events:
        if event.kind == "state" and event.to_state:
            what = words.move(event.to_state)
        elif event.kind in ("acknowledged", "extended"):
            what = words.move(event.kind)
        else:
            continue  # notes, codes, mails and results are for staff
        if what is None or (lines and lines[-1].what == what):
            continue
        day = day_in_words(local_day(event.at, row.jurisdiction), words.lang, row.jurisdiction)
        lines.append(Moment(day, what))
    return lines


def day_in_words(day: dt.date, lang: str, jurisdiction: str) -> str:
    """A date as people under that law write it: "3 September 2026", in California
    "September 3, 2026", in French "3 septembre 2026"."""
    locale = lang
    if lang == "en":
        locale = "en_US" if jurisdiction.startswith("us-") else "en_GB"
    return format_date(day, format="long", locale=locale)


def _context(declaration: Declaration, lang: str) -> NoticeContext:
    return NoticeContext(declaration, Language.for_notice(lang, declaration.organisation.country))
