"""What a declaration means, as one canonical text and its digest.

The canonical text is the validated model, less its `sources`, dumped to JSON with sorted
keys and no whitespace: comments, key order, quoting and layout in the YAML leave it
unchanged, while any change to what the notice says (a translation included) changes it.
"""

from __future__ import annotations

import hashlib
import json

from pydantic import ValidationError

from pledge.declaration.model import Declaration
from pledge.errors import PledgeError


def published(declaration: Declaration) -> Declaration:
    """The part of a declaration a notice version is about.

    A notice tells people what we do, not how our databases are laid out: the internal,
    unpublished `sources` mapping is not part of its meaning and makes no new version.
    """
    return declaration.model_copy(update={"sources": {}})


def canonical_json(declaration: Declaration) -> str:
    data = published(declaration).model_dump(mode="json")
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_of(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def meaning_digest(declaration: Declaration) -> str:
    """The sha256 (hex) of the declaration's canonical JSON."""
    return digest_of(canonical_json(declaration))


def declaration_from_canonical(canonical: str) -> Declaration:
    """The declaration a stored canonical text holds."""
    try:
        return Declaration.model_validate(json.loads(canonical))
    except (ValueError, ValidationError) as exc:
        # A version recorded by an older Pledge whose model has since changed shape.
        raise PledgeError(
            f"a recorded notice version no longer reads as a declaration: {exc}",
            "compare with a version recorded by this release of Pledge",
        ) from None
