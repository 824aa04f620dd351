"""Statements of one transaction that need not wait for each other, sent together.

An erasure's writes do not depend on each other's answers: the deletes go children first,
then the updates, then the reads of what remains, and the server runs them in the order
they were sent. `StatementQueue.send` keeps a statement and returns its place; asking for
its rows (`Queued.rows`) sends everything kept so far in one psycopg pipeline: one round
trip instead of one per statement. Where the driver cannot (SQLite, MySQL/MariaDB), `send`
runs the statement at once, so the same code serves every database.

Statements run through the pipeline are compiled once per statement object: send kept
objects (pledge.sources.plan_cache), not new ones per call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Connection

from pledge.sources.pipelined import PipelineError, Statement, can_pipeline, run_together

Row = tuple[Any, ...]


class Queued:
    """One statement sent through a queue: its rows, once they are asked for."""

    __slots__ = ("_queue", "_rows")

    def __init__(self, queue: StatementQueue, rows: list[Row] | None = None) -> None:
        self._queue = queue
        self._rows = rows

    def rows(self) -> list[Row]:
        """The rows it returned (none for a write without RETURNING); sends what waits."""
        if self._rows is None:
            self._queue.flush()
        assert self._rows is not None
        return self._rows

    def _answer(self, rows: list[Row]) -> None:
        self._rows = rows


class StatementQueue:
    """Statements for one connection, sent in order, together where the driver can."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.together = can_pipeline(connection)
        self.doing = ""  # what the statement that failed was doing, for its error message
        self._waiting: list[tuple[Statement, Mapping[str, Any], str, Queued]] = []

    def __enter__(self) -> StatementQueue:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.flush()  # what was sent and never asked for is written too

    def send(self, statement: Statement, params: Mapping[str, Any], doing: str) -> Queued:
        """Run the statement now, or keep it for the next round trip. `doing` says what it
        does ("deleting rows"), for the message if the database refuses it."""
        if not self.together:
            self.doing = doing
            result = self.connection.execute(statement, dict(params))
            return Queued(self, [tuple(row) for row in result] if result.returns_rows else [])
        queued = Queued(self)
        self._waiting.append((statement, params, doing, queued))
        return queued

    def execute_now(self, statement: Statement, params: Any, doing: str) -> None:
        """Run a statement at once, after what waits: for many parameter sets, whose rows
        are not wanted (an executemany)."""
        self.flush()
        self.doing = doing
        self.connection.execute(statement, params)

    def flush(self) -> None:
        """Send every waiting statement in one round trip and keep their rows."""
        waiting, self._waiting = self._waiting, []
        if not waiting:
            return
        try:
            answers = run_together(self.connection, [(s, p) for s, p, _, _ in waiting])
        except PipelineError as exc:
            self.doing = waiting[min(exc.failed, len(waiting) - 1)][2]
            raise
        for (_, _, _, queued), rows in zip(waiting, answers, strict=True):
            queued._answer([tuple(row) for row in rows])
