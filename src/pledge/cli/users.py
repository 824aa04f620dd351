"""`pledge user ...` and `pledge token ...`: staff accounts and API tokens, from the terminal.

These only need the store: give the declaration (the store is the file beside it) or
`--store URL` / PLEDGE_STORE_URL.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from pledge.auth.passwords import check_new_password
from pledge.auth.roles import Role, parse_role
from pledge.auth.tokens import create_token, list_tokens, revoke_token
from pledge.auth.users import create_user, disable_user, list_users, set_password
from pledge.cli.app import app
from pledge.cli.versions import StoreUrl
from pledge.errors import PledgeError, display_path
from pledge.settings import Settings
from pledge.store import Store, open_store

users_app = typer.Typer(
    help="Add, list and disable staff accounts.", no_args_is_help=True, add_completion=False
)
tokens_app = typer.Typer(
    help="Create, list and revoke API tokens.", no_args_is_help=True, add_completion=False
)
app.add_typer(users_app, name="user")
app.add_typer(tokens_app, name="token")

Username = Annotated[str, typer.Argument(help="the account's name, e.g. ann")]
Declaration = Annotated[
    Path | None,
    typer.Argument(help="the declaration file; the store is beside it (or give --store)"),
]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="read the password from the first line of standard input"
    ),
]
TokenName = Annotated[str, typer.Option("--name", help="what the token is for, e.g. ticketing")]


def _store(declaration: Path | None, url: str | None) -> Store:
    if declaration is None:
        if not (url or os.environ.get("PLEDGE_STORE_URL")):
            raise PledgeError(
                "which store? no declaration file and no store URL were given",
                "give the declaration (the store is beside it), --store URL or PLEDGE_STORE_URL",
            )
        return open_store(Settings.build(Path("pledge.yaml"), store_url=url).store_url)
    if not declaration.is_file():
        raise PledgeError(
            f"{display_path(declaration)}: no such file", "give the path to a pledge.yaml"
        )
    return open_store(Settings.build(declaration, store_url=url).store_url)


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise PledgeError("no password on standard input", "send it as the first line")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    check_new_password(password)
    return password


@users_app.command("add")
def add(
    username: Username,
    role: Annotated[
        str, typer.Option("--role", help=f"one of: {', '.join(r.value for r in Role)}")
    ],
    declaration: Declaration = None,
    password_stdin: PasswordStdin = False,
    store: StoreUrl = None,
) -> None:
    """Add a staff account; the password is asked for twice, or read from standard input."""
    chosen = parse_role(role)
    password = _new_password(password_stdin)
    with _store(declaration, store) as opened, opened.session(write=True) as session:
        user = create_user(session, username, password, chosen)
    typer.echo(f"user {user.username} added, with the role {chosen.value}")


@users_app.command("list")
def list_(declaration: Declaration = None, store: StoreUrl = None) -> None:
    """List staff accounts: name, role, when added, whether disabled."""
    with _store(declaration, store) as opened, opened.session() as session:
        users = [
            (
                user.username,
                user.role,
                _day(user.created_at),
                f"disabled {_day(user.disabled_at)}" if user.disabled_at else "active",
            )
            for user in list_users(session)
        ]
    if not users:
        typer.echo("no users; add one with `pledge user add USERNAME --role admin`")
        return
    _table(("username", "role", "added", "status"), users)


@users_app.command("disable")
def disable(username: Username, declaration: Declaration = None, store: StoreUrl = None) -> None:
    """Stop an account signing in; its sessions end and its tokens stop working."""
    with _store(declaration, store) as opened, opened.session(write=True) as session:
        user = disable_user(session, username)
    typer.echo(f"user {user.username} disabled: signed out, and their tokens no longer work")


@users_app.command("password")
def password(
    username: Username,
    declaration: Declaration = None,
    password_stdin: PasswordStdin = False,
    store: StoreUrl = None,
) -> None:
    """Set an account's password; its sessions end, so it signs in again."""
    new = _new_password(password_stdin)
    with _store(declaration, store) as opened, opened.session(write=True) as session:
        user = set_password(session, username, new)
    typer.echo(f"password of {user.username} changed; their sessions have ended")


@tokens_app.command("create")
def token_create(
    username: Username, name: TokenName, declaration: Declaration = None, store: StoreUrl = None
) -> None:
    """Make an API token acting as USERNAME; it is printed once, and never kept."""
    with _store(declaration, store) as opened, opened.session(write=True) as session:
        new = create_token(session, username, name)
    # The token alone on standard output, so that `TOKEN=$(pledge token create ...)` works.
    typer.echo(new.token)
    typer.echo(
        f"token '{new.name}' for {new.username}: keep it now, it cannot be shown again", err=True
    )


@tokens_app.command("list")
def token_list(
    declaration: Declaration = None,
    user: Annotated[
        str | None, typer.Option("--user", help="only this user's tokens", metavar="USERNAME")
    ] = None,
    store: StoreUrl = None,
) -> None:
    """List API tokens (never the tokens themselves): user, name, created, last used, state."""
    with _store(declaration, store) as opened, opened.session() as session:
        tokens = list_tokens(session, user)
    if not tokens:
        typer.echo("no tokens; make one with `pledge token create USERNAME --name NAME`")
        return
    rows = [
        (
            token.username,
            token.name,
            _day(token.created_at),
            _day(token.last_used_at) if token.last_used_at else "never",
            f"revoked {_day(token.revoked_at)}"
            if token.revoked_at
            else ("user disabled" if token.user_disabled else "live"),
        )
        for token in tokens
    ]
    _table(("user", "name", "created", "last used", "state"), rows)


@tokens_app.command("revoke")
def token_revoke(
    username: Username, name: TokenName, declaration: Declaration = None, store: StoreUrl = None
) -> None:
    """Revoke USERNAME's live token of this name; it stops working at once."""
    with _store(declaration, store) as opened, opened.session(write=True) as session:
        revoke_token(session, username, name)
    typer.echo(f"token '{name.strip()}' of {username.strip().lower()} revoked")


def _day(moment: dt.datetime | None) -> str:
    return moment.date().isoformat() if moment else "-"


def _table(headers: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    table = [headers, *rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(headers))]
    for line in table:
        typer.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )
