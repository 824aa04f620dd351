"""The nicer phrasings of important fields, and how a new entry is introduced.

Each phrasing takes (wording, where, old value, new value) and returns sentences; an empty
list hands the field to the generic fallback (as when only the order of a list changed).
"""

from __future__ import annotations

from collections.abc import Callable

from pledge.notice_versions.wording import Json, Wording

Phrase = Callable[[Wording, str, Json, Json], list[str]]
# What follows a new entry's name: " (processor, Estonia)".
Detail = Callable[[Wording, Json], str]


def set_phrase(added_key: str, removed_key: str, kind: str, **parts: str) -> Phrase:
    """Ids joining or leaving a list: "Brevo now receives: Email address"."""

    def phrase(w: Wording, where: str, old: Json, new: Json) -> list[str]:
        was, now = list(old or []), list(new or [])
        added = [w.ref(kind, item) for item in now if item not in was]
        removed = [w.ref(kind, item) for item in was if item not in now]
        lines = []
        if added:
            lines.append(w.say(added_key, where=where, items=w.items(added), **parts))
        if removed:
            lines.append(w.say(removed_key, where=where, items=w.items(removed), **parts))
        return lines

    return phrase


def flag_phrase(on_key: str, off_key: str) -> Phrase:
    """A yes/no that matters on its own: "personal information is now sold"."""

    def phrase(w: Wording, where: str, old: Json, new: Json) -> list[str]:
        return [w.say(on_key if new else off_key, where=where)]

    return phrase


def legal_basis(w: Wording, where: str, old: Json, new: Json) -> list[str]:
    field = w.field("legal_basis")
    return [w.say("arrow", where=where, field=field, old=w.bases(old), new=w.bases(new))]


def retention_action(w: Wording, where: str, old: Json, new: Json) -> list[str]:
    before, after = w.code("retention_action", str(old)), w.code("retention_action", str(new))
    return [w.say("at_the_end", where=where, old=before, new=after)]


def retention_period(
    w: Wording, where: str, was: dict[str, Json], now: dict[str, Json]
) -> tuple[list[str], set[str]]:
    """Duration, trigger and criteria read together: "3 years from last contact"."""
    old, new = w.period(was), w.period(now)
    if old == new:
        return [], set()
    return [w.say("bare_arrow", where=where, old=old, new=new)], {"duration", "trigger", "criteria"}


def right_deadline(right: str) -> Phrase:
    def phrase(w: Wording, where: str, old: Json, new: Json) -> list[str]:
        before = w.duration(old, missing="legal_deadline")
        after = w.duration(new, missing="legal_deadline")
        return [w.say("right_deadline", right=w.right(right), old=before, new=after)]

    return phrase


def right_channels(right: str) -> Phrase:
    def phrase(w: Wording, where: str, old: Json, new: Json) -> list[str]:
        return set_phrase("right_via", "right_not_via", "channel", right=w.right(right))(
            w, where, old, new
        )

    return phrase


def no_detail(w: Wording, entry: Json) -> str:
    return ""


def _details(w: Wording, parts: list[str]) -> str:
    shown = [part for part in parts if part]
    return f" ({w.items(shown)})" if shown else ""


def activity_detail(w: Wording, entry: Json) -> str:
    return _details(w, [w.bases(entry.get("legal_basis"))])


def retention_detail(w: Wording, entry: Json) -> str:
    return _details(w, [w.period(entry)])


def recipient_detail(w: Wording, entry: Json) -> str:
    country = entry.get("country")
    kind = w.code("recipient_kind", entry["kind"])
    return _details(w, [kind, w.country(country) if country else ""])


def cookie_detail(w: Wording, entry: Json) -> str:
    lifetime = w.ref("lifetime", entry["lifetime"])
    return _details(w, [entry["provider"], w.code("cookie_category", entry["category"]), lifetime])


def channel_detail(w: Wording, entry: Json) -> str:
    return _details(w, [w.code("channel_kind", entry["kind"]), entry.get("address") or ""])


def contact_detail(w: Wording, entry: Json) -> str:
    return _details(w, [w.text(entry.get("name")) or entry.get("email") or ""])


def right_detail(w: Wording, entry: Json) -> str:
    deadline = entry.get("deadline")
    return _details(w, [w.duration(deadline) if deadline else ""])
