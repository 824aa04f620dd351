"""The declaration's coded values in plain English and French, said one way everywhere.

The record of processing and the list of changes between notice versions both turn codes
(`legal_obligation`, `last_contact`, `scc`) into words; they take them from here, so the
same code never reads two ways in two documents.
"""

from pledge.declaration.vocabulary.kinds import KINDS, VocabularyKind, codes, is_kind
from pledge.declaration.vocabulary.phrases import (
    UnknownCode,
    basis_with_article,
    capitalised,
    gdpr_article,
    known,
    label,
    period,
    since,
    upon,
)

__all__ = [
    "KINDS",
    "UnknownCode",
    "VocabularyKind",
    "basis_with_article",
    "capitalised",
    "codes",
    "gdpr_article",
    "is_kind",
    "known",
    "label",
    "period",
    "since",
    "upon",
]
