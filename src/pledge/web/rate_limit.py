"""Counting a caller's recent tries, so public forms cannot be hammered.

A sliding window: a key (an IP address, an email address) may act `limit` times in any
`window`; the moments of its recent tries are kept and the ones older than the window
dropped. The counts live in this process's memory: each server process counts on its own,
and a restart forgets them. That is enough to slow a script down; the limits that matter
for safety (tries per code, codes per request) are kept in the store by
`pledge.rights.verification`, where every process sees them.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

# Beyond this many keys the least recently seen ones are forgotten, so a flood of made-up
# addresses cannot grow the process without bound (it can only make us forget early).
MAX_KEYS = 100_000


@dataclass(frozen=True)
class Limit:
    """At most `count` tries in `seconds`."""

    count: int
    seconds: float


class SlidingWindow:
    """At most `limit.count` tries per key in any `limit.seconds`; safe across threads."""

    def __init__(
        self,
        limit: Limit,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._max_keys = max_keys
        self._tries: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count a try for `key`; False (and not counted) once the key used its allowance."""
        now = self._clock()
        with self._lock:
            tries = self._tries.get(key)
            if tries is None:
                tries = self._tries[key] = deque()
            self._tries.move_to_end(key)
            while tries and tries[0] <= now - self.limit.seconds:
                tries.popleft()
            if len(tries) >= self.limit.count:
                return False
            tries.append(now)
            while len(self._tries) > self._max_keys:
                self._tries.popitem(last=False)
            return True

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may try again (0 when it may now)."""
        now = self._clock()
        with self._lock:
            live = [t for t in self._tries.get(key, ()) if t > now - self.limit.seconds]
            if len(live) < self.limit.count:
                return 0
            return max(1, math.ceil(live[0] + self.limit.seconds - now))
