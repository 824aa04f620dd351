"""Choosing the notice's language: `?lang=`, else the browser's Accept-Language, else the
first language the organisation declares."""

from __future__ import annotations

from collections.abc import Sequence


def choose_language(asked: str | None, accept_language: str | None, declared: Sequence[str]) -> str:
    """The language to show; an unsupported `asked` falls through to the header."""
    if asked:
        asked = asked.strip().lower()
        if asked in declared:
            return asked
    return negotiate(accept_language or "", declared)


def negotiate(accept_language: str, declared: Sequence[str]) -> str:
    """The best declared language for an Accept-Language header (RFC 9110 §12.5.4).

    Tags are tried by falling quality; `fr-CH` matches `fr`; `*` takes the first declared
    language; a tag with q=0 is refused. With no match, the first declared language.
    """
    for tag in _tags_by_preference(accept_language):
        if tag == "*":
            return declared[0]
        primary = tag.split("-", 1)[0]
        for candidate in (tag, primary):
            if candidate in declared:
                return candidate
    return declared[0]


def _tags_by_preference(header: str) -> list[str]:
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.partition(";")
        tag = tag.strip().lower()
        if not tag:
            continue
        quality = _quality(params)
        if quality > 0:
            # Position breaks ties, so equal qualities keep the order the browser sent.
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value.strip()), 0.0), 1.0)
            except ValueError:
                return 0.0  # a tag with a malformed weight is skipped, not trusted
    return 1.0
