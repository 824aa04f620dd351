"""The job runner inside `pledge serve`: a thread that runs due jobs, and wakes when asked.

Web handlers that queue work call `wake()` after their transaction commits, so a code
mail goes out at once rather than at the next tick; the tick (one second) catches jobs due
later (retries, a crashed runner's leases). Several servers, or `pledge worker` beside
them, can run at once: claims are safe between runners (pledge.jobs.runner).
"""

from __future__ import annotations

import logging
import threading

from pledge.jobs.runner import Runner

log = logging.getLogger("pledge.jobs")

TICK_SECONDS = 1.0


class BackgroundRunner:
    def __init__(self, runner: Runner, *, tick: float = TICK_SECONDS) -> None:
        self.runner = runner
        self.tick = tick
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="pledge-jobs", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.runner.run_pending()
            except Exception:
                # A store outage must not end the thread: the next tick tries again.
                log.exception("running queued jobs failed; trying again in %.0f s", self.tick)
            self._wake.wait(self.tick)
