"""What the work of answering requests needs besides the store, built once per process.

The server and `pledge worker` build one `Services` and hand it to the job runner; job
handlers reach the declaration, the company's databases, the mail relay and the keys
through it, never through globals, so a test builds its own with a real SMTP server and
real databases.

Keys: one secret (PLEDGE_SECRET_KEY, or a random one kept in a file beside the embedded
store) from which every key is derived with HKDF, one per use, so that a key leaked from
one use (say the download links) opens nothing else.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import Engine, make_url

from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.mail.sender import MailSettings, send_mail
from pledge.mail.template_overrides import use_mail_templates
from pledge.settings import Settings
from pledge.sources.connect import open_source
from pledge.sources.schema import SchemaInfo, reflect_schema

SECRET_FILE = "pledge-secret.key"
SCHEMA_SECONDS = 60.0
_MIN_SECRET_CHARS = 32


@dataclass(frozen=True)
class Keys:
    verification: bytes  # HMAC of identity codes
    package: bytes  # AES-GCM of packages, proofs and the erasure journal's values
    links: bytes  # HMAC of download links
    webhooks: bytes  # HMAC signature of webhook calls to recipients

    @classmethod
    def derive(cls, secret: bytes) -> Keys:
        def key(use: str) -> bytes:
            return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=use.encode()).derive(
                secret
            )

        return cls(
            verification=key("pledge verification codes"),
            package=key("pledge packages"),
            links=key("pledge download links"),
            webhooks=key("pledge webhooks"),
        )


def load_secret(store_url: str, environ: Mapping[str, str] | None = None) -> bytes:
    """PLEDGE_SECRET_KEY, or the secret kept beside a SQLite store (made on first use)."""
    env = os.environ if environ is None else environ
    given = env.get("PLEDGE_SECRET_KEY", "").strip()
    if given:
        if len(given) < _MIN_SECRET_CHARS:
            raise PledgeError(
                f"PLEDGE_SECRET_KEY is {len(given)} characters long; it needs at least"
                f" {_MIN_SECRET_CHARS}",
                'make one with: python -c "import secrets; print(secrets.token_hex(32))"',
            )
        return given.encode()
    url = make_url(store_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise PledgeError(
            "PLEDGE_SECRET_KEY is not set",
            "a store other than a SQLite file needs it: every worker must share one secret;"
            ' make one with: python -c "import secrets; print(secrets.token_hex(32))"',
        )
    return _secret_file(Path(url.database).resolve().parent / SECRET_FILE)


def outbox_folder(store_url: str, environ: Mapping[str, str] | None = None) -> Path | None:
    """Where mails go when no relay is set up: PLEDGE_MAIL_OUTBOX, or `outbox/` beside a
    SQLite store (the embedded demo); None for other stores, which need a relay."""
    env = os.environ if environ is None else environ
    if env.get("PLEDGE_MAIL_OUTBOX", "").strip():
        return Path(env["PLEDGE_MAIL_OUTBOX"].strip())
    url = make_url(store_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).resolve().parent / "outbox"


def _secret_file(path: Path) -> bytes:
    try:
        # O_EXCL: of two processes starting at once, one writes and both read the same.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        text = path.read_text().strip()
        if len(text) < _MIN_SECRET_CHARS:
            raise PledgeError(
                f"{path} holds no usable secret", "delete it to have a new one made"
            ) from None
        return text.encode()
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_hex(32) + "\n")
    return path.read_text().strip().encode()


class Services:
    """The declaration in force, the company's databases, mail and keys, for job handlers."""

    def __init__(
        self,
        *,
        declaration: Callable[[], Declaration],
        keys: Keys,
        public_url: str,
        mail: MailSettings | None = None,
        outbox: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._declaration = declaration
        self.keys = keys
        self.public_url = public_url.rstrip("/")
        self.mail = mail
        self.outbox = outbox
        self.environ: Mapping[str, str] = dict(os.environ if environ is None else environ)
        self._engines: dict[str, Engine] = {}
        self._schemas: dict[str, tuple[float, SchemaInfo]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, declaration: Callable[[], Declaration]) -> Services:
        """Keys from the secret, mail from PLEDGE_SMTP_* (or the outbox), links from the
        public URL: what the server and `pledge worker` both run with. The mails of the
        whole process take the settings' templates (PLEDGE_MAIL_TEMPLATES), or Pledge's."""
        use_mail_templates(settings.mail_templates)
        return cls(
            declaration=declaration,
            keys=Keys.derive(load_secret(settings.store_url)),
            public_url=settings.public_url,
            mail=MailSettings.configured(os.environ),
            outbox=outbox_folder(settings.store_url),
        )

    @property
    def declaration(self) -> Declaration:
        """The declaration in force now (the server's reloads show here at once)."""
        return self._declaration()

    def engines(self) -> dict[str, Engine]:
        """An engine per declared source, opened once and kept."""
        sources = self.declaration.sources
        with self._lock:
            for name, source in sources.items():
                if name not in self._engines:
                    self._engines[name] = open_source(name, source, self.environ)
            return {name: self._engines[name] for name in sources}

    def schemas(self) -> dict[str, SchemaInfo]:
        """The sources' schemas, read at most SCHEMA_SECONDS ago.

        Reading one costs a hundred catalogue queries on PostgreSQL, more than a person's
        rows do; a schema changed meanwhile shows within the minute (a job that failed on
        the old one is retried later than that).
        """
        engines = self.engines()
        now = time.monotonic()
        with self._lock:
            fresh = {
                name: schema
                for name, (read_at, schema) in self._schemas.items()
                if name in engines and now - read_at < SCHEMA_SECONDS
            }
        for name, engine in engines.items():
            if name not in fresh:
                fresh[name] = reflect_schema(engine)
                with self._lock:
                    self._schemas[name] = (now, fresh[name])
        return {name: fresh[name] for name in engines}

    @property
    def sender(self) -> str:
        """The From address of Pledge's mails."""
        if self.mail is not None:
            return self.mail.sender
        organisation = self.declaration.organisation
        return organisation.email or "privacy@pledge.invalid"

    def send(self, message: EmailMessage) -> str:
        """Hand a message to the relay, or with no relay write it to the outbox folder.

        Returns where it went, for the timeline. PledgeError when neither is set up, or
        when the relay refuses it.
        """
        if self.mail is not None:
            send_mail(self.mail, message)
            return f"sent through {self.mail.host}"
        if self.outbox is None:
            raise PledgeError(
                "mail is not set up: PLEDGE_SMTP_HOST and PLEDGE_MAIL_FROM are both needed"
            )
        self.outbox.mkdir(parents=True, exist_ok=True)
        # No relay (the embedded demo): the mail is kept as a file a person can open.
        name = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
        (self.outbox / name).write_bytes(bytes(message))
        return f"no mail relay is set up: written to {self.outbox / name}"

    def link(self, path: str) -> str:
        """An absolute address on the public site, for links in mails."""
        return f"{self.public_url}/{path.lstrip('/')}"

    def close(self) -> None:
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
            self._schemas.clear()
