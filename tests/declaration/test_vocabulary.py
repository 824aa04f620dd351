"""The vocabulary: every coded value of the model has words in both languages."""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

import pytest
from pydantic import BaseModel

from pledge.declaration import vocabulary
from pledge.declaration.durations import parse_duration
from pledge.declaration.model import BASES, RIGHTS, TRIGGERS, Category, Declaration, Organisation
from pledge.declaration.vocabulary import VocabularyKind, label
from pledge.declaration.vocabulary.kinds import FIELDS, literal_values
from pledge.declaration.vocabulary.words import WORDS

# Literal fields worded elsewhere, on purpose: the format version is never shown, CCPA
# letters have their titles in the taxonomy, and languages are named by CLDR (babel).
WORDED_ELSEWHERE = {(Declaration, "pledge"), (Category, "ccpa"), (Organisation, "languages")}


def models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in models_in(arg)]


def holds_literal(annotation: Any) -> bool:
    if get_origin(annotation) is Literal:
        return True
    return any(holds_literal(arg) for arg in get_args(annotation))


def literal_fields() -> dict[tuple[type[BaseModel], str], tuple[str, ...]]:
    """Every field of the declaration model, at any depth, whose type holds a Literal."""
    found: dict[tuple[type[BaseModel], str], tuple[str, ...]] = {}
    seen: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = [Declaration]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            if holds_literal(info.annotation):
                found[(model, name)] = literal_values(info.annotation)
            todo += models_in(info.annotation)
    return found


@pytest.mark.parametrize("kind", vocabulary.KINDS)
def test_every_code_of_a_kind_has_english_and_french_words(kind: VocabularyKind) -> None:
    assert vocabulary.codes(kind), f"{kind} has no codes"
    assert set(WORDS[kind]) == set(vocabulary.codes(kind))
    for code in vocabulary.codes(kind):
        for lang in ("en", "fr"):
            words = label(kind, code, lang)
            assert words and words == words.strip(), (kind, code, lang)
            assert "_" not in words, f"{kind} {code!r} reads as a code in {lang}: {words!r}"


def test_every_literal_value_of_the_model_is_a_code_of_some_kind() -> None:
    claimed = {field: kind for kind, fields in FIELDS.items() for field in fields}
    for (model, name), values in literal_fields().items():
        if (model, name) in WORDED_ELSEWHERE:
            continue
        assert (model, name) in claimed, (
            f"{model.__name__}.{name} holds coded values {values} that no vocabulary kind "
            "words: add it to FIELDS in pledge/declaration/vocabulary/kinds.py"
        )
        kind = claimed[(model, name)]
        assert set(values) <= set(vocabulary.codes(kind)), (model.__name__, name, kind)


def test_the_model_walk_finds_nested_optional_and_keyed_literals() -> None:
    fields = literal_fields()
    assert fields[(Declaration, "pledge")] == ()  # Literal[1]: an int, not a code
    assert set(fields[FIELDS["right"][0]]) == set(RIGHTS)  # dict keys
    assert set(fields[FIELDS["basis"][0]]) == set(BASES)  # dict of lists, Annotated
    assert set(fields[FIELDS["trigger"][0]]) == set(TRIGGERS)  # Optional
    assert fields[FIELDS["role"][0]] == ("controller", "processor")  # list
    assert FIELDS["verification_method"][0] in fields  # a model behind an Optional


def test_literal_values_reads_through_containers() -> None:
    assert literal_values(list[Literal["a", "b"]] | None) == ("a", "b")
    assert literal_values(dict[Literal["k"], list[Literal["v"]]]) == ("k", "v")
    assert literal_values(str | None) == ()


def test_the_named_codes_of_the_model_are_the_vocabularys() -> None:
    assert vocabulary.codes("basis") == BASES
    assert vocabulary.codes("trigger") == TRIGGERS
    assert vocabulary.codes("right") == RIGHTS
    assert vocabulary.codes("erasure")[:2] == ("delete_row", "columns")


