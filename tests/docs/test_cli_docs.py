"""Every `pledge` command has its section in docs/cli.md, with its options and an example."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

import pledge.cli  # noqa: F401  (importing it registers every command on the app)
from pledge.cli.app import app

DOCS = Path(__file__).parents[2] / "docs" / "cli.md"
HEADING = re.compile(r"^## `pledge ([a-z-]+)`", re.MULTILINE)


def _commands() -> dict[str, Any]:
    # Typer builds a click-style group (its own vendored click in recent releases, so this
    # reads the `commands` mapping rather than checking for a `click.Group`).
    commands = getattr(typer.main.get_command(app), "commands", None)
    assert isinstance(commands, dict), "the pledge app should be a group of commands"
    return dict(commands)


def _sections() -> dict[str, str]:
    parts = HEADING.split(DOCS.read_text(encoding="utf-8"))[1:]
    return dict(zip(parts[0::2], parts[1::2], strict=True))


def test_every_command_is_documented() -> None:
    missing = sorted(set(_commands()) - set(_sections()))
    assert not missing, f"commands without a '## `pledge <name>`' section in cli.md: {missing}"


def test_no_documented_command_is_stale() -> None:
    stale = sorted(set(_sections()) - set(_commands()))
    assert not stale, f"cli.md documents commands that are not registered: {stale}"


def test_every_option_is_documented_in_its_section() -> None:
    sections = _sections()
    missing = []
    for name, command in _commands().items():
        body = sections.get(name, "")
        for param in command.params:
            if param.param_type_name != "option":
                continue
            flags = [flag for flag in param.opts if flag.startswith("--") and flag != "--help"]
            missing += [f"pledge {name} {flag}" for flag in flags if f"`{flag}" not in body]
    assert not missing, f"options missing from cli.md: {missing}"


def test_every_section_shows_the_command_run() -> None:
    without = [
        name
        for name, body in _sections().items()
        if "```console" not in body or f"$ pledge {name}" not in body
    ]
    assert not without, f"cli.md sections without a console example: {without}"
