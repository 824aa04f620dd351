"""Every sentence of the privacy center exists in English and French, with the same blanks."""

from __future__ import annotations

import string

import pytest

from pledge.rights.lifecycle import STATES
from pledge.web.privacy_center_words import LANGUAGES, MOVES, TEXTS, Words
from pledge.web.privacy_center_words import STATES as STATE_WORDS


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_each_sentence_has_both_languages_with_the_same_blanks(key: str) -> None:
    english, french = TEXTS[key]
    assert english.strip() and french.strip()
    assert english != french, f"{key!r} is not translated"
    assert _fields(english) == _fields(french)


def test_every_state_and_move_is_told_in_words() -> None:
    assert set(STATE_WORDS) == set(STATES)
    assert set(STATES) <= set(MOVES)
    for pair in (*STATE_WORDS.values(), *MOVES.values()):
        assert len(pair) == len(LANGUAGES) and all(pair)


def test_words_fill_their_blanks_and_fall_back_to_english() -> None:
    assert Words("fr")("status_title", reference="PLG-AAAA-BBBB") == "Votre demande PLG-AAAA-BBBB"
    assert Words("de")("submit") == "Send my request"
    assert Words("en").state("completed") == "Done"
    assert Words("fr").move("verified") == "Vous avez confirmé votre identité."
    assert Words("en").move("note") is None
