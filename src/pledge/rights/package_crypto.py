"""Keeping a person's package safe: sealed at rest, fetched through a signed, expiring link.

A package is sealed with AES-GCM under a key the operator holds; the request reference is
the associated data, so a blob stored for one request does not open as another's. The
download link carries the reference and its expiry, signed with HMAC-SHA256; a link that is
expired, altered or signed with another key is refused with one and the same message, which
tells a guesser nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from datetime import UTC, datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pledge.errors import PledgeError

NONCE_BYTES = 12  # 96 bits, the size GCM is designed for
KEY_SIZES = (16, 24, 32)


def seal(package: bytes, key: bytes, *, ref: str) -> bytes:
    """The package encrypted under `key`, bound to request `ref`: nonce + ciphertext + tag."""
    _check_key(key)
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, package, ref.encode())


def unseal(blob: bytes, key: bytes, *, ref: str) -> bytes:
    """The package back; refuses a blob sealed under another key, for another ref, or altered."""
    _check_key(key)
    if len(blob) < NONCE_BYTES + 16:
        raise PledgeError("the sealed package cannot be opened", "it is truncated or not a package")
    nonce, body = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, body, ref.encode())
    except InvalidTag:
        raise PledgeError(
            "the sealed package cannot be opened",
            "it was sealed with another key or for another request, or it was altered",
        ) from None


def _check_key(key: bytes) -> None:
    if len(key) not in KEY_SIZES:
        raise PledgeError(
            f"an AES key is 16, 24 or 32 bytes long, not {len(key)}",
            "generate one with os.urandom(32)",
        )


def download_token(ref: str, *, key: bytes, expires_at: datetime) -> str:
    """A URL-safe token naming `ref`, valid until `expires_at` (an aware datetime)."""
    if not key:
        raise PledgeError("a download link needs a signing key")
    if expires_at.tzinfo is None:
        raise PledgeError("the expiry of a download link needs a time zone", "use UTC")
    expiry = int(expires_at.timestamp())
    message = f"{ref}\n{expiry}".encode()
    signature = hmac.new(key, message, hashlib.sha256).digest()
    return f"{_b64(ref.encode())}.{expiry}.{_b64(signature)}"


def verify_download_token(token: str, *, key: bytes, now: datetime) -> str:
    """The request ref the token names; PledgeError if it expired or is not ours, alike."""
    if not key or now.tzinfo is None:
        raise PledgeError("verifying a download link needs a key and an aware time")
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        raise _refused()
    try:
        ref = _unb64(parts[0]).decode()
        signature = _unb64(parts[2])
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _refused() from None
    expected = hmac.new(key, f"{ref}\n{parts[1]}".encode(), hashlib.sha256).digest()
    # Compared in constant time, and the signature before the expiry: an expired link
    # and a forged one are told apart by nobody.
    valid = hmac.compare_digest(signature, expected)
    if not valid or datetime.fromtimestamp(int(parts[1]), UTC) <= now:
        raise _refused()
    return ref


def _refused() -> PledgeError:
    return PledgeError("this download link is not valid", "ask for a new link")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not text or len(text) % 4 == 1:
        raise ValueError("not base64")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
