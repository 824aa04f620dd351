"""`pledge serve`: publish the notice and the API over HTTP, reloading on change."""

from __future__ import annotations

import copy
import dataclasses
import os
import socket
from pathlib import Path
from typing import Annotated, Any

import typer

from pledge.cli.app import app
from pledge.declaration.load import load_declaration
from pledge.errors import PledgeError
from pledge.mail.sender import MailSettings
from pledge.services import load_secret, outbox_folder
from pledge.settings import Settings
from pledge.store import open_store


@app.command()
def serve(
    path: Annotated[Path, typer.Argument(help="the declaration file, e.g. pledge.yaml")],
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="the store's database URL (default: $PLEDGE_STORE_URL, else a SQLite file "
            "beside the declaration)",
            show_default=False,
        ),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(help="address to listen on (default: $PLEDGE_HOST, else 127.0.0.1)"),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(min=0, max=65535, help="port (default: $PLEDGE_PORT, else 8000)"),
    ] = None,
    watch: Annotated[
        bool | None,
        typer.Option(
            "--watch/--no-watch",
            help="reload when the declaration file changes (default: watch)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the privacy notice and its JSON API; reload on file change or SIGHUP."""
    # Both checks fail here with a plain message rather than in the server's start-up log.
    declaration = load_declaration(path).declaration
    settings = Settings.build(path, store_url=store, host=host, port=port, watch=watch)
    open_store(settings.store_url).close()
    load_secret(settings.store_url)  # a store other than SQLite needs PLEDGE_SECRET_KEY

    # Imported here: the web stack takes a while to import and only this command needs it.
    import uvicorn

    from pledge.web import create_app

    # Bound before announcing: a busy port fails here, and --port 0 gets a real port to show.
    listener = _listen(settings.host, settings.port)
    base = _base_url(settings.host, listener.getsockname()[1])
    if not os.environ.get("PLEDGE_PUBLIC_URL", "").strip():
        settings = dataclasses.replace(settings, public_url=base)
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        ws="none",  # no websocket routes: do not load a websocket library
        lifespan="on",
        log_config=_log_config(),
    )
    typer.echo(f"Serving {declaration.organisation.name}'s privacy notice at {base}/privacy")
    typer.echo(f"Privacy center at {base}/privacy/requests; staff console at {base}/admin")
    typer.echo(f"API docs at {base}/docs; health at {base}/health")
    typer.echo(_mail_line(settings))
    reloads = f"when {path} changes or on SIGHUP" if settings.watch else "on SIGHUP"
    typer.echo(f"The notice reloads {reloads}. Press Ctrl+C to stop.")

    server = uvicorn.Server(config)
    server.run(sockets=[listener])
    if not server.started:
        raise typer.Exit(1)


def _mail_line(settings: Settings) -> str:
    relay = MailSettings.configured(os.environ)
    if relay is not None:
        return f"Mail goes through {relay.host}:{relay.port} from {relay.sender}"
    outbox = outbox_folder(settings.store_url)
    if outbox is not None:
        return f"No mail relay is set (PLEDGE_SMTP_HOST): mails are written to {outbox}/"
    return "No mail relay is set (PLEDGE_SMTP_HOST): mails to people cannot be sent"


def _listen(host: str, port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        raise PledgeError(
            f"cannot listen on {_base_url(host, port)}: {exc.strerror or exc}",
            "choose another --port, or stop the program that uses this one",
        ) from None
    return listener


def _base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, plus Pledge's own messages (reloads and refused reloads)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["pledge"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
