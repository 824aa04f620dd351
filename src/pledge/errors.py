"""The one error shape Pledge shows people: what is wrong, where, and a hint.

Every failure a user can cause (bad YAML, an unknown reference, a missing file) is a
`PledgeError`; the CLI prints it without a traceback and the API renders it as one JSON
envelope. Anything else escaping is a bug in Pledge.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Position:
    """A place in a file; line and column count from 1, as editors show them."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One finding about a declaration: an error that stops it, or a lint warning."""

    where: Position
    message: str
    hint: str = ""
    severity: Severity = "error"
    code: str = ""

    def __str__(self) -> str:
        label = "warning: " if self.severity == "warning" else ""
        text = f"{self.where}: {label}{self.message}"
        if self.hint:
            text += f" — {self.hint}"
        if self.code:
            text += f" [{self.code}]"
        return text


class PledgeError(Exception):
    """A failure caused by input, carrying everything needed to explain it."""

    status_code = 400

    def __init__(self, message: str, hint: str = "", where: Position | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.where = where

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        suffix = f" — {self.hint}" if self.hint else ""
        return f"{prefix}{self.message}{suffix}"


class NotFound(PledgeError):
    status_code = 404


class InvalidDeclaration(PledgeError):
    """A declaration with one or more errors; `problems` holds every one, sorted by place."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: p.where)
        count = sum(p.severity == "error" for p in self.problems)
        super().__init__(f"{count} error(s) in the declaration")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def display_path(path: Path) -> str:
    """The path as the user typed it, relative when it is under the working directory."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
