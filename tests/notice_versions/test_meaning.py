from __future__ import annotations

import hashlib
import json

import pytest

from pledge.errors import PledgeError
from pledge.notice_versions import canonical_json, meaning_digest
from pledge.notice_versions.meaning import declaration_from_canonical, published
from tests.notice_versions.demo import SHORTER_RETENTION, declaration, demo, demo_text, edit

# Edits to the file that leave its meaning alone.
FORMATTING_ONLY = [
    pytest.param(
        ("# Demo company", "# A comment was reworded here.\n# Demo company"), id="comment"
    ),
    pytest.param(
        ("  name: Maple & Finch\n", '  name: "Maple & Finch"  # quoted now\n'), id="quotes"
    ),
    pytest.param(
        (
            "    duration: 6 years\n    trigger: issued\n",
            "    trigger: issued\n    duration: 6 years\n",
        ),
        id="key order",
    ),
    pytest.param(
        (
            "    name: { en: Customers, fr: Clients }\n",
            "    name:\n      fr: 'Clients'\n      en: Customers\n",
        ),
        id="flow to block style",
    ),
    pytest.param(
        ("signals:\n  gpc: honour\n  dnt: ignore\n", "signals: {dnt: ignore, gpc: honour}\n"),
        id="flow mapping",
    ),
    pytest.param(("    action: delete\n", ""), id="default spelled out or not"),
]


def test_the_digest_is_the_sha256_of_sorted_compact_json() -> None:
    base = demo()
    canonical = canonical_json(base)
    published = base.model_dump(mode="json", exclude={"sources"}) | {"sources": {}}
    assert canonical == json.dumps(
        published, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert '"shop"' not in canonical  # the internal database mapping is left out
    assert meaning_digest(base) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert "\n" not in canonical


@pytest.mark.parametrize("replacement", FORMATTING_ONLY)
def test_formatting_edits_keep_the_meaning(replacement: tuple[str, str]) -> None:
    edited_text = edit(demo_text(), replacement)
    assert edited_text != demo_text()
    assert meaning_digest(declaration(edited_text)) == meaning_digest(demo())


def test_moving_a_whole_section_keeps_the_meaning() -> None:
    text = demo_text()
    start, end = text.index("signals:\n"), text.index("california:\n")
    moved = text[:start] + text[end:] + "\n" + text[start:end]
    assert moved != text
    assert meaning_digest(declaration(moved)) == meaning_digest(demo())


@pytest.mark.parametrize(
    "replacement",
    [
        SHORTER_RETENTION,
        ("fr: Clients }", "fr: Nos clients }"),  # a translation is what French readers read
        ("  gpc: honour\n", "  gpc: ignore\n"),
    ],
)
def test_changes_of_meaning_change_the_digest(replacement: tuple[str, str]) -> None:
    assert meaning_digest(demo(replacement)) != meaning_digest(demo())


def test_a_canonical_text_reads_back_as_the_same_declaration() -> None:
    base = demo()
    assert declaration_from_canonical(canonical_json(base)) == published(base)


def test_an_unreadable_canonical_text_is_a_pledge_error() -> None:
    with pytest.raises(PledgeError, match="no longer reads as a declaration"):
        declaration_from_canonical('{"pledge": 2}')
