"""Counting a caller's recent tries, so public forms cannot be hammered.

A sliding window: a key (an IP address, an email address) may act `limit.count` times in
any `limit.seconds`. The tries are kept in the store (pledge.store.recent_tries), the key
only as a keyed hash: every server process counts them together, a restart forgets none,
and two processes at once cannot both let the last try through. The limits on the codes
themselves (tries per code, codes per request) are kept by `pledge.rights.verification`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from pledge.store import Store
from pledge.store.recent_tries import TryWindow

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Limit:
    """At most `count` tries in `seconds`."""

    count: int
    seconds: float


class SlidingWindow:
    """At most `limit.count` tries per key in any `limit.seconds`, counted in the store
    under `scope` (a name of its own per window); safe across threads and processes.

    Each call is a transaction on the store: call it from a worker thread, not the event loop.
    """

    def __init__(
        self,
        scope: str,
        limit: Limit,
        *,
        store: Callable[[], Store],
        secret: Callable[[], bytes],
        clock: Clock = utc_now,
    ) -> None:
        self.limit = limit
        self._tries = TryWindow(
            scope, limit.count, dt.timedelta(seconds=limit.seconds), store=store, secret=secret
        )
        self._clock = clock

    def allow(self, key: str) -> bool:
        """Count a try for `key`; False (and not counted) once the key used its allowance."""
        return self._tries.take(key, self._clock()) is not None

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may try again (0 when it may now)."""
        wait = self._tries.wait(key, self._clock())
        return 0 if wait is None else max(1, math.ceil(wait.total_seconds()))
