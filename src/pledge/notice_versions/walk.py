"""The fallback: any difference between two JSON values, said in plain words.

Sections with nicer phrasing handle their important fields themselves and leave the rest
here, so no change to a declaration goes unsaid. The walk follows the model's shape: a
model object dumps every one of its fields, so keys present on one side only belong to a
mapping keyed by ids (tables, columns...), and such keys are added or removed entries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from pledge.notice_versions.wording import REFERENCES, Json, Wording, as_text, is_text

# Mappings keyed by ids even when both sides happen to hold the same ids.
ID_MAPPINGS = (
    "tables",
    "columns",
    "timestamps",
    "on",
    "offered",
    "representatives",
    "authorities",
    "extra_sections",
)
# Short values read best as "field old -> new".
ARROW_FIELDS = (
    "minimum_age",
    "gpc",
    "dnt",
    "country",
    "kind",
    "lifetime",
    "category",
    "deadline",
    "duration",
    "email",
    "phone",
    "website",
    "provider",
    "maximum_retention",
    "last_updated",
    "trigger",
    "action",
    "legal_basis",
)
_SCALARS = (str, int, float, bool, type(None))


def walk(
    w: Wording,
    where: str,
    field: str,
    old: Json,
    new: Json,
    kinds: Mapping[str, str] = REFERENCES,
) -> list[str]:
    """Lines telling how `field` of `where` went from `old` to `new` (none if equal)."""
    if old == new:
        return []
    if field == "legal_basis":
        return [_scalar_line(w, where, field, w.bases(old), w.bases(new))]
    if isinstance(old, list) or isinstance(new, list):
        return _list(w, where, field, _list_of(old), _list_of(new), kinds)
    if isinstance(old, dict) or isinstance(new, dict):
        if is_text(old) or is_text(new):
            return _text(w, where, field, old, new)
        # An empty object appearing (notify: {}) still changes the meaning: say so.
        return _mapping(w, where, field, old, new, kinds) or [
            w.say(
                "changed",
                where=where,
                field=w.field(field),
                old=render(w, field, old, kinds),
                new=render(w, field, new, kinds),
            )
        ]
    free_text = field not in kinds and field not in ARROW_FIELDS
    if free_text and isinstance(old, str | None) and isinstance(new, str | None):
        return _text(w, where, field, old, new)  # shown in quotes
    before, after = render(w, field, old, kinds), render(w, field, new, kinds)
    return [_scalar_line(w, where, field, before, after)]


def render(w: Wording, field: str, value: Json, kinds: Mapping[str, str] = REFERENCES) -> str:
    """A value in words: ids become names, enumerations words, texts the reader's language."""
    if value is None or value == "" or value == [] or value == {}:
        return w.word("none")
    if isinstance(value, bool):
        return w.word("yes" if value else "no")
    if isinstance(value, str):
        return w.ref(kinds[field], value) if field in kinds else value
    if is_text(value):
        return w.text(value)
    if isinstance(value, list):
        return w.items([render(w, field, item, kinds) for item in value])
    if isinstance(value, dict):
        shown = [
            f"{w.field(key)}{w.word('colon')}{render(w, key, item, kinds)}"
            for key, item in value.items()
            if item not in (None, "", [], {})
        ]
        return w.items(shown)
    return str(value)


def _scalar_line(w: Wording, where: str, field: str, old: str, new: str) -> str:
    key = "arrow" if field in ARROW_FIELDS else "changed"
    return w.say(key, where=where, field=w.field(field), old=old, new=new)


def _text(w: Wording, where: str, field: str, old: Json, new: Json) -> list[str]:
    shown_old, shown_new = w.text(old), w.text(new)
    label = w.field(field)
    if shown_old != shown_new:
        before = w.quoted(shown_old) if shown_old else w.word("none")
        after = w.quoted(shown_new) if shown_new else w.word("none")
        return [w.say("changed", where=where, field=label, old=before, new=after)]
    # Same words in this language: another language's translation changed.
    others = [
        w.language(lang)
        for lang in ("en", "fr")
        if lang != w.lang and _in(old, lang) != _in(new, lang)
    ]
    if others:
        return [w.say("reworded", where=where, field=label, languages=w.items(others))]
    return [w.say("retranslated", where=where, field=label)]


def _in(value: Json, lang: str) -> str:
    translated = as_text(value)
    return translated.get(lang) or translated.get("*", "")


def _mapping(
    w: Wording, where: str, field: str, old: Json, new: Json, kinds: Mapping[str, str]
) -> list[str]:
    before = old if isinstance(old, dict) else {}
    after = new if isinstance(new, dict) else {}
    keyed = field in ID_MAPPINGS or (
        isinstance(old, dict) and isinstance(new, dict) and set(before) != set(after)
    )
    lines: list[str] = []
    if not keyed:
        # One model object, compared field by field in the model's order.
        inner = f"{where}, {w.field(field)}"
        for key in dict.fromkeys([*after, *before]):
            lines += walk(w, inner, key, before.get(key), after.get(key), kinds)
        return lines
    for key in sorted(set(before) | set(after)):
        label = f"{w.field(field)} {w.ref(kinds[field], key) if field in kinds else key}"
        if key not in before:
            lines.append(w.say("key_added", where=where, field=label))
        elif key not in after:
            lines.append(w.say("key_removed", where=where, field=label))
        elif isinstance(before[key], dict) and not is_text(before[key]):
            inner = f"{where}, {label}"
            for sub in dict.fromkeys([*after[key], *before[key]]):
                lines += walk(w, inner, sub, before[key].get(sub), after[key].get(sub), kinds)
        else:
            lines += walk(w, where, field, before[key], after[key], kinds)
    return lines


def _list(
    w: Wording, where: str, field: str, old: list[Json], new: list[Json], kinds: Mapping[str, str]
) -> list[str]:
    label = w.field(field)
    if all(isinstance(item, _SCALARS) for item in [*old, *new]):
        added = [item for item in new if item not in old]
        removed = [item for item in old if item not in new]
        lines = []
        if added:
            lines.append(
                w.say("includes", where=where, field=label, items=render(w, field, added, kinds))
            )
        if removed:
            lines.append(
                w.say("excludes", where=where, field=label, items=render(w, field, removed, kinds))
            )
        return lines or [w.say("reordered", where=where, field=label)]
    # Objects or texts: matched by their whole content, shown by their words.
    old_keys = [_key(item) for item in old]
    new_keys = [_key(item) for item in new]
    added = [
        render(w, field, i, kinds) for i, k in zip(new, new_keys, strict=True) if k not in old_keys
    ]
    removed = [
        render(w, field, i, kinds) for i, k in zip(old, old_keys, strict=True) if k not in new_keys
    ]
    lines = []
    for shown in added:
        if shown in removed:
            lines += _text(
                w, where, field, _translations(old, shown, w), _translations(new, shown, w)
            )
            removed.remove(shown)
        else:
            lines.append(w.say("item_added", where=where, field=label, item=shown))
    lines += [w.say("item_removed", where=where, field=label, item=shown) for shown in removed]
    return lines or [w.say("reordered", where=where, field=label)]


def _translations(items: list[Json], shown: str, w: Wording) -> Json:
    # The item of a list of texts that reads `shown` in this language, for _text to compare.
    return next((item for item in items if w.text(item) == shown), None)


def _key(item: Json) -> str:
    return json.dumps(item, sort_keys=True)


def _list_of(value: Json) -> list[Json]:
    return list(value) if isinstance(value, list) else []
