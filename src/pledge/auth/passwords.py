"""Staff passwords: argon2id hashes, and a check that takes as long for an unknown account.

The hash string carries its own parameters (memory, passes, lanes), so stored hashes keep
working when the defaults change; `needs_rehash` says when one should be replaced by a hash
with today's parameters, which only the login, holding the password, can do.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pledge.errors import PledgeError

MIN_LENGTH = 12
# Long enough for any passphrase; hashing megabytes on every try would be a cheap attack.
MAX_LENGTH = 1024

# argon2id with argon2-cffi's defaults (RFC 9106's second recommended option: 64 MiB,
# 3 passes, 4 lanes): about 80 ms a hash on a small server.
HASHER = PasswordHasher()


def check_new_password(password: str) -> None:
    """PledgeError when `password` is too short or too long to be set."""
    if len(password) < MIN_LENGTH:
        raise PledgeError(
            f"the password is {len(password)} characters long; it needs at least {MIN_LENGTH}",
            "a few unrelated words make a long password that is easy to type",
        )
    if len(password) > MAX_LENGTH:
        raise PledgeError(f"the password is longer than {MAX_LENGTH} characters")


def hash_password(password: str, hasher: PasswordHasher = HASHER) -> str:
    """The argon2id hash to store for a new password (checked for length first)."""
    check_new_password(password)
    return hasher.hash(password)


def verify_password(stored: str | None, password: str, hasher: PasswordHasher = HASHER) -> bool:
    """Whether `password` matches `stored`.

    With `stored` None (no such account, or a disabled one) a dummy hash made with the same
    parameters is checked instead, so the answer takes as long and timing does not tell
    whether a username exists.
    """
    if len(password) > MAX_LENGTH:
        return False
    try:
        matched = hasher.verify(stored or dummy_hash(hasher), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return matched and stored is not None


def needs_rehash(stored: str, hasher: PasswordHasher = HASHER) -> bool:
    """Whether `stored` was made with other parameters than `hasher` uses now."""
    try:
        return hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def dummy_hash(hasher: PasswordHasher = HASHER) -> str:
    """A hash of a random password with `hasher`'s parameters, made once per parameters."""
    parameters = (
        hasher.time_cost,
        hasher.memory_cost,
        hasher.parallelism,
        hasher.hash_len,
        hasher.salt_len,
        hasher.type,
    )
    found = _DUMMIES.get(parameters)
    if found is None:
        # Two threads may both make one; either is as good, and one is kept.
        found = _DUMMIES.setdefault(parameters, hasher.hash(secrets.token_urlsafe(24)))
    return found


_DUMMIES: dict[tuple[object, ...], str] = {}
