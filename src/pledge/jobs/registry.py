"""Job handlers by kind, each with the errors it expects.

A handler advances one row: it receives a `JobContext` (the transaction it works in, and the
time) and the id of that row, nothing else, so that it can be re-run from the id alone.
Every handler must be idempotent: run again on a row already advanced, it does nothing.

    @job("request.acknowledge", throws=(PledgeError,))
    def acknowledge(ctx: JobContext, ref: str) -> None: ...

An error listed in `throws` is an expected outcome (the request was withdrawn, the input is
wrong): the job fails at once with its message and is not retried. Any other error is taken
for a passing fault (a lost connection, a deadlock) and the job is retried with a backoff.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from pledge.errors import PledgeError

if TYPE_CHECKING:
    from pledge.services import Services

KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")


@dataclass(frozen=True)
class JobContext:
    """What a handler may use besides the id: its transaction and the runner's clock.

    The job is marked done in `session` too, so the handler's writes and the job's completion
    commit together or not at all.
    """

    session: Session
    now: dt.datetime
    kind: str
    job_id: int
    attempt: int
    services_given: Services | None = None

    @property
    def services(self) -> Services:
        """The declaration, databases, mail and keys; only a runner built with them has them."""
        if self.services_given is None:
            raise PledgeError(
                f"job {self.kind} needs the declaration and its databases",
                "run it from `pledge worker DECLARATION` or `pledge serve`",
            )
        return self.services_given

    @property
    def actor(self) -> str:
        """How a handler signs the events it records: "job:<kind>"."""
        return f"job:{self.kind}"


Handler = Callable[[JobContext, str], None]


@dataclass(frozen=True)
class JobSpec:
    kind: str
    handler: Handler
    throws: tuple[type[Exception], ...]
    max_attempts: int | None


class JobRegistry:
    """The handlers one runner knows; it claims only jobs of these kinds."""

    def __init__(self) -> None:
        self._specs: dict[str, JobSpec] = {}

    def job(
        self,
        kind: str,
        *,
        throws: tuple[type[Exception], ...] = (),
        max_attempts: int | None = None,
    ) -> Callable[[Handler], Handler]:
        """Register the decorated function as the handler of `kind`."""
        if not KIND.fullmatch(kind):
            raise ValueError(f"job kind {kind!r} should look like 'request.acknowledge'")
        if max_attempts is not None and max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {max_attempts}")

        def register(handler: Handler) -> Handler:
            if kind in self._specs:
                raise ValueError(f"a handler for job kind {kind!r} is registered already")
            self._specs[kind] = JobSpec(kind, handler, tuple(throws), max_attempts)
            return handler

        return register

    def spec(self, kind: str) -> JobSpec:
        if kind not in self._specs:
            known = ", ".join(sorted(self._specs)) or "none"
            raise PledgeError(f"no handler for job kind '{kind}'", f"known kinds: {known}")
        return self._specs[kind]

    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted(self._specs))

    def __contains__(self, kind: object) -> bool:
        return kind in self._specs


# The handlers Pledge ships register here when their module is imported (pledge.rights
# imports its own); `pledge worker` runs this registry.
JOBS = JobRegistry()
job = JOBS.job
