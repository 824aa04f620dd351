"""Reloading the declaration while serving: when its file changes, and on SIGHUP.

Reloads run in a worker thread (reading YAML and writing the store block) and one at a
time (the holder's lock); the event loop keeps answering requests meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import anyio.to_thread
from watchfiles import Change, awatch

from pledge.web.state import DeclarationHolder

logger = logging.getLogger("pledge.web")


class Reloader:
    """Asks the holder to reload, from async code or from a signal handler."""

    def __init__(self, holder: DeclarationHolder) -> None:
        self.holder = holder
        self._pending: set[asyncio.Task[bool]] = set()

    async def reload(self, reason: str) -> bool:
        return await anyio.to_thread.run_sync(self.holder.reload, reason)

    def request(self, reason: str) -> None:
        """Start a reload without waiting for it (a signal handler cannot wait)."""
        task = asyncio.get_running_loop().create_task(self.reload(reason))
        self._pending.add(task)  # keep a reference until it ends, or it may be collected
        task.add_done_callback(self._pending.discard)

    async def finish(self) -> None:
        """Let reloads already started end before the store closes."""
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)


async def watch_declaration(reloader: Reloader, stop: asyncio.Event, armed: asyncio.Event) -> None:
    """Reload each time the declaration's file changes, until `stop` is set.

    The folder is watched rather than the file: editors often save by writing a new file
    and renaming it over the old one, which a watch on the old file would miss. `armed` is
    set just before the watch begins: the watch is in place once the caller runs again.
    """
    target = reloader.holder.path.resolve()

    def is_declaration(change: Change, path: str) -> bool:
        return Path(path) == target

    try:
        armed.set()
        async for _changes in awatch(
            target.parent, watch_filter=is_declaration, stop_event=stop, recursive=False
        ):
            await reloader.reload("file changed")
    except Exception:
        # Serving goes on without live reload; SIGHUP or a restart still reloads.
        logger.exception("watching %s stopped", target)


def install_sighup(on_hangup: Callable[[], None]) -> Callable[[], None]:
    """Call `on_hangup` on SIGHUP; return the function that removes it again.

    asyncio can only take signals in the main thread (a server run from a test's thread is
    not); there, and where SIGHUP does not exist, this does nothing and says so.
    """
    hangup = getattr(signal, "SIGHUP", None)
    if hangup is None:
        logger.info("this platform has no SIGHUP; reload by editing the declaration")
        return _nothing
    if threading.current_thread() is not threading.main_thread():
        logger.info("not in the main thread: SIGHUP will not reload; file changes still do")
        return _nothing
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(hangup, on_hangup)
    except (NotImplementedError, RuntimeError, ValueError) as exc:
        logger.warning("cannot handle SIGHUP here (%s); file changes still reload", exc)
        return _nothing

    def remove() -> None:
        loop.remove_signal_handler(hangup)

    return remove


def _nothing() -> None:
    return None
