"""Run-time settings, built once and passed in (never read at import time).

Precedence: explicit argument (CLI option) > environment (PLEDGE_*) > default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pledge.mail.template_overrides import MailTemplates, read_mail_templates
from pledge.retention.slots import SweepSchedule

STORE_FILE = "pledge-store.db"


def default_store_url(declaration: Path) -> str:
    """The embedded store lives beside the declaration it records."""
    return f"sqlite:///{declaration.resolve().parent / STORE_FILE}"


@dataclass(frozen=True)
class Settings:
    declaration: Path
    store_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    watch: bool = True
    # Where people reach the server: links in mails start with it.
    public_url: str = ""
    # The server runs queued jobs itself; set PLEDGE_RUN_JOBS=0 when workers do it instead.
    run_jobs: bool = True
    # When the server sweeps expired data: PLEDGE_SWEEP_AT and PLEDGE_SWEEP_EVERY.
    sweep: SweepSchedule = field(default_factory=SweepSchedule)
    # A company's mail templates in place of Pledge's (PLEDGE_MAIL_TEMPLATES), read and
    # checked here so a mistake stops start-up rather than a mail when it is due.
    mail_templates: MailTemplates | None = None

    @classmethod
    def build(
        cls,
        declaration: Path,
        *,
        store_url: str | None = None,
        host: str | None = None,
        port: int | None = None,
        watch: bool | None = None,
        run_jobs: bool | None = None,
    ) -> Settings:
        env = os.environ
        host = host or env.get("PLEDGE_HOST", "127.0.0.1")
        port = port if port is not None else int(env.get("PLEDGE_PORT", "8000"))
        return cls(
            declaration=declaration,
            store_url=store_url or env.get("PLEDGE_STORE_URL") or default_store_url(declaration),
            host=host,
            port=port,
            watch=watch if watch is not None else env.get("PLEDGE_WATCH", "1") != "0",
            public_url=env.get("PLEDGE_PUBLIC_URL", "").strip() or f"http://{host}:{port}",
            run_jobs=run_jobs if run_jobs is not None else env.get("PLEDGE_RUN_JOBS", "1") != "0",
            sweep=SweepSchedule.from_environ(env),
            mail_templates=read_mail_templates(env),
        )
