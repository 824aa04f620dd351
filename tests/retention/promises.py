"""What the retention promise tests share: a seed company's own declaration with the scenario's
tables, its databases on any engine, and the company at work on a frozen clock.

A scenario of COMMITMENTS.md is run as the company would live it: its declaration is the
seed's (examples/<seed>/pledge.yaml) with a `sources` section for the scenario's tables and
the few settings the seed leaves to the operator, each named where a test writes it; people's
events, holds and requests go through Pledge's own recorders, each on the day the scenario
gives; and every sweep is `run_sweep`, what the scheduled job runs, as of the scenario's day.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from ruamel.yaml import YAML
from sqlalchemy.engine import Engine

from pledge.declaration.load import parse_declaration
from pledge.declaration.model import Declaration
from pledge.jobs import JOBS, Runner
from pledge.mail.sender import MailSettings
from pledge.retention.events import record_event
from pledge.retention.holds import place_hold, release_hold
from pledge.retention.sweep import SweepReport, run_sweep
from pledge.rights.delivery import result_of
from pledge.rights.requests import get_request
from pledge.rights.workflow import confirm_identity, submit_request
from pledge.services import Services
from pledge.store import Store
from pledge.store.tables import RequestRow
from tests.jobs.clock import ManualClock
from tests.mail.smtp_server import SmtpServer
from tests.retention.sweeping import KEYS, company

EXAMPLES = Path(__file__).parents[2] / "examples"
SOURCE = "company"
URL_ENV = "PLEDGE_TEST_COMPANY_URL"
SENDER = "privacy@pledge.test"
_CODE = re.compile(r"\b(\d{6})\b")

Rows = Mapping[str, Sequence[Mapping[str, Any]]]


def seed(name: str, changes: str) -> Declaration:
    """The declaration in examples/`name`, with `changes` (YAML) merged into it."""
    return parse_declaration(seed_text(name, changes)).declaration


def seed_text(name: str, changes: str) -> str:
    """The text of examples/`name`/pledge.yaml with `changes` (YAML) merged into it: a
    mapping merges key by key, anything else replaces, and `null` removes the key."""
    yaml = YAML(typ="safe", pure=True)
    data = yaml.load((EXAMPLES / name / "pledge.yaml").read_text(encoding="utf-8"))
    _merge(data, yaml.load(changes) or {})
    text = io.StringIO()
    yaml.dump(data, text)
    return text.getvalue()


def _merge(into: dict[str, Any], changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        if value is None:
            into.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def on(year: int, month: int, day: int, hour: int = 3, minute: int = 0) -> dt.datetime:
    """A moment in UTC; by default 03:00, when the scheduled sweep runs."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