def test_label_in_either_language_and_english_by_default() -> None:
    assert label("safeguard", "scc", "en") == "standard contractual clauses"
    assert label("safeguard", "scc", "fr") == "clauses contractuelles types"
    assert label("recipient_kind", "advisers", "de") == "professional advisers"
    # The same code means different things in different kinds.
    assert label("retention_action", "delete", "en") == "deleted"
    assert label("on_discovery", "delete", "en") == "delete the child's data"
    assert label("right", "delete", "fr") == "suppression"


def test_an_unknown_code_is_refused_by_name() -> None:
    assert vocabulary.known("channel_kind", "postal")
    assert not vocabulary.known("channel_kind", "carrier_pigeon")
    with pytest.raises(vocabulary.UnknownCode, match="'carrier_pigeon' is not a channel kind code"):
        label("channel_kind", "carrier_pigeon", "en")


def test_capitalised_changes_only_the_first_letter() -> None:
    assert vocabulary.capitalised("adequacy decision") == "Adequacy decision"
    assert vocabulary.capitalised("UK Addendum") == "UK Addendum"
    assert vocabulary.capitalised("") == ""


@pytest.mark.parametrize(
    ("basis", "gdpr", "english", "french"),
    [
        ("contract", True, "Contract (Art. 6(1)(b))", "Contrat (art. 6(1)(b))"),
        ("pre_contract", True, "Steps before entering into a contract (Art. 6(1)(b))",
         "Mesures précontractuelles (art. 6(1)(b))"),
        ("legitimate_interests", True, "Legitimate interests (Art. 6(1)(f))",
         "Intérêts légitimes (art. 6(1)(f))"),
        ("consent", False, "Consent", "Consentement"),
        ("implied_consent", True, "Implied consent", "Consentement implicite"),
    ],
)  # fmt: skip
def test_basis_with_its_article_where_the_gdpr_applies(
    basis: str, gdpr: bool, english: str, french: str
) -> None:
    assert vocabulary.basis_with_article(basis, "en", gdpr=gdpr) == english
    assert vocabulary.basis_with_article(basis, "fr", gdpr=gdpr) == french


def test_every_basis_the_gdpr_knows_has_its_point_of_article_6() -> None:
    points = {basis: vocabulary.gdpr_article(basis) for basis in BASES}
    assert points["public_task"] == "6(1)(e)"
    assert points["vital_interests"] == "6(1)(d)"
    assert points["implied_consent"] is None  # a Canadian basis, unknown to the GDPR
    assert sum(point is not None for point in points.values()) == len(BASES) - 1


@pytest.mark.parametrize(
    ("trigger", "english", "french"),
    [
        ("last_contact", "from last contact", "à compter du dernier contact"),
        ("collected", "from collection", "à compter de la collecte"),
        ("recorded", "from recording", "à compter de l'enregistrement"),
        ("issued", "from the date of issue", "à compter de la date d'émission"),
    ],
)
def test_since_puts_the_right_preposition_before_each_article(
    trigger: str, english: str, french: str
) -> None:
    assert vocabulary.since(trigger, "en") == english
    assert vocabulary.since(trigger, "fr") == french


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_every_trigger_reads_after_from_and_on(trigger: str) -> None:
    for lang, start in (("en", "from "), ("fr", "à compter d")):
        assert vocabulary.since(trigger, lang).startswith(start)
    assert vocabulary.upon(trigger, "en") == "on " + label("trigger", trigger, "en")
    assert vocabulary.upon(trigger, "fr") == "dès " + label("trigger", trigger, "fr")
    assert " de le " not in vocabulary.since(trigger, "fr")


@pytest.mark.parametrize(
    ("duration", "trigger", "english", "french"),
    [
        ("3 years", "last_contact", "3 years from last contact",
         "3 ans à compter du dernier contact"),
        ("0 days", "consent_withdrawn", "on consent withdrawal", "dès le retrait du consentement"),
        ("10 business days", None, "10 business days", "10 jours ouvrés"),
        (None, "account_closed", "from account closure", "à compter de la clôture du compte"),
        (None, None, "", ""),
    ],
)  # fmt: skip
def test_period_says_how_long_and_from_what(
    duration: str | None, trigger: str | None, english: str, french: str
) -> None:
    parsed = parse_duration(duration) if duration else None
    assert vocabulary.period(parsed, trigger, "en") == english
    assert vocabulary.period(parsed, trigger, "fr") == french
