"""A clock the test moves by hand, shared by runners in several threads."""

from __future__ import annotations

import datetime as dt
import threading

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class ManualClock:
    def __init__(self, start: dt.datetime = START) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            return self._now

    def advance(self, delta: dt.timedelta) -> None:
        with self._lock:
            self._now += delta
