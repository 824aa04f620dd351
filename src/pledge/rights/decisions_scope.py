"""Which activities a standing choice covers, read off the declaration.

An objection is about activities on legitimate interests or a public task (GDPR Art. 21(1))
and about direct marketing whatever its basis (Art. 21(2)); a withdrawal is about activities
on consent (Art. 7(3), and PIPEDA's express and implied consent). A restriction (Art. 18)
covers all processing and a CCPA opt-out covers every sale or share, so neither names one.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping

from pledge.declaration.model import Activity, Declaration
from pledge.errors import PledgeError
from pledge.store.tables import RequestRow

# Bases a person can take back (GDPR Art. 7(3); PIPEDA principle 4.3.8).
CONSENT_BASES = frozenset({"consent", "express_consent", "implied_consent"})
# Bases a person may object to (GDPR Art. 21(1): points (e) and (f) of Art. 6(1)).
OBJECTABLE_BASES = frozenset({"legitimate_interests", "public_task"})
# Handlings whose decision names activities; the others cover everything they can.
BY_ACTIVITY = frozenset({"objection", "withdraw_consent"})
COVER_ALL = frozenset({"restriction", "opt_out_sale_share"})
# The key of RequestRow.details that lists the activities a person named.
DETAILS_ACTIVITIES = "activities"

_ANY_JURISDICTION = "*"


def activities_for(
    declaration: Declaration,
    handling: str,
    asked: Collection[str] | None,
    *,
    jurisdiction: str | None = None,
) -> list[str]:
    """The activities a decision of `handling` covers: those asked, or the default.

    Objection: by default every activity on legitimate interests or a public task and every
    direct-marketing one; withdrawal: every consent-based one. Restriction and opt-out cover
    everything, so the list is empty. With `jurisdiction`, its own bases are the ones read.
    """
    if handling in COVER_ALL:
        if asked:
            raise PledgeError(
                f"a {handling.replace('_', ' ')} covers every activity; it cannot name"
                f" {_listed(asked)}",
                "leave the activities out of the request",
            )
        return []
    if handling not in BY_ACTIVITY:
        raise PledgeError(
            f"a request handled as '{handling}' leaves no standing decision",
            f"decisions follow {', '.join(sorted(BY_ACTIVITY | COVER_ALL))} requests",
        )
    eligible = [
        name
        for name, activity in declaration.activities.items()
        if _eligible(handling, activity, jurisdiction)
    ]
    if not eligible:
        raise PledgeError(
            f"no activity of the declaration can be the object of {_noun(handling)}",
            _why_eligible(handling),
        )
    if not asked:
        return eligible
    chosen = list(dict.fromkeys(name.strip() for name in asked))
    unknown = [name for name in chosen if name not in declaration.activities]
    if unknown:
        close = [m for name in unknown for m in difflib.get_close_matches(name, eligible, n=1)]
        guess = f"did you mean {_listed(close)}? " if close else ""
        raise PledgeError(
            f"unknown activit{'y' if len(unknown) == 1 else 'ies'} {_listed(unknown)}",
            f"{guess}activities open to {_noun(handling)}: {', '.join(eligible)}",
        )
    outside = [name for name in chosen if name not in eligible]
    if outside:
        raise PledgeError(
            f"{_listed(outside)} cannot be the object of {_noun(handling)}:"
            f" {_why_eligible(handling)}",
            f"activities open to {_noun(handling)}: {', '.join(eligible)}",
        )
    return chosen


def objection_needs_review(declaration: Declaration, activities: Collection[str]) -> bool:
    """Whether an admin must weigh the objection before it applies.

    Objecting to direct marketing is absolute (GDPR Art. 21(3)) and applies at once; to any
    other activity the controller may show compelling legitimate grounds (Art. 21(1)).
    """
    return any(not _activity(declaration, name).direct_marketing for name in activities)


def absolute_objections(declaration: Declaration, activities: Collection[str]) -> list[str]:
    """The objected activities that stop at once, without review: the direct-marketing ones."""
    return [name for name in activities if _activity(declaration, name).direct_marketing]


def sells_or_shares(declaration: Declaration, activity: str) -> bool:
    """Whether the activity sells or shares data (CCPA): itself, or through a recipient."""
    found = _activity(declaration, activity)
    recipients = (declaration.recipients.get(name) for name in found.recipients)
    return (
        found.sale or found.share or any(r is not None and (r.sale or r.share) for r in recipients)
    )


def selling_recipients(declaration: Declaration) -> list[str]:
    """The recipients an opt-out of sale and sharing covers."""
    return [name for name, r in declaration.recipients.items() if r.sale or r.share]


def asked_activities(request: RequestRow) -> list[str] | None:
    """The activities the person named in the request, if any."""
    details: Mapping[str, object] = request.details or {}
    named = details.get(DETAILS_ACTIVITIES)
    if named is None:
        return None
    if isinstance(named, str):
        named = [named]
    if not isinstance(named, list) or not all(isinstance(n, str) for n in named):
        raise PledgeError(
            f"request {request.id}: details.{DETAILS_ACTIVITIES} must be a list of activity names"
        )
    return [str(n) for n in named]


def _eligible(handling: str, activity: Activity, jurisdiction: str | None) -> bool:
    bases = _bases(activity, jurisdiction)
    if handling == "withdraw_consent":
        return bool(bases & CONSENT_BASES)
    return activity.direct_marketing or bool(bases & OBJECTABLE_BASES)


def _bases(activity: Activity, jurisdiction: str | None) -> set[str]:
    given = activity.legal_basis
    for key in (jurisdiction, _ANY_JURISDICTION):
        if key is not None and key in given:
            return set(given[key])
    # No basis written for that jurisdiction: any basis the activity has anywhere counts.
    return {basis for bases in given.values() for basis in bases}


def _activity(declaration: Declaration, name: str) -> Activity:
    found = declaration.activities.get(name)
    if found is None:
        raise PledgeError(
            f"unknown activity '{name}'",
            f"activities of the declaration: {', '.join(declaration.activities)}",
        )
    return found


def _noun(handling: str) -> str:
    return "a withdrawal of consent" if handling == "withdraw_consent" else "an objection"


def _why_eligible(handling: str) -> str:
    if handling == "withdraw_consent":
        return "only activities based on consent can have their consent withdrawn"
    return (
        "one may object to activities based on legitimate interests or a public task,"
        " and to direct marketing"
    )


def _listed(names: Collection[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)
