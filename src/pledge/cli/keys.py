"""`pledge webhook-key`: the key recipients check Pledge's webhook signatures with.

It is derived from the same secret as every other key (PLEDGE_SECRET_KEY, or the file kept
beside a SQLite store), so it is printed, never stored: the operator hands it to the
recipient's developers once, over a safe channel.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from pledge.cli.app import app
from pledge.cli.versions import StoreUrl
from pledge.errors import PledgeError, display_path
from pledge.services import Keys, load_secret
from pledge.settings import Settings


@app.command("webhook-key")
def webhook_key(
    declaration: Annotated[
        Path | None,
        typer.Argument(help="the declaration file; the store is beside it (or give --store)"),
    ] = None,
    store: StoreUrl = None,
) -> None:
    """Print the key of the webhooks' signatures (X-Pledge-Signature), in hex."""
    if declaration is None and not (store or os.environ.get("PLEDGE_STORE_URL")):
        raise PledgeError(
            "which store? no declaration file and no store URL were given",
            "give the declaration (the store is beside it), --store URL or PLEDGE_STORE_URL",
        )
    if declaration is not None and not declaration.is_file():
        raise PledgeError(
            f"{display_path(declaration)}: no such file", "give the path to a pledge.yaml"
        )
    settings = Settings.build(declaration or Path("pledge.yaml"), store_url=store)
    key = Keys.derive(load_secret(settings.store_url)).webhooks
    typer.echo(key.hex())
    typer.echo(
        "HMAC-SHA256 of each call's body under this key, in hex, is its X-Pledge-Signature "
        "(after 'sha256='); hand it to the recipient over a safe channel",
        err=True,
    )
