"""Slowing down password guessing: failed logins counted per address and per username.

After `limit` failures within `window` from one address, or against one username, further
attempts are refused (HTTP 429) until the oldest failure leaves the window, even with the
right password. A successful login clears its username's count but not its address's, so
an attacker who owns one account cannot reset the count for their guesses at others.

The failures are kept in the store (pledge.store.recent_tries), the address and username
only as keyed hashes: every server process counts them together and a restart forgets
none. An attempt counts as a failure from before its password is checked until it
succeeds, so attempts sent all at once, to one process or to several, cannot pass the
limit together: guessing stays bounded to `limit` tries per `window`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from pledge.store import Store
from pledge.store.recent_tries import TryWindow

LIMIT = 10
WINDOW = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt, counted as failed until `LoginThrottle.succeeded` says otherwise."""

    address_try: int


class LoginThrottle:
    """Failed logins per address and per username, in a sliding window; thread-safe.

    Each call is a transaction on the store: call it from a worker thread, not the event loop.
    """

    def __init__(
        self,
        *,
        store: Callable[[], Store],
        secret: Callable[[], bytes],
        limit: int = LIMIT,
        window: dt.timedelta = WINDOW,
    ) -> None:
        self.limit = limit
        self.window = window
        self._by_address = TryWindow("login address", limit, window, store=store, secret=secret)
        self._by_username = TryWindow("login username", limit, window, store=store, secret=secret)

    def attempt(self, address: str, username: str, now: dt.datetime) -> Attempt | None:
        """Count an attempt as failed, before its password is checked; None (and not
        counted) when the address or the username has no tries left."""
        address_try = self._by_address.take(address, now)
        if address_try is None:
            return None
        if self._by_username.take(username, now) is None:
            self._by_address.give_back(address_try)
            return None
        return Attempt(address_try)

    def retry_after(self, address: str, username: str, now: dt.datetime) -> dt.timedelta | None:
        """How long until a login may be tried again, or None when it may be tried now."""
        waits = [
            wait
            for wait in (self._by_address.wait(address, now), self._by_username.wait(username, now))
            if wait is not None
        ]
        return max(waits) if waits else None

    def succeeded(self, username: str, attempt: Attempt | None = None) -> None:
        """The username's failures are cleared, and `attempt` no longer counts for its
        address; the address's other failures stay."""
        self._by_username.forget(username)
        if attempt is not None:
            self._by_address.give_back(attempt.address_try)
