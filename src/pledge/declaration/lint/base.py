"""The lint rule registry and the context rules read from."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pledge.declaration.model import Declaration
from pledge.declaration.yaml_source import YamlDocument
from pledge.errors import Problem

Rule = Callable[["LintContext"], Iterable[Problem]]
RULES: dict[str, Rule] = {}


def rule(code: str) -> Callable[[Rule], Rule]:
    def register(check: Rule) -> Rule:
        if code in RULES:
            raise ValueError(f"lint rule {code} registered twice")
        RULES[code] = check
        return check

    return register


@dataclass(frozen=True)
class LintContext:
    declaration: Declaration
    document: YamlDocument

    def warn(
        self,
        code: str,
        path: Sequence[str | int],
        message: str,
        hint: str = "",
        *,
        key: bool = True,
    ) -> Problem:
        where = self.document.where(tuple(path), key=key)
        return Problem(where, message, hint, severity="warning", code=code)
