"""Slowing down password guessing: failed logins counted per address and per username.

After `limit` failures within `window` from one address, or against one username, further
attempts are refused (HTTP 429) until the oldest failure leaves the window, even with the
right password. A successful login clears its username's count but not its address's, so
an attacker who owns one account cannot reset the count for their guesses at others.

The counts live in this process's memory: several server processes each count on their
own, and a restart forgets them. That bounds guessing to a few dozen tries an hour per
process; the argon2 cost of each try and the length rule on passwords do the rest.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, deque

LIMIT = 10
WINDOW = dt.timedelta(minutes=15)
# Made-up usernames are free to send: beyond this many keys the least recently failed are
# forgotten, so the memory stays bounded.
MAX_KEYS = 50_000


class LoginThrottle:
    """Failed logins per key ("ip:..." and "user:..."), in a sliding window; thread-safe."""

    def __init__(
        self, *, limit: int = LIMIT, window: dt.timedelta = WINDOW, max_keys: int = MAX_KEYS
    ) -> None:
        self.limit = limit
        self.window = window
        self._max_keys = max_keys
        self._failures: OrderedDict[str, deque[dt.datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, address: str, username: str, now: dt.datetime) -> dt.timedelta | None:
        """How long until a login may be tried again, or None when it may be tried now."""
        waits: list[dt.timedelta] = []
        with self._lock:
            for key in _keys(address, username):
                failures = self._recent(key, now) if key in self._failures else ()
                if len(failures) >= self.limit:
                    waits.append(failures[-self.limit] + self.window - now)
        return max(waits) if waits else None

    def failed(self, address: str, username: str, now: dt.datetime) -> None:
        with self._lock:
            for key in _keys(address, username):
                self._recent(key, now).append(now)
                self._failures.move_to_end(key)
            while len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(f"user:{username}", None)

    def _recent(self, key: str, now: dt.datetime) -> deque[dt.datetime]:
        failures = self._failures.get(key)
        if failures is None:
            failures = self._failures[key] = deque()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures


def _keys(address: str, username: str) -> tuple[str, str]:
    return f"ip:{address}", f"user:{username}"
