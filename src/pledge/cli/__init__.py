"""The `pledge` command. Thin: each command parses options and calls domain functions."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

# Typer vendors its own click; usage errors are raised as its ClickException.
from typer._click.exceptions import ClickException

# Importing a command module registers its commands on `app`.
from pledge.cli import check as _check  # noqa: F401  (registration)
from pledge.cli import demo as _demo  # noqa: F401  (registration)
from pledge.cli import keys as _keys  # noqa: F401  (registration)
from pledge.cli import notice as _notice  # noqa: F401  (registration)
from pledge.cli import plan as _plan  # noqa: F401  (registration)
from pledge.cli import records as _records  # noqa: F401  (registration)
from pledge.cli import replay as _replay  # noqa: F401  (registration)
from pledge.cli import requests as _requests  # noqa: F401  (registration)
from pledge.cli import retention_people as _retention_people  # noqa: F401  (registration)
from pledge.cli import serve as _serve  # noqa: F401  (registration)
from pledge.cli import sources as _sources  # noqa: F401  (registration)
from pledge.cli import sweep as _sweep  # noqa: F401  (registration)
from pledge.cli import users as _users  # noqa: F401  (registration)
from pledge.cli import versions as _versions  # noqa: F401  (registration)
from pledge.cli.app import app
from pledge.errors import InvalidDeclaration, PledgeError


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; input errors are printed, never raised."""
    try:
        result = app(args=list(argv) if argv is not None else None, standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except ClickException as exc:
        exc.show()
        return exc.exit_code
    except typer.Abort:
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
    # Without standalone mode, typer hands back the code of a `raise typer.Exit(n)`.
    return result if isinstance(result, int) else 0


def main() -> None:
    sys.exit(run())
