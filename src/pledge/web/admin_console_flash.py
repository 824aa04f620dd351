"""The one-line message a console page shows after an action: "Denied.", or why it failed.

An action answers 303 to the request's page (so reloading that page repeats nothing); the
message rides along in a short-lived cookie, signed so that only this server can have
written it, bound to the request it is about, and shown once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from fastapi.responses import Response

FLASH_COOKIE = "pledge_flash"
FLASH_PATH = "/admin"
_MAX_AGE_SECONDS = 120
_MAX_TEXT = 1500  # a cookie holds about 4 kB; the longest error message is far shorter
_LABEL = b"pledge console flash message"

Kind = Literal["done", "error"]


@dataclass(frozen=True)
class Flash:
    kind: Kind
    text: str


class Flasher:
    """Writes and reads flash cookies with a key of their own, derived from `secret`."""

    def __init__(self, secret: bytes, *, secure: bool) -> None:
        self._key = hmac.new(secret, _LABEL, hashlib.sha256).digest()
        self.secure = secure

    def put(self, response: Response, ref: str, flash: Flash) -> None:
        body = json.dumps({"ref": ref, "kind": flash.kind, "text": flash.text[:_MAX_TEXT]})
        value = f"{_b64(body.encode())}.{_b64(self._sign(body.encode()))}"
        response.set_cookie(
            FLASH_COOKIE,
            value,
            max_age=_MAX_AGE_SECONDS,
            path=FLASH_PATH,
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )

    def read(self, request: Request, ref: str) -> Flash | None:
        """The message for request `ref`, if one came with this request."""
        value = request.cookies.get(FLASH_COOKIE)
        return self._read(value, ref) if value is not None else None

    def clear(self, request: Request, response: Response) -> None:
        """Shown once: the cookie goes with the page that showed it."""
        if FLASH_COOKIE in request.cookies:
            response.delete_cookie(
                FLASH_COOKIE, path=FLASH_PATH, secure=self.secure, httponly=True, samesite="strict"
            )

    def _read(self, value: str, ref: str) -> Flash | None:
        body_part, _, signature_part = value.partition(".")
        try:
            body, signature = _unb64(body_part), _unb64(signature_part)
        except (binascii.Error, ValueError):
            return None
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        loaded = json.loads(body)
        if not isinstance(loaded, dict):
            return None
        kind, text = loaded.get("kind"), loaded.get("text")
        if loaded.get("ref") != ref or kind not in ("done", "error") or not isinstance(text, str):
            return None
        return Flash("done" if kind == "done" else "error", text)

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    # Without padding: "=" is not a cookie character and would get the value quoted.
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
