"""The declaration the server publishes right now, and how it is swapped for a new one.

Requests read one immutable `Published` snapshot; a reload builds a whole new snapshot
and replaces the reference in one assignment, so a request never sees half of each. A
reload that fails leaves the old snapshot in place and records why.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pledge import rights as _rights  # noqa: F401  (registers the job handlers)
from pledge.declaration.load import LoadedDeclaration, load_declaration
from pledge.declaration.model import Declaration
from pledge.errors import InvalidDeclaration, PledgeError
from pledge.jobs.background import BackgroundRunner
from pledge.jobs.registry import JOBS
from pledge.jobs.runner import Runner
from pledge.notice.render import render_notice
from pledge.notice_versions import last_updated, record_version
from pledge.retention.schedule import ensure_scheduled  # also registers the sweep's job
from pledge.services import Services
from pledge.settings import Settings
from pledge.store import Store, open_store

logger = logging.getLogger("pledge.web")

NoticeFormat = Literal["html", "md"]
# What identifies one state of the file on disk: (inode, size, mtime in ns).
Fingerprint = tuple[int, int, int]


@dataclass(frozen=True)
class Published:
    """One loaded declaration and what the store says about it."""

    loaded: LoadedDeclaration
    version: int
    loaded_at: dt.datetime
    last_updated: dt.date | None
    fingerprint: Fingerprint | None
    # Rendered notices by (format, language); filled on first request, dropped with the snapshot.
    rendered: dict[tuple[NoticeFormat, str], str] = field(default_factory=dict, compare=False)

    @property
    def declaration(self) -> Declaration:
        return self.loaded.declaration

    def notice(self, fmt: NoticeFormat, lang: str) -> str:
        key = (fmt, lang)
        if key not in self.rendered:
            self.rendered[key] = render_notice(
                self.declaration, fmt=fmt, lang=lang, last_updated=self.last_updated
            )
        return self.rendered[key]


@dataclass(frozen=True)
class ReloadFailure:
    """Why the latest reload was refused: one line per problem, as `pledge check` shows them."""

    at: dt.datetime
    problems: list[str]


class DeclarationHolder:
    """Owns the store connection, the currently published declaration and the services
    (databases, mail, keys) that answering requests needs, with the job runner using them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.path = settings.declaration
        self.store_url = settings.store_url
        self.last_reload_error: ReloadFailure | None = None
        self._store: Store | None = None
        self._services: Services | None = None
        self._jobs: BackgroundRunner | None = None
        self._published: Published | None = None
        self._lock = threading.Lock()  # reloads come from the watcher and SIGHUP at once

    @property
    def current(self) -> Published:
        if self._published is None:
            raise RuntimeError("the declaration is read when the app starts; it has not started")
        return self._published

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the store is opened when the app starts; it has not started")
        return self._store

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("the services are built when the app starts; it has not started")
        return self._services

    def start(self) -> Published:
        """Open the store, publish the declaration and start the jobs; any problem stops it."""
        self._store = open_store(self.store_url)
        try:
            published = self._load()
            self._services = Services.from_settings(self.settings, lambda: self.current.declaration)
            # Whoever runs the jobs (this server or `pledge worker`), the next sweep is queued.
            with self._store.session(write=True) as session:
                ensure_scheduled(session, self.settings.sweep, now=dt.datetime.now(dt.UTC))
            if self.settings.run_jobs:
                runner = Runner(self._store, JOBS, services=self._services)
                self._jobs = BackgroundRunner(runner)
                self._jobs.start()
            return published
        except BaseException:
            self.close()
            raise

    def wake_jobs(self) -> None:
        """Run queued jobs now (call after the transaction that queued them committed)."""
        if self._jobs is not None:
            self._jobs.wake()

    def close(self) -> None:
        if self._jobs is not None:
            self._jobs.stop()
            self._jobs = None
        if self._services is not None:
            self._services.close()
            self._services = None
        if self._store is not None:
            self._store.close()
            self._store = None

    def reload(self, reason: str) -> bool:
        """Publish the file's current content; on failure keep serving the previous one."""
        try:
            published = self._load()
        except PledgeError as exc:
            self._refuse(reason, _problem_lines(exc))
            return False
        except Exception as exc:
            # A bug or a store outage: the server must keep serving what it had.
            logger.exception("reloading %s (%s) failed unexpectedly", self.path, reason)
            self._refuse(reason, [f"internal error: {type(exc).__name__}: {exc}"])
            return False
        logger.info(
            "reloaded %s (%s): serving notice version %d", self.path, reason, published.version
        )
        return True

    def changed_on_disk(self) -> bool:
        """Whether the file differs from the one last read (or tried)."""
        return _fingerprint(self.path) != self.current.fingerprint

    def _load(self) -> Published:
        with self._lock:
            # Taken before reading: a write during the read then shows as a change later.
            fingerprint = _fingerprint(self.path)
            loaded = load_declaration(self.path)
            version = record_version(self.store, loaded.declaration)
            published = Published(
                loaded=loaded,
                version=version.number,
                loaded_at=dt.datetime.now(dt.UTC),
                last_updated=last_updated(self.store, loaded.declaration),
                fingerprint=fingerprint,
            )
            self._published = published
            self.last_reload_error = None
            return published

    def _refuse(self, reason: str, problems: list[str]) -> None:
        self.last_reload_error = ReloadFailure(at=dt.datetime.now(dt.UTC), problems=problems)
        version = self._published.version if self._published else 0
        logger.error(
            "reload of %s (%s) refused; still serving notice version %d:",
            self.path,
            reason,
            version,
        )
        for line in problems:
            logger.error("  %s", line)


def _problem_lines(exc: PledgeError) -> list[str]:
    if isinstance(exc, InvalidDeclaration):
        return [str(problem) for problem in exc.problems]
    return [str(exc)]


def _fingerprint(path: Path) -> Fingerprint | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)