@dataclass
class Company:
    """A seed company at work: its store, its databases, and what its staff and people do."""

    store: Store
    services: Services
    engines: dict[str, Engine]
    smtp: SmtpServer | None = None

    @property
    def declaration(self) -> Declaration:
        return self.services.declaration

    def sweep(self, moment: dt.datetime, *, dry_run: bool = False) -> SweepReport:
        """The scheduled sweep, run on `moment`."""
        return run_sweep(
            self.store, self.services, now=moment, dry_run=dry_run, started_by="schedule"
        )

    def ids(self, table: str, *, source: str = SOURCE) -> list[Any]:
        """The primary keys (column `id`) left in `table`, in order."""
        return [row[0] for row in self.select(f"SELECT id FROM {table} ORDER BY id", source)]

    def select(self, query: str, source: str = SOURCE) -> list[tuple[Any, ...]]:
        with self.engines[source].connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(query))]

    def event(self, kind: str, email: str, day: dt.date) -> None:
        """Staff record that `kind` (an account closed, a contract ended) happened on `day`."""
        with self.store.session(write=True) as session:
            record_event(
                session,
                kind=kind,
                email=email,
                occurred_on=day,
                actor="staff:test",
                note=None,
                now=on(day.year, day.month, day.day, 12),
            )

    def hold(
        self,
        email: str,
        reason: str,
        moment: dt.datetime,
        *,
        scope: Sequence[str] = (),
        until: dt.date | None = None,
    ) -> int:
        """Staff place a legal hold on the person; its id."""
        with self.store.session(write=True) as session:
            row = place_hold(
                session,
                self.declaration,
                email=email,
                reason=reason,
                until=until,
                scope=list(scope),
                actor="staff:test",
                now=moment,
            )
            return row.id

    def release(self, hold_id: int, moment: dt.datetime) -> None:
        with self.store.session(write=True) as session:
            release_hold(session, hold_id, actor="staff:test", now=moment)

    def request(
        self,
        type: str,
        email: str,
        moment: dt.datetime,
        *,
        jurisdiction: str,
        details: Mapping[str, object] | None = None,
    ) -> RequestRow:
        """The person files a request on `moment`, confirms the code mailed to them, and the
        job runner does the rest, its clock stopped at `moment`."""
        assert self.smtp is not None, "requests need the company's mail: give it an SMTP server"
        runner = Runner(self.store, JOBS, services=self.services, clock=ManualClock(moment))
        with self.store.session(write=True) as session:
            ref = submit_request(
                session,
                self.declaration,
                type=type,
                email=email,
                jurisdiction=jurisdiction,
                details=details,
                now=moment,
            ).id
        runner.run_pending()
        with self.store.session(write=True) as session:
            confirm_identity(
                session, ref, self._code(email), key=self.services.keys.verification, now=moment
            )
        runner.run_pending()
        with self.store.session() as session:
            return get_request(session, ref)

    def summary(self, ref: str) -> dict[str, Any]:
        """What a finished request's result says it did."""
        with self.store.session() as session:
            result = result_of(session, ref)
        assert result is not None, f"request {ref} has no result"
        return dict(result.summary)

    def _code(self, email: str) -> str:
        assert self.smtp is not None
        for received in reversed(self.smtp.received):
            if email not in received.recipients:
                continue
            part = received.message.get_body(preferencelist=("plain",))
            found = _CODE.search(str(part.get_content()) if part is not None else "")
            if found:
                return found.group(1)
        raise AssertionError(f"no code was mailed to {email}")


@dataclass(frozen=True)
class Database:
    """One source's database: where it is, its tables and their first rows."""

    url: str
    metadata: sa.MetaData
    rows: Rows
    url_env: str = URL_ENV


@contextmanager
def opened(
    store: Store,
    declaration: Declaration,
    databases: Mapping[str, Database],
    *,
    smtp: SmtpServer | None = None,
    environ: Mapping[str, str] | None = None,
) -> Iterator[Company]:
    """The company with these databases (by source name) built and filled, its Services
    reaching them through the variables the declaration names."""
    engines = {name: company(db.url, db.metadata, db.rows) for name, db in databases.items()}
    env = {db.url_env: db.url for db in databases.values()}
    mail = MailSettings(host=smtp.host, port=smtp.port, sender=SENDER) if smtp else None
    services = Services(
        declaration=lambda: declaration,
        keys=KEYS,
        public_url="http://pledge.test",
        mail=mail,
        environ={**env, **(environ or {})},
    )
    try:
        yield Company(store, services, engines, smtp)
    finally:
        services.close()
        for engine in engines.values():
            engine.dispose()


def one_database(url: str, metadata: sa.MetaData, rows: Rows) -> dict[str, Database]:
    """The scenario's one source, `company`."""
    return {SOURCE: Database(url, metadata, rows)}


def source(tables: str, *, name: str = SOURCE, url_env: str = URL_ENV) -> str:
    """A `sources` section (YAML) of one source with these tables (YAML under `tables:`)."""
    return "sources:\n" + source_entry(tables, name=name, url_env=url_env)


def source_entry(tables: str, *, name: str, url_env: str) -> str:
    """One source of a `sources` section (YAML, indented under it)."""
    body = "\n".join("      " + line for line in tables.strip("\n").splitlines())
    return f"  {name}:\n    url_env: {url_env}\n    tables:\n{body}\n"
