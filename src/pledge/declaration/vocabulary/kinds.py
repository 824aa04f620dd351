"""Which coded values each kind of vocabulary covers, read from the model itself.

A kind is named after what its codes mean (`safeguard`, `channel_kind`) and lists the model
fields whose Literal type holds them. Reading the codes from those types instead of writing
them again means that a value added to the model is a value the vocabulary must word: a test
fails until it has English and French words.
"""

from __future__ import annotations

import types
from functools import cache
from typing import Any, Literal, TypeGuard, Union, get_args, get_origin

from pydantic import BaseModel

from pledge.declaration.model import (
    BASES,
    RIGHTS,
    TRIGGERS,
    Activity,
    ChangePolicy,
    Channel,
    Children,
    Column,
    Cookie,
    Organisation,
    Recipient,
    RetentionRule,
    Rights,
    Signals,
    Source,
    Table,
)
from pledge.declaration.model.rights import Verification
from pledge.declaration.references import BUILTIN_ORIGINS, TRANSFER_REGIONS

VocabularyKind = Literal[
    "basis",
    "trigger",
    "retention_action",
    "recipient_kind",
    "safeguard",
    "channel_kind",
    "right",
    "cookie_category",
    "erasure",
    "requirement",
    "signal_response",
    "on_discovery",
    "verification_method",
    "role",
    "change_notice",
    "source_kind",
    "origin",
    "region",
]
KINDS: tuple[VocabularyKind, ...] = get_args(VocabularyKind)

# kind -> the model fields whose Literal values are its codes.
FIELDS: dict[VocabularyKind, tuple[tuple[type[BaseModel], str], ...]] = {
    "basis": ((Activity, "legal_basis"),),
    "trigger": ((RetentionRule, "trigger"),),
    "retention_action": ((RetentionRule, "action"),),
    "recipient_kind": ((Recipient, "kind"),),
    "safeguard": ((Recipient, "safeguards"),),
    "channel_kind": ((Channel, "kind"),),
    "right": ((Rights, "offered"),),
    "cookie_category": ((Cookie, "category"),),
    # A table is erased row by row or column by column; a column says how it is erased.
    "erasure": ((Table, "erase"), (Column, "erase")),
    "requirement": ((Activity, "requirement"),),
    "signal_response": ((Signals, "gpc"), (Signals, "dnt")),
    "on_discovery": ((Children, "on_discovery"),),
    "verification_method": ((Verification, "method"),),
    "role": ((Organisation, "roles"),),
    "change_notice": ((ChangePolicy, "notify"),),
    "source_kind": ((Source, "kind"),),
}
# Codes the model exports by name, and built-in ids that are plain strings in the model.
_NAMED: dict[VocabularyKind, tuple[str, ...]] = {
    "basis": BASES,
    "trigger": TRIGGERS,
    "right": RIGHTS,
    "origin": BUILTIN_ORIGINS,
    "region": TRANSFER_REGIONS,
}


def is_kind(name: str) -> TypeGuard[VocabularyKind]:
    """Whether `name` is a kind of the vocabulary (for callers that hold it as a string)."""
    return name in KINDS


@cache
def codes(kind: VocabularyKind) -> tuple[str, ...]:
    """Every code of `kind`, in the model's order."""
    if kind in _NAMED:
        return _NAMED[kind]
    found: dict[str, None] = {}
    for model, name in FIELDS[kind]:
        found.update(dict.fromkeys(literal_values(model.model_fields[name].annotation)))
    return tuple(found)


def literal_values(annotation: Any) -> tuple[str, ...]:
    """The string values of every Literal inside a type: `list[Literal["a"]] | None` -> ("a",)."""
    if get_origin(annotation) is Literal:
        return tuple(value for value in get_args(annotation) if isinstance(value, str))
    found: dict[str, None] = {}
    if get_origin(annotation) in (Union, types.UnionType) or get_args(annotation):
        for arg in get_args(annotation):
            found.update(dict.fromkeys(literal_values(arg)))
    return tuple(found)
