"""The words of a code, and the few set phrases built from them.

`label` gives a code's words as they read inside a sentence; the other functions are the
phrases more than one document needs: a legal basis with its GDPR article, the event a
retention period counts from, and the period itself.
"""

from __future__ import annotations

from pledge.declaration.durations import Duration
from pledge.declaration.vocabulary.kinds import VocabularyKind
from pledge.declaration.vocabulary.words import GDPR_POINTS, WORDS


class UnknownCode(LookupError):
    """A code the vocabulary has no words for: a bug, since the model admits no other."""


def label(kind: VocabularyKind, code: str, lang: str) -> str:
    """`code` of `kind` in words, in `lang` ("fr" for French, English otherwise)."""
    try:
        english, french = WORDS[kind][code]
    except KeyError:
        raise UnknownCode(f"{code!r} is not a {kind.replace('_', ' ')} code") from None
    return french if lang == "fr" else english


def known(kind: VocabularyKind, code: str) -> bool:
    return code in WORDS[kind]


def capitalised(words: str) -> str:
    """Words that start a cell or a list item: only the first letter changes."""
    return words[:1].upper() + words[1:]


def gdpr_article(basis: str) -> str | None:
    """The GDPR article of a legal basis, "6(1)(b)", or None when the GDPR has no such basis."""
    point = GDPR_POINTS.get(basis)
    return f"6(1)({point})" if point else None


def basis_with_article(basis: str, lang: str, *, gdpr: bool) -> str:
    """`Contract (Art. 6(1)(b))`: the basis, with its article when the GDPR applies."""
    name = capitalised(label("basis", basis, lang))
    article = gdpr_article(basis) if gdpr else None
    if article is None:
        return name
    return f"{name} ({'art.' if lang == 'fr' else 'Art.'} {article})"


def since(trigger: str, lang: str) -> str:
    """The event a period counts from: "from last contact", "à compter du dernier contact"."""
    event = label("trigger", trigger, lang)
    if lang != "fr":
        return f"from {event}"
    # "de" + article: de le -> du, de les -> des; de la and de l' stay.
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if event.startswith(article):
            return "à compter " + contracted + event.removeprefix(article)
    return "à compter de " + event


def upon(trigger: str, lang: str) -> str:
    """The moment itself, for a period of zero: "on consent withdrawal"."""
    event = label("trigger", trigger, lang)
    return f"dès {event}" if lang == "fr" else f"on {event}"


def period(duration: Duration | None, trigger: str | None, lang: str) -> str:
    """How long, counted from what: "3 years from last contact"; "" when neither is known."""
    if duration is not None and duration.amount == 0 and trigger is not None:
        return upon(trigger, lang)
    parts = []
    if duration is not None:
        parts.append(duration.describe(lang))
    if trigger is not None:
        parts.append(since(trigger, lang))
    return " ".join(parts)
