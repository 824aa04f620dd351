"""The `pledge` command. Thin: each command parses options and calls domain functions."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

# Importing a command module registers its commands on `app`.
from pledge.cli import check as _check  # noqa: F401  (registration)
from pledge.cli.app import app
from pledge.errors import InvalidDeclaration, PledgeError


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; input errors are printed, never raised."""
    try:
        app(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        return 1
    except InvalidDeclaration as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        errors = sum(p.severity == "error" for p in exc.problems)
        print(f"{errors} error{'s' if errors != 1 else ''}.", file=sys.stderr)
        return 1
    except PledgeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def main() -> None:
    sys.exit(run())
