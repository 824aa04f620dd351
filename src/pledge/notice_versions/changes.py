"""What changed between two declarations, in sentences a company can send its customers.

The walk goes section by section in the model's order, entries sorted by id, so the same
two declarations always give the same list. Important fields get their own phrasing
("Retention of Invoices: 6 years from issue -> 10 years from issue"); every other
difference falls back to `walk`, so nothing that changed the meaning goes unsaid.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pledge.declaration.model import Declaration
from pledge.notice_versions import phrasings as p
from pledge.notice_versions.walk import render, walk
from pledge.notice_versions.wording import REFERENCES, Json, Wording

# Reads several fields of one entry together; returns sentences and the fields it covered.
Together = Callable[[Wording, str, dict[str, Json], dict[str, Json]], tuple[list[str], set[str]]]


@dataclass(frozen=True)
class Entries:
    """How a mapping of entries keyed by id (activities, recipients...) is described."""

    phrases: Mapping[str, p.Phrase] = field(default_factory=dict)
    detail: p.Detail = p.no_detail
    kinds: Mapping[str, str] = field(default_factory=lambda: REFERENCES)
    together: Together | None = None
    # Phrasings that depend on the entry's id (a right's deadline names the right).
    keyed: Callable[[str], Mapping[str, p.Phrase]] | None = None


_SALE = {"sale": p.flag_phrase("sold", "not_sold"), "share": p.flag_phrase("shared", "not_shared")}
ENTRIES: dict[str, Entries] = {
    "categories": Entries(),
    "subjects": Entries(),
    "origins": Entries(),
    "activities": Entries(
        phrases={
            "legal_basis": p.legal_basis,
            "categories": p.set_phrase("collects", "stops_collecting", "category"),
            "subjects": p.set_phrase("concerns", "stops_concerning", "subject"),
            "recipients": p.set_phrase("shared_with", "not_shared_with", "recipient"),
            "withdraw": p.set_phrase("withdraw_via", "no_withdraw_via", "channel"),
            "opt_out": p.set_phrase("object_via", "no_object_via", "channel"),
            **_SALE,
        },
        detail=p.activity_detail,
    ),
    "retention": Entries(
        phrases={"action": p.retention_action},
        detail=p.retention_detail,
        together=p.retention_period,
    ),
    "recipients": Entries(
        phrases={"categories": p.set_phrase("receives", "stops_receiving", "category"), **_SALE},
        detail=p.recipient_detail,
        kinds={**REFERENCES, "kind": "recipient_kind"},
    ),
    "channels": Entries(detail=p.channel_detail, kinds={**REFERENCES, "kind": "channel_kind"}),
    "cookies": Entries(detail=p.cookie_detail, kinds={**REFERENCES, "category": "cookie_category"}),
    "sources": Entries(kinds={**REFERENCES, "kind": "source_kind"}),
    "offered": Entries(
        detail=p.right_detail,
        keyed=lambda right: {
            "deadline": p.right_deadline(right),
            "channels": p.right_channels(right),
        },
    ),
    "representatives": Entries(detail=p.contact_detail),
    "authorities": Entries(detail=p.contact_detail),
    "extra_sections": Entries(),
}
# Fields of a section that are themselves mappings of entries.
NESTED_ENTRIES = {
    "organisation": ("representatives", "authorities"),
    "rights": ("offered",),
    "notice": ("extra_sections",),
}
SECTION_PHRASES: dict[str, Mapping[str, p.Phrase]] = {
    "organisation": {
        "jurisdictions": p.set_phrase("jurisdiction_added", "jurisdiction_removed", "jurisdiction"),
        "languages": p.set_phrase("language_added", "language_removed", "language"),
    },
    "transfers": {
        "storage": p.set_phrase("stored_in", "not_stored_in", "country"),
        "allowed": p.set_phrase("allowed_to", "not_allowed_to", "region"),
    },
    "rights": {"channels": p.set_phrase("rights_via", "rights_not_via", "channel")},
}


def describe_changes(old: Declaration, new: Declaration, lang: str = "en") -> list[str]:
    """Each change from `old` to `new` as one sentence in `lang` ("en" or "fr")."""
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    w = Wording(before, after, lang)
    lines: list[str] = []
    for section in Declaration.model_fields:
        was, now = before.get(section), after.get(section)
        if was == now:
            continue
        if section in ENTRIES:
            lines += entries(w, section, was, now)
        elif section == "security":
            lines += walk(w, w.section(section), "measure", was, now)
        elif isinstance(was, dict) or isinstance(now, dict):
            lines += _section(w, section, was or {}, now or {})
        else:
            lines += walk(w, w.section(section), "version", was, now)
    return lines


def entries(w: Wording, section: str, old: Json, new: Json) -> list[str]:
    """Changes to a mapping of entries keyed by id: added, removed, renamed, edited."""
    spec = ENTRIES[section]
    before, after = old or {}, new or {}
    _, added_form, removed_form = w.entry(section)
    lines: list[str] = []
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        name = w.name(section, key)
        if was is None:
            lines.append(added_form.format(name=name, detail=spec.detail(w, now)))
        elif now is None:
            lines.append(removed_form.format(name=name))
        else:
            lines += _entry(w, section, key, was, now, spec)
    return lines


def _entry(w: Wording, section: str, key: str, was: Json, now: Json, spec: Entries) -> list[str]:
    lines: list[str] = []
    where_form = w.entry(section)[0]
    name, old_name = w.name(section, key), w.name(section, key, older=True)
    skip: set[str] = set()
    if old_name != name:
        lines.append(w.say("renamed", where=where_form.format(name=old_name), new=name))
        skip.add("name")
    phrases = {**spec.phrases, **(spec.keyed(key) if spec.keyed else {})}
    where = where_form.format(name=name)
    return lines + fields(w, where, was, now, phrases, spec, skip)


def fields(
    w: Wording,
    where: str,
    was: dict[str, Json],
    now: dict[str, Json],
    phrases: Mapping[str, p.Phrase],
    spec: Entries | None = None,
    skip: set[str] | None = None,
) -> list[str]:
    """Field by field, in the model's order: a nicer phrasing if there is one, else `walk`."""
    kinds = spec.kinds if spec else REFERENCES
    handled = set(skip or ())
    lines: list[str] = []
    if spec and spec.together:
        said, covered = spec.together(w, where, was, now)
        lines += said
        handled |= covered
    for name in dict.fromkeys([*now, *was]):
        old, new = was.get(name), now.get(name)
        if name in handled or old == new:
            continue
        said = phrases[name](w, where, old, new) if name in phrases else []
        lines += said or walk(w, where, name, old, new, kinds)
    return lines


