"""Meaning-level checks: a declaration can be valid and still break its own promises.

Each rule is a function registered with `@rule(CODE)`; it receives a `LintContext` and
yields warnings. Rule codes follow the catalogue in COMMITMENTS.md (e.g. RET-UNDEFINED).
"""

from __future__ import annotations

# Importing the rule modules registers their rules.
from pledge.declaration.lint import rules_children as _children  # noqa: F401
from pledge.declaration.lint import rules_processing as _processing  # noqa: F401
from pledge.declaration.lint import rules_rights as _rights  # noqa: F401
from pledge.declaration.lint import rules_transfers as _transfers  # noqa: F401
from pledge.declaration.lint.base import RULES, LintContext, rule
from pledge.declaration.load import LoadedDeclaration
from pledge.errors import Problem


def lint(loaded: LoadedDeclaration) -> list[Problem]:
    context = LintContext(loaded.declaration, loaded.document)
    found = [problem for check in RULES.values() for problem in check(context)]
    return sorted(found, key=lambda p: (p.where, p.code))


__all__ = ["RULES", "LintContext", "lint", "rule"]
