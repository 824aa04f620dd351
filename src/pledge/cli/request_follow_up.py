"""`pledge request retry-notice|told-by-hand|resend-mail`: following up, from the terminal,
what Pledge could not finish by itself.

A recipient that could not be told of an erasure, rectification or restriction is tried again
or recorded as told by hand; a mail to the person whose job gave up is queued again. The
console and the API offer the same (pledge.web.admin_console_follow_up, api_requests).
pledge.cli.requests registers these commands on `pledge request`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from pledge.cli.versions import DeclarationPath, StoreUrl
from pledge.declaration.load import load_declaration
from pledge.rights.mail_again import failed_mails, resend_mails
from pledge.rights.recipients import notices, record_told_by_hand, retry_notice
from pledge.rights.requests import get_request
from pledge.settings import Settings
from pledge.store import open_store

ACTOR = "cli"
Reference = Annotated[str, typer.Argument(help="the request's reference")]
Recipient = Annotated[
    str, typer.Argument(help="the recipient's name in the declaration, as `show` lists it")
]


def retry_notice_command(
    path: DeclarationPath, reference: Reference, recipient: Recipient, store: StoreUrl = None
) -> None:
    """Try again a notice to a recipient that failed, once its cause is fixed."""
    with _session(path, store) as session:
        notice = retry_notice(session, reference, recipient, actor=ACTOR)
    typer.echo(
        f"{notice.request_id}: the notice to {recipient} will be tried again by the next worker run"
    )


def told_by_hand_command(
    path: DeclarationPath,
    reference: Reference,
    recipient: Recipient,
    how: Annotated[
        str, typer.Option("--how", help="how the recipient was told, kept on the timeline")
    ],
    store: StoreUrl = None,
) -> None:
    """Record that a recipient was told by hand (a phone call, a letter)."""
    with _session(path, store) as session:
        notice = record_told_by_hand(session, reference, recipient, how=how, actor=ACTOR)
    typer.echo(f"{notice.request_id}: {recipient} recorded as told by hand")


def resend_mail_command(
    path: DeclarationPath, reference: Reference, store: StoreUrl = None
) -> None:
    """Queue again the mails to the person whose job gave up (the relay was down)."""
    with _session(path, store) as session:
        ref = get_request(session, reference).id
        what = resend_mails(session, ref, actor=ACTOR)
    typer.echo(f"{ref}: {' and '.join(what)} to be sent again by the next worker run")


def follow_up_lines(session: Session, reference: str) -> list[str]:
    """What `pledge request show` prints of the notices to recipients and of the mails whose
    job gave up, before the timeline (nothing when there is none)."""
    lines = []
    told = notices(session, reference)
    if told:
        lines.append("recipients")
    for notice in told:
        line = f"  {notice.recipient}  {notice.channel}  {notice.state}  {notice.attempts}"
        line += " attempt" if notice.attempts == 1 else " attempts"
        if notice.state != "sent" and notice.last_error:
            line += f"  {notice.last_error}"
        lines.append(line)
    mails = failed_mails(session, reference)
    if mails:
        lines.append(f"mails that gave up: {' and '.join(mails)} (`pledge request resend-mail`)")
    return lines


@contextmanager
def _session(path: Path, url: str | None) -> Iterator[Session]:
    load_declaration(path)
    with (
        open_store(Settings.build(path, store_url=url).store_url) as store,
        store.session(write=True) as session,
    ):
        yield session


FOLLOW_UPS: Mapping[str, Callable[..., Any]] = {
    "retry-notice": retry_notice_command,
    "told-by-hand": told_by_hand_command,
    "resend-mail": resend_mail_command,
}
