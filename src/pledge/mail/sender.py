"""Sending a built message over SMTP, to the relay the operator configured.

Pledge hands mail to one relay (the company's mail server, or a local one that forwards);
it never looks up the recipient's own servers. STARTTLS and a login are optional because a
relay on localhost or a private network often needs neither.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage

from pledge.errors import PledgeError

_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = _TIMEOUT_SECONDS

    @classmethod
    def configured(cls, environ: Mapping[str, str]) -> MailSettings | None:
        """The settings from the environment, or None when no relay is named at all."""
        if not environ.get("PLEDGE_SMTP_HOST", "").strip():
            return None
        return cls.from_env(environ)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> MailSettings:
        """From PLEDGE_SMTP_HOST, PLEDGE_SMTP_PORT (25), PLEDGE_MAIL_FROM, PLEDGE_SMTP_STARTTLS
        (1 to use it), PLEDGE_SMTP_USER and PLEDGE_SMTP_PASSWORD."""
        host = environ.get("PLEDGE_SMTP_HOST", "").strip()
        sender = environ.get("PLEDGE_MAIL_FROM", "").strip()
        if not host or not sender:
            raise PledgeError(
                "mail is not set up: PLEDGE_SMTP_HOST and PLEDGE_MAIL_FROM are both needed",
                "e.g. PLEDGE_SMTP_HOST=mail.example.com PLEDGE_MAIL_FROM=privacy@example.com",
            )
        port_text = environ.get("PLEDGE_SMTP_PORT", "25").strip()
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise PledgeError(
                f"PLEDGE_SMTP_PORT '{port_text}' is not a port number",
                "use 25, 587 (usually with PLEDGE_SMTP_STARTTLS=1) or your relay's port",
            )
        return cls(
            host=host,
            port=int(port_text),
            sender=sender,
            starttls=environ.get("PLEDGE_SMTP_STARTTLS", "0").strip().lower()
            in {"1", "true", "yes"},
            username=environ.get("PLEDGE_SMTP_USER") or None,
            password=environ.get("PLEDGE_SMTP_PASSWORD") or None,
        )


def send_mail(settings: MailSettings, message: EmailMessage) -> None:
    """Hand `message` to the relay; PledgeError if it cannot be delivered there.

    The error names the relay, not the recipient, so it can be logged as it is.
    """
    if message["From"] is None:
        message["From"] = settings.sender
    where = f"{settings.host}:{settings.port}"
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            smtp.ehlo()
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.username is not None:
                smtp.login(settings.username, settings.password or "")
            smtp.send_message(message)
    except smtplib.SMTPNotSupportedError as exc:
        raise PledgeError(
            f"the mail relay {where} does not offer what Pledge asked of it: {exc}",
            "turn PLEDGE_SMTP_STARTTLS off, or point PLEDGE_SMTP_HOST at a relay that has it",
        ) from exc
    except smtplib.SMTPResponseException as exc:
        raise PledgeError(
            f"the mail relay {where} refused the message: {exc.smtp_code} {_decoded(exc)}",
            "check PLEDGE_MAIL_FROM and the relay's login and sending rules",
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise PledgeError(
            f"could not send mail through {where}: {exc}",
            "check PLEDGE_SMTP_HOST and PLEDGE_SMTP_PORT, and that the relay is running",
        ) from exc


def _decoded(error: smtplib.SMTPResponseException) -> str:
    reply = error.smtp_error
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
