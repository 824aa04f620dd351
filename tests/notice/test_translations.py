"""Every English message the notice can show has a French translation in the .po file."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import pledge.notice
from pledge.notice.i18n import available_languages, po_path, translations

PACKAGE = Path(pledge.notice.__file__).parent
METHODS = [("**.py", "python"), ("templates/**.j2", "jinja2")]
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@cache
def used_messages() -> dict[str, str]:
    """msgid -> where it is first used, from the code and the templates."""
    found: dict[str, str] = {}
    extracted = extract_from_dir(
        str(PACKAGE), METHODS, options_map={"templates/**.j2": JINJA_OPTIONS}
    )
    for filename, line, message, _comments, _context in extracted:
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, f"{filename}:{line}")
    return found


def catalog(lang: str) -> Catalog:
    with (PACKAGE / po_path(lang)).open("rb") as po:
        return read_po(po, locale=lang)


def test_extraction_sees_both_the_code_and_the_templates() -> None:
    used = used_messages()
    assert used["Who we are"].startswith("content.py")
    assert used["Contents"].startswith("templates/")
    assert used["%(duration)s from your last contact with us"].startswith("content_retention.py")
    assert len(used) > 250


@pytest.mark.parametrize("lang", [lang for lang in available_languages() if lang != "en"])
def test_every_message_is_translated(lang: str) -> None:
    entries = {m.id: m for m in catalog(lang) if m.id}
    problems = []
    for msgid, where in used_messages().items():
        entry = entries.get(msgid)
        if entry is None or not entry.string:
            problems.append(f"{where}: no {lang} translation for {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"{where}: the {lang} translation of {msgid!r} is fuzzy")
        elif sorted(PLACEHOLDER.findall(str(entry.string))) != sorted(PLACEHOLDER.findall(msgid)):
            problems.append(f"{where}: placeholders differ in the {lang} text of {msgid!r}")
    assert problems == []


@pytest.mark.parametrize("lang", [lang for lang in available_languages() if lang != "en"])
def test_no_stale_translations(lang: str) -> None:
    stale = sorted(m.id for m in catalog(lang) if m.id and m.id not in used_messages())
    assert stale == [], "remove these from the .po file, nothing uses them any more"


def test_french_catalogue_is_loaded_from_the_po_file() -> None:
    assert "fr" in available_languages()
    french = translations("fr")
    assert french.gettext("Your rights") == "Vos droits"
    assert french.gettext("a message nobody wrote") == "a message nobody wrote"
    assert translations("en").gettext("Your rights") == "Your rights"
    with pytest.raises(LookupError):
        translations("de")
