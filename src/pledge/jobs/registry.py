"""Job handlers by kind, each with the errors it expects.

A handler advances one row: it receives a `JobContext` (the transaction it works in, and the
time) and the id of that row, nothing else, so that it can be re-run from the id alone.
Every handler must be idempotent: run again on a row already advanced, it does nothing.

    @job("request.acknowledge", throws=(PledgeError,))
    def acknowledge(ctx: JobContext, ref: str) -> None: ...

An error listed in `throws` is an expected outcome (the request was withdrawn, the input is
wrong): the job fails at once with its message and is not retried. Any other error is taken
for a passing fault (a lost connection, a deadlock) and the job is retried with a backoff.

A long job that commits as it goes (a retention sweep, batch by batch) registers with
`own_transactions=True`: it runs outside any store transaction and opens its own from
`ctx.store`, and the runner marks it done afterwards in a short transaction of its own.
Held around such a job, one transaction would keep SQLite's write lock for its whole run,
and the job's own writes would wait on that lock until they time out. Its `lease` may be
longer than the runner's, so that no other runner takes it over while it is still at work.
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
    from pledge.store import Store

KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")


@dataclass(frozen=True)
class JobContext:
    """What a handler may use besides the id: its transaction and the runner's clock.

    The job is marked done in `session` too, so the handler's writes and the job's completion
    commit together or not at all. A job with `own_transactions` has no such session: it
    opens its own from `store`, and what it committed stays even if it then fails.
    """

    session_given: Session | None
    now: dt.datetime
    kind: str
    job_id: int
    attempt: int
    services_given: Services | None = None
    store_given: Store | None = None

    @property
    def session(self) -> Session:
        """The job's transaction (not for jobs registered with `own_transactions`)."""
        if self.session_given is None:
            raise RuntimeError(
                f"job {self.kind} runs with own_transactions: open sessions from ctx.store"
            )
        return self.session_given

    @property
    def store(self) -> Store:
        """The store, for a job that opens its own transactions."""
        if self.store_given is None:
            raise RuntimeError(f"job {self.kind} was given no store; a Runner gives one")
        return self.store_given

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
    own_transactions: bool = False
    lease: dt.timedelta | None = None  # None: the runner's


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
        own_transactions: bool = False,
        lease: dt.timedelta | None = None,
    ) -> Callable[[Handler], Handler]:
        """Register the decorated function as the handler of `kind`."""
        if not KIND.fullmatch(kind):
            raise ValueError(f"job kind {kind!r} should look like 'request.acknowledge'")
        if max_attempts is not None and max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {max_attempts}")
        if lease is not None and lease <= dt.timedelta(0):
            raise ValueError(f"a lease must be longer than nothing, not {lease}")

        def register(handler: Handler) -> Handler:
            if kind in self._specs:
                raise ValueError(f"a handler for job kind {kind!r} is registered already")
            self._specs[kind] = JobSpec(
                kind, handler, tuple(throws), max_attempts, own_transactions, lease
            )
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
