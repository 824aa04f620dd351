"""The record of processing's own phrases, in English and French.

The words for the declaration's codes (legal bases, triggers, safeguards...) come from
`pledge.declaration.vocabulary`, shared with the list of changes; what is here is only how
the record puts them together: its flags, its "none", and a retention rule in one sentence.
"""

from __future__ import annotations

from pledge.declaration import vocabulary
from pledge.declaration.model import RetentionRule, text

PHRASES: dict[str, tuple[str, str]] = {
    "special": ("special category", "catégorie particulière"),
    "children": ("may include children", "peut inclure des enfants"),
    "no_transfer": ("None", "Aucun"),
    "no_safeguard": ("no safeguard declared", "aucune garantie déclarée"),
    "adequate_only": ("only for", "uniquement pour"),
    "ends_on_objection": ("ends early on objection", "prend fin en cas d'opposition"),
    "then": ("then", "puis"),
    # "données" is feminine plural, as in the retention actions.
    "archived": ("archived (restricted access) for", "archivées (accès restreint) pendant"),
}


def words(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    """The English or French words for `key`; the key itself if the table lacks it."""
    pair = table.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "fr" else pair[0]


def labelled(name: str, value: str, lang: str) -> str:
    """`name: value`; French typography puts a space before the colon."""
    return f"{name} : {value}" if lang == "fr" else f"{name}: {value}"


def retention_words(rule: RetentionRule, lang: str) -> str:
    """A rule in one sentence: "6 years from the date of issue, then deleted (Companies Act...)";
    with an archive, "3 years from last contact, then archived (restricted access) for 2
    years, then deleted"."""
    period = vocabulary.period(rule.duration, rule.trigger, lang)
    criteria = text(rule.criteria, lang)
    if not period:
        period = criteria
    elif criteria:
        period = f"{period} ({criteria})"
    then = words(PHRASES, "then", lang)
    action = vocabulary.label("retention_action", rule.action, lang)
    archived = archive_words(rule, lang)
    if not period or (rule.duration is not None and rule.duration.amount == 0):
        if archived:  # "archived (restricted access) for 1 year on consent withdrawal"
            sentence = f"{archived} {period}".strip() + f", {then} {action}"
        else:
            sentence = f"{action} {period}".strip()
    else:
        sentence = f"{period}, {then} {end_words(rule, lang)}"
    if rule.ends_on_objection and rule.trigger != "objection":
        semicolon = " ; " if lang == "fr" else "; "
        sentence += semicolon + words(PHRASES, "ends_on_objection", lang)
    required_by = text(rule.required_by, lang)
    if required_by:
        sentence += f" ({required_by})"
    return sentence


def archive_words(rule: RetentionRule, lang: str) -> str:
    """The archive after the active period: "archived (restricted access) for 2 years"; ""
    when the rule has none. Only the role legal reads it (pledge.retention.archive)."""
    if rule.archive is None or rule.archive.amount == 0:
        return ""
    return f"{words(PHRASES, 'archived', lang)} {rule.archive.describe(lang)}"


def end_words(rule: RetentionRule, lang: str) -> str:
    """What happens once the active period ends: "deleted", or "archived (restricted
    access) for 2 years, then deleted"."""
    action = vocabulary.label("retention_action", rule.action, lang)
    archived = archive_words(rule, lang)
    return f"{archived}, {words(PHRASES, 'then', lang)} {action}" if archived else action
