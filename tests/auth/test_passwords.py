"""argon2id hashes, the length rule, and the dummy check for accounts that do not exist."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from pledge.auth.passwords import (
    HASHER,
    MAX_LENGTH,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from pledge.errors import PledgeError

WEAK = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery staple"


def test_a_password_is_kept_as_an_argon2id_hash() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "!")
    assert not verify_password(stored, "")
    # A salt per hash: the same password never hashes the same twice.
    assert hash_password(PASSWORD) != stored


@pytest.mark.parametrize("password", ["", "eleven char", "x" * 11])
def test_a_password_needs_twelve_characters(password: str) -> None:
    with pytest.raises(PledgeError, match="it needs at least 12"):
        hash_password(password)


def test_twelve_characters_are_enough_and_a_megabyte_is_too_many() -> None:
    assert verify_password(hash_password("twelve chars"), "twelve chars")
    with pytest.raises(PledgeError, match="longer than 1024"):
        hash_password("x" * (MAX_LENGTH + 1))
    assert not verify_password(hash_password(PASSWORD), "x" * (MAX_LENGTH + 1))


def test_no_account_checks_a_dummy_hash_with_the_same_parameters() -> None:
    # The mechanism behind equal timing: the same argon2 work is done either way.
    assert not verify_password(None, PASSWORD)
    assert not verify_password(None, "")
    dummy = extract_parameters(dummy_hash(HASHER))
    real = extract_parameters(hash_password(PASSWORD))
    assert dummy == real
    assert dummy.type is Type.ID
    assert extract_parameters(dummy_hash(WEAK)) == extract_parameters(WEAK.hash(PASSWORD))
    assert dummy_hash(HASHER) == dummy_hash(HASHER), "made once per parameters"


def test_a_hash_with_other_parameters_needs_rehashing() -> None:
    old = WEAK.hash(PASSWORD)
    assert verify_password(old, PASSWORD), "old hashes still verify"
    assert needs_rehash(old)
    assert not needs_rehash(hash_password(PASSWORD))
    assert needs_rehash("not a hash")
    assert not verify_password("not a hash", PASSWORD)
