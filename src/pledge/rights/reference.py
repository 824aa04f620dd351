"""Public references for requests: "PLG-7KQ2-M9XD".

Random, so a reference reveals nothing (not how many requests there are, nor when one was
made), and short enough to read out on the phone. The alphabet is Crockford's base 32: no
I, L, O or U, and a reference typed with o for 0 or l for 1, in any case, with or without
the prefix and dashes, still finds its request.
"""

from __future__ import annotations

import re
import secrets

from pledge.errors import PledgeError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "PLG"
GROUPS = (4, 4)  # 32**8, about 10**12 references: a collision is retried, never expected
_LENGTH = sum(GROUPS)
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})
_BODY = re.compile(rf"[{ALPHABET}]{{{_LENGTH}}}")


def new_reference() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(_LENGTH))
    return _format(body)


def normalise_reference(typed: str) -> str:
    """The canonical form of a reference as a person typed it; PledgeError if it is not one."""
    compact = re.sub(r"[\s-]", "", typed).upper()
    if compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    compact = compact.translate(_MISREAD)
    if not _BODY.fullmatch(compact):
        raise PledgeError(
            f"'{typed}' is not a request reference",
            f"a reference looks like {PREFIX}-7KQ2-M9XD",
        )
    return _format(compact)


def _format(body: str) -> str:
    parts, start = [], 0
    for size in GROUPS:
        parts.append(body[start : start + size])
        start += size
    return "-".join([PREFIX, *parts])