def _section(w: Wording, section: str, was: dict[str, Json], now: dict[str, Json]) -> list[str]:
    """A section holding one object (organisation, rights, children, notice...)."""
    where = w.section(section)
    nested = NESTED_ENTRIES.get(section, ())
    lines: list[str] = []
    skip = set(nested)
    if section == "organisation":
        lines += _contacts(w, was, now)
        skip |= {name for name in {*was, *now} if w.organisation_field(name)}
    lines += fields(w, where, was, now, SECTION_PHRASES.get(section, {}), skip=skip)
    for name in nested:
        lines += entries(w, name, was.get(name), now.get(name))
    return lines


def _contacts(w: Wording, was: dict[str, Json], now: dict[str, Json]) -> list[str]:
    """The organisation's own details, each under its own label: "Contact email: a -> b"."""
    lines: list[str] = []
    for name in dict.fromkeys([*now, *was]):
        label = w.organisation_field(name)
        old, new = was.get(name), now.get(name)
        if label is None or old == new:
            continue
        if name == "dpo":
            lines += _contact(w, label, old, new)
        elif render(w, name, old) != render(w, name, new):
            shown = render(w, name, old), render(w, name, new)
            lines.append(w.say("direct", field=label, old=shown[0], new=shown[1]))
        else:
            lines += walk(w, w.section("organisation"), name, old, new)
    return lines


def _contact(w: Wording, where: str, was: Json, now: Json) -> list[str]:
    lines: list[str] = []
    before, after = was or {}, now or {}
    for name in dict.fromkeys([*after, *before]):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if render(w, name, old) != render(w, name, new):
            shown = render(w, name, old), render(w, name, new)
            lines.append(
                w.say("arrow", where=where, field=w.field(name), old=shown[0], new=shown[1])
            )
        else:
            lines += walk(w, where, name, old, new)
    return lines
