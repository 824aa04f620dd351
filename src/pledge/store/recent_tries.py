"""Recent tries, kept in the store: the sliding windows behind the privacy center's rate
limits (pledge.web.rate_limit) and the staff login throttle (pledge.auth.throttle).

A window allows each key (an IP address, an email address, a username) `limit` tries in any
`length` of time. Its tries are rows of `rate_tries`, so every server process counts them
together and a restart forgets none. A row holds the window's scope, the moment, and an
HMAC-SHA256 of the key under a key derived from the server's secret: the store never holds
an address in clear, and whoever reads it cannot test guesses without the secret.

Two processes counting one key at once must not both slip under the limit, so a change to a
key's tries first takes the key's lock for its transaction: on PostgreSQL an advisory lock
on the key's digest (a first try has no row yet to lock), on SQLite the database's write
lock, which a writing transaction holds from its start. A key's expired tries go when it
tries again; every few minutes a window also sweeps out its scope's expired tries and any
try older than the longest window, so the table holds only the tries still counted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import threading
from collections.abc import Callable

from sqlalchemy import and_, delete, or_, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from pledge.store.database import Store
from pledge.store.tables_limits import RateTryRow

PURPOSE = b"pledge rate limit keys"
LONGEST_WINDOW = dt.timedelta(days=1)
SWEEP_EVERY = dt.timedelta(minutes=5)
SWEEP_BATCH = 1000
MAX_SCOPE = 32
# The first number of the two-number advisory locks taken here, marking them as the rate
# limits' (the store's migration lock has the one-number form); the second is the key's.
_LOCK_SPACE = 0x706C6772


class TryWindow:
    """At most `limit` tries per key in any `length`, counted in the store; thread-safe.

    `store` and `secret` are asked for at each use: a server opens its store and reads its
    secret when it starts, after its routes (and their windows) are made.
    """

    def __init__(
        self,
        scope: str,
        limit: int,
        length: dt.timedelta,
        *,
        store: Callable[[], Store],
        secret: Callable[[], bytes],
    ) -> None:
        if not 0 < len(scope) <= MAX_SCOPE:
            raise ValueError(f"a window's scope has 1 to {MAX_SCOPE} characters, not {scope!r}")
        if limit < 1 or not dt.timedelta(0) < length <= LONGEST_WINDOW:
            raise ValueError(
                f"window {scope!r}: {limit} tries in {length} (a window allows at least one"
                f" try, and lasts more than no time and at most {LONGEST_WINDOW})"
            )
        self.scope = scope
        self.limit = limit
        self.length = length
        self._store = store
        self._secret = secret
        self._swept_at: dt.datetime | None = None
        self._sweep_lock = threading.Lock()

    def digest(self, key: str) -> str:
        """What the store keeps instead of `key`: the same key always gives the same digest."""
        derived = hmac.new(self._secret(), PURPOSE, hashlib.sha256).digest()
        return hmac.new(derived, f"{self.scope}\n{key}".encode(), hashlib.sha256).hexdigest()

    def take(self, key: str, now: dt.datetime) -> int | None:
        """Count a try of `key` at `now`, and return its id; None (and not counted) once the
        key has used its allowance. The count and the new try are one transaction."""
        digest = self.digest(key)
        with self._store().session(write=True) as session:
            if len(self._locked_tries(session, digest, now)) >= self.limit:
                taken = None
            else:
                row = RateTryRow(scope=self.scope, key_digest=digest, moment=now)
                session.add(row)
                session.flush()
                taken = row.id
        self._sweep_if_due(now)
        return taken

    def give_back(self, try_id: int) -> None:
        """Uncount one try that `take` counted (it turned out not to count)."""
        with self._store().session(write=True) as session:
            session.execute(delete(RateTryRow).where(RateTryRow.id == try_id))

    def wait(self, key: str, now: dt.datetime) -> dt.timedelta | None:
        """How long until `key` may try again; None when it may now."""
        with self._store().session() as session:
            tries = self._tries(session, self.digest(key), now)
        if len(tries) < self.limit:
            return None
        # Free once all but limit - 1 of its tries have left the window.
        return tries[-self.limit] + self.length - now

    def forget(self, key: str) -> None:
        """Drop every try of `key`."""
        digest = self.digest(key)
        with self._store().session(write=True) as session:
            _lock(session, digest)
            session.execute(delete(RateTryRow).where(*self._of(digest)))

    def sweep(self, now: dt.datetime) -> int:
        """Delete this scope's tries that left the window, and anyone's older than the
        longest window, in short transactions; how many went."""
        expired = or_(
            and_(RateTryRow.scope == self.scope, RateTryRow.moment <= now - self.length),
            RateTryRow.moment <= now - LONGEST_WINDOW,
        )
        # Rows another transaction holds are skipped, not waited for: a sweep then never
        # waits on a try in progress, and they cannot lock each other out.
        batch = select(RateTryRow.id).where(expired).limit(SWEEP_BATCH)
        batch = batch.with_for_update(skip_locked=True)
        swept = 0
        while True:
            with self._store().session(write=True) as session:
                result = session.execute(
                    delete(RateTryRow)
                    .where(RateTryRow.id.in_(batch.scalar_subquery()))
                    .execution_options(synchronize_session=False)
                )
            count = int(getattr(result, "rowcount", 0) or 0)
            swept += count
            if count < SWEEP_BATCH:
                return swept

    def _locked_tries(self, session: Session, digest: str, now: dt.datetime) -> list[dt.datetime]:
        """The key's tries still in the window, under the key's lock; the expired ones go."""
        _lock(session, digest)
        session.execute(
            delete(RateTryRow)
            .where(*self._of(digest), RateTryRow.moment <= now - self.length)
            .execution_options(synchronize_session=False)
        )
        return self._tries(session, digest, now)

    def _tries(self, session: Session, digest: str, now: dt.datetime) -> list[dt.datetime]:
        return list(
            session.scalars(
                select(RateTryRow.moment)
                .where(*self._of(digest), RateTryRow.moment > now - self.length)
                .order_by(RateTryRow.moment)
            )
        )

    def _of(self, digest: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
        return RateTryRow.scope == self.scope, RateTryRow.key_digest == digest

    def _sweep_if_due(self, now: dt.datetime) -> None:
        with self._sweep_lock:
            last = self._swept_at
            # A clock set back (by a test, or by hand) counts as due.
            if last is not None and last <= now < last + SWEEP_EVERY:
                return
            self._swept_at = now
        self.sweep(now)


def _lock(session: Session, digest: str) -> None:
    """Hold the key's lock until the transaction ends (SQLite's writers hold it already)."""
    if session.get_bind().dialect.name == "postgresql":
        # Two keys sharing these 32 bits only wait for each other a moment; never both pass.
        number = int.from_bytes(bytes.fromhex(digest[:8]), "big", signed=True)
        session.execute(
            text("SELECT pg_advisory_xact_lock(CAST(:space AS integer), CAST(:key AS integer))"),
            {"space": _LOCK_SPACE, "key": number},
        )
