"""The retention sweep on a PostgreSQL table of 10 million rows, against the bare SQL floor.

    .venv/bin/python bench/sweep_at_scale.py [--rows 10000000] [--keep] [--batch N]

Generates, set-based in the server (generate_series), a table of visitors (id bigint primary
key, email, name, ip, seen_at timestamptz) of which 30%, spread over the whole table, were
last seen before the cut-off of a "730 days" rule; then measures, in one run, on identical
fresh copies of it (VACUUM ANALYZE on each, autovacuum off on both, a CHECKPOINT before each
measure):

- delete: `pledge.retention.sweep.sweep` with the rule's action `delete`, against the bare
  `DELETE FROM copy WHERE seen_at <= :cutoff` (the same predicate) on the other copy;
- anonymise: the same sweep with action `anonymise` (email -> 'erased-{id}@invalid', name and
  ip cleared), against the bare `UPDATE copy SET <the same> WHERE seen_at <= :cutoff`.

Each line gives rows/s for both, the ratio (goal: the sweep at 0.7x of the floor's speed or
better) and the longest transaction: the sweep's longest batch (SweepResultRow's
longest_batch_ms, its store record included), the bare statement's whole run. Both copies are
then compared row for row. The sweep's store is a SQLite file in a temporary folder.

The server is PLEDGE_BENCH_POSTGRES (default postgresql://postgres@127.0.0.1:5432/test), in
the schema pledge_bench_sweep_<rows>: with --keep the generated table stays and is reused by
the next --keep run at the same scale; without it the schema is dropped at the end. Progress
goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import psycopg
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.engine import Engine, make_url

from pledge.declaration.durations import parse_duration
from pledge.declaration.load import parse_declaration
from pledge.declaration.model import Declaration
from pledge.retention.cutoffs import Bound, moment_bound
from pledge.retention.journal import journal_entries
from pledge.retention.sweep import BATCH, TableSweep, sweep
from pledge.retention.sweep_sql import BATCH_SECONDS
from pledge.services import Keys
from pledge.sources.connect import create_source_engine
from pledge.store import Store, open_store

POSTGRES = os.environ.get("PLEDGE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
AS_OF = dt.datetime(2026, 11, 1, 3, 0, tzinfo=dt.UTC)
DAYS = 730
EXPIRED_PER_MILLE = 300
GOAL = 0.7  # the sweep's speed, as a share of the floor's
TABLE = "visitors"
FLOOR_TABLE = "visitors_floor"
PRISTINE = "visitors_pristine"
KEYS = Keys.derive(b"pledge bench: sweep at scale, not a real secret")
OTHERS = ("requests_at_scale.py",)  # benchmarks that may share the server
# Said of the statements a sweep runs in another thread, at the same time as its own.
BESIDE = " beside"

Admin = psycopg.Connection[Any]
Action = Literal["delete", "anonymise"]
ACTIONS: tuple[Action, ...] = ("delete", "anonymise")


def note(message: str) -> None:
    """Progress, on stderr: stdout carries only the table."""
    print(f"# {message}", file=sys.stderr, flush=True)


# -- the declaration --------------------------------------------------------------------------

DECLARATION = """\
pledge: 1
organisation:
  name: Bench Ltd
  country: GB
  email: privacy@bench.example
  jurisdictions: [uk]
subjects:
  visitor:
    name: Visitors
activities:
  visits:
    name: Visits to the site
    subjects: [visitor]
    categories: [contact.email, identity.name, online.ip_address]
    legal_basis: legitimate_interests
    retention: [visits]
retention:
  visits:
    name: Visit records
    duration: {days} days
    trigger: recorded
    action: {action}
channels:
  privacy_email:
    kind: email
    address: privacy@bench.example
rights:
  channels: [privacy_email]
sources:
  bench:
    url_env: PLEDGE_BENCH_SWEEP_URL
    tables:
      {table}:
        subject: visitor
        activities: [visits]
        columns:
          email: {{ category: contact.email, identity: email, erase: placeholder,
                    placeholder: "erased-{{id}}@invalid" }}
          name: {{ category: identity.name, erase: "null" }}
          ip: {{ category: online.ip_address, erase: "null" }}
        timestamps: {{ recorded: seen_at }}
        retention: [visits]
notice:
  last_updated: 2026-01-01
"""

# What the anonymising sweep writes, as the bare UPDATE writes it.
FLOOR_SET = "email = 'erased-' || id || '@invalid', name = NULL, ip = NULL"


def declared(action: Action) -> Declaration:
    text = DECLARATION.format(days=DAYS, action=action, table=TABLE)
    return parse_declaration(text).declaration


def cutoff() -> Bound:
    """The rule's bound on seen_at, as the sweep works it out."""
    return moment_bound(parse_duration(f"{DAYS} days"), AS_OF)


# -- the company table ------------------------------------------------------------------------


def schema_url(schema: str) -> str:
    url = make_url(POSTGRES).set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def admin_url() -> str:
    return make_url(POSTGRES).set(drivername="postgresql").render_as_string(hide_password=False)


def ident(*names: str) -> sql.Composable:
    return sql.Identifier(*names)


@contextmanager
def bench_schema(admin: Admin, rows: int, keep: bool) -> Iterator[tuple[str, float | None]]:
    """The schema with the pristine table at this scale, and the seconds it took to make
    (None: reused from an earlier --keep run)."""
    schema = f"pledge_bench_sweep_{rows}" if keep else f"pledge_bench_sweep_{uuid.uuid4().hex[:8]}"
    marker = f"pledge bench: {rows} visitors, complete"
    found = admin.execute(
        "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s",
        (schema,),
    ).fetchone()
    seconds = None
    if not (keep and found is not None and found[0] == marker):
        admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(ident(schema)))
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(ident(schema)))
        seconds = generate(admin, schema, rows)
        comment = sql.SQL("COMMENT ON SCHEMA {} IS {}").format(ident(schema), sql.Literal(marker))
        admin.execute(comment)
    try:
        yield schema, seconds
    finally:
        if not keep:
            admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(ident(schema)))


def generate(admin: Admin, schema: str, rows: int) -> float:
    """The pristine table, made in the server: 30% of its rows expired, spread over the ids
    by a hash of the id (the same rows at every run)."""
    note(f"generating {rows:,} visitors into {schema}.{PRISTINE}")
    began = time.perf_counter()
    # h: a number in [0, 1000) per id; w: another, for the time within the period.
    statement = sql.SQL(
        """
        CREATE TABLE {pristine} AS
        SELECT g AS id,
               'visitor' || g || '@example.com' AS email,
               'Visitor number ' || g AS name,
               ('10.' || (g >> 16) % 256 || '.' || (g >> 8) % 256 || '.' || g % 256)::inet AS ip,
               CASE WHEN h < {expired}
                    THEN {as_of} - interval '{days} days' - (1 + w) * interval '1 hour'
                    ELSE {as_of} - (w % ({days} - 1)) * interval '1 day'
                         - (w % 23) * interval '1 hour'
               END AS seen_at
        FROM (
            SELECT g,
                   (hashint8(g)::bigint + 2147483648) % 1000 AS h,
                   (hashint8(-g)::bigint + 2147483648) % 20000 AS w
            FROM generate_series(1, {rows}::bigint) AS g
        ) AS numbered
        """
    ).format(
        pristine=ident(schema, PRISTINE),
        expired=sql.Literal(EXPIRED_PER_MILLE),
        as_of=sql.Literal(AS_OF),
        days=sql.SQL(str(DAYS)),
        rows=sql.Literal(rows),
    )
    admin.execute(statement)
    return time.perf_counter() - began


def fresh_copies(admin: Admin, schema: str) -> None:
    """The swept table and the floor's, both copied from the pristine one the same way."""
    for name in (TABLE, FLOOR_TABLE):
        note(f"copying {schema}.{PRISTINE} to {name}")
        table = ident(schema, name)
        admin.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        admin.execute(
            sql.SQL("CREATE TABLE {} AS SELECT * FROM {} ORDER BY id").format(
                table, ident(schema, PRISTINE)
            )
        )
        admin.execute(
            sql.SQL(
                "ALTER TABLE {} ADD PRIMARY KEY (id), ALTER COLUMN email SET NOT NULL,"
                " ALTER COLUMN seen_at SET NOT NULL"
            ).format(table)
        )
        admin.execute(
            sql.SQL("CREATE UNIQUE INDEX {} ON {} (email)").format(ident(f"{name}_email"), table)
        )
        admin.execute(
            sql.SQL("CREATE INDEX {} ON {} (seen_at)").format(ident(f"{name}_seen_at"), table)
        )
        # Autovacuum would wake on a table losing 30% of its rows, in the middle of the
        # other measure: it is off for both, and both are vacuumed and analysed once here.
        admin.execute(sql.SQL("ALTER TABLE {} SET (autovacuum_enabled = false)").format(table))
        admin.execute(sql.SQL("VACUUM (ANALYZE) {}").format(table))


def count_rows(admin: Admin, schema: str, table: str, where: str = "TRUE") -> int:
    query = sql.SQL("SELECT count(*) FROM {} WHERE {}").format(ident(schema, table), sql.SQL(where))
    found = admin.execute(query).fetchone()
    return int(found[0]) if found else 0


def differences(admin: Admin, schema: str) -> int:
    """Rows that are not the same in both copies: only in one, or with other values."""
    query = sql.SQL(
        "SELECT count(*) FROM {} AS a FULL JOIN {} AS b USING (id)"
        " WHERE a.id IS NULL OR b.id IS NULL"
        " OR (a.email, a.name, a.ip, a.seen_at) IS DISTINCT FROM (b.email, b.name, b.ip, b.seen_at)"
    ).format(ident(schema, TABLE), ident(schema, FLOOR_TABLE))
    found = admin.execute(query).fetchone()
    return int(found[0]) if found else -1


# -- the measures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Floor:
    rows: int
    seconds: float  # the statement and its commit: the whole lock hold


@dataclass(frozen=True)
class Swept:
    rows: int
    seconds: float  # the whole sweep() call
    table: TableSweep
    journal_entries: int
    journal_rows: int
    typical_batch: float  # seconds: the median time from one batch's record to the next's
    statements: dict[str, tuple[int, float]]  # kind: (count, seconds in the server)

    @property
    def in_server(self) -> float:
        """Seconds the sweep's own thread waited for the server (not those run beside)."""
        return sum(
            seconds for kind, (_, seconds) in self.statements.items() if not kind.endswith(BESIDE)
        )


@dataclass(frozen=True)
class Repeat:
    """One fresh pair of copies: the floor on one, the sweep on the other."""

    floor: Floor
    swept: Swept
    differences: int  # rows not the same in both copies afterwards
    floor_first: bool
    load: tuple[float, float]  # the machine's load average (1 min) before and after


@dataclass(frozen=True)
class Measure:
    action: Action
    expired: int
    repeats: list[Repeat]

    @property
    def floor_seconds(self) -> float:
        return statistics.median(r.floor.seconds for r in self.repeats)

    @property
    def sweep_seconds(self) -> float:
        return statistics.median(r.swept.seconds for r in self.repeats)

    @property
    def ratio(self) -> float:
        """The sweep's speed as a share of the floor's, medians of the repeats."""
        return self.floor_seconds / self.sweep_seconds if self.sweep_seconds else 0.0

    @property
    def longest_batch(self) -> float:
        return max(r.swept.table.longest_batch_seconds for r in self.repeats)

    @property
    def longest_floor(self) -> float:
        return max(r.floor.seconds for r in self.repeats)


def checkpoint(admin: Admin) -> None:
    # Each measure starts with no dirty pages of the other's making to write.
    admin.execute("CHECKPOINT")


def measure_floor(admin: Admin, schema: str, action: Action) -> Floor:
    bound = cutoff()
    test = "<=" if bound.inclusive else "<"
    table = ident(schema, FLOOR_TABLE)
    if action == "delete":
        statement = sql.SQL("DELETE FROM {} WHERE seen_at {} %s").format(table, sql.SQL(test))
    else:
        statement = sql.SQL("UPDATE {} SET {} WHERE seen_at {} %s").format(
            table, sql.SQL(FLOOR_SET), sql.SQL(test)
        )
    checkpoint(admin)
    note(f"floor: {'DELETE' if action == 'delete' else 'UPDATE'} on {FLOOR_TABLE}")
    began = time.perf_counter()
    with admin.transaction():
        done = admin.execute(statement, (bound.moment,)).rowcount
    return Floor(done, time.perf_counter() - began)


@contextmanager
def statement_clock(engine: Engine) -> Iterator[dict[str, tuple[int, float]]]:
    """The time the engine's statements took to answer, by kind; those run in another thread
    than the sweep's (at the same time as its own) are said to be BESIDE."""
    spent: dict[str, tuple[int, float]] = {}
    started: dict[int, float] = {}  # by cursor: statements of two threads may overlap
    lock = threading.Lock()

    def before(_conn: Any, cursor: Any, *_: Any) -> None:
        started[id(cursor)] = time.perf_counter()

    def after(_conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        took = time.perf_counter() - started.pop(id(cursor))
        kind = statement_kind(statement)
        if threading.current_thread() is not threading.main_thread():
            kind += BESIDE
        with lock:
            count, seconds = spent.get(kind, (0, 0.0))
            spent[kind] = (count + 1, seconds + took)

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        yield spent
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)


def statement_kind(statement: str) -> str:
    text = statement.lstrip().upper()
    if "PG_CATALOG" in text or "INFORMATION_SCHEMA" in text:
        return "schema reading"
    if text.startswith(("DELETE", "UPDATE")) or (
        text.startswith("WITH") and ("DELETE" in text or "UPDATE" in text)
    ):
        return "batches: rows changed"
    if "JSON_AGG" in text or "FOR UPDATE" in text:
        return "batches: keys listed"
    if "COUNT(CASE" in text:
        return "counts"
    return "other"


def measure_sweep(admin: Admin, schema: str, action: Action, batch: int | None) -> Swept:
    with tempfile.TemporaryDirectory(prefix="pledge-bench-sweep-") as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'store.db'}")
        engine = create_source_engine(schema_url(schema))
        try:
            declaration = declared(action)  # parsed before the clock starts, as a server has it
            checkpoint(admin)
            note(f"sweep: {action} on {TABLE}")
            with statement_clock(engine) as spent:
                began = time.perf_counter()
                report = sweep(
                    store,
                    declaration,
                    {"bench": engine},
                    as_of=AS_OF,
                    dry_run=False,
                    started_by="bench",
                    keys=KEYS,
                    batch=BATCH if batch is None else batch,
                )
                seconds = time.perf_counter() - began
            table = report.table(f"bench.{TABLE}")
            entries, journaled, typical = journal_totals(store)
        finally:
            engine.dispose()
            store.close()
    done = table.deleted if action == "delete" else table.anonymised
    return Swept(done, seconds, table, entries, journaled, typical, dict(spent))


def journal_totals(store: Store) -> tuple[int, int, float]:
    """The journal's entries, their rows, and the median time between two entries: each
    batch is recorded as it ends, so that is about a batch's length."""
    with store.session() as session:
        entries = [(e.count, e.recorded_at) for e in journal_entries(session, table=TABLE)]
    gaps = [(b[1] - a[1]).total_seconds() for a, b in itertools.pairwise(entries)]
    typical = statistics.median(gaps) if gaps else 0.0
    return len(entries), sum(count for count, _ in entries), typical


def measure(admin: Admin, schema: str, action: Action, batch: int | None, repeats: int) -> Measure:
    """The floor and the sweep on fresh copies, `repeats` times, taking turns to go first."""
    bound = cutoff()
    test = "<=" if bound.inclusive else "<"
    done: list[Repeat] = []
    expired = 0
    for number in range(repeats):
        fresh_copies(admin, schema)
        expired = count_rows(admin, schema, TABLE, f"seen_at {test} '{bound.moment.isoformat()}'")
        floor_first = number % 2 == 0
        load = os.getloadavg()[0]
        if floor_first:
            floor = measure_floor(admin, schema, action)
            swept = measure_sweep(admin, schema, action, batch)
        else:
            swept = measure_sweep(admin, schema, action, batch)
            floor = measure_floor(admin, schema, action)
        load_after = os.getloadavg()[0]
        note("comparing the two copies row for row")
        done.append(
            Repeat(floor, swept, differences(admin, schema), floor_first, (load, load_after))
        )
    return Measure(action, expired, done)


# -- the report -------------------------------------------------------------------------------


def environment(admin: Admin) -> str:
    def show(setting: str) -> str:
        row = admin.execute(sql.SQL("SHOW {}").format(ident(setting))).fetchone()
        return str(row[0]).split()[0] if row else "?"

    return (
        f"{os.cpu_count()} CPUs, PostgreSQL {show('server_version')} (shared_buffers "
        f"{show('shared_buffers')}, synchronous_commit {show('synchronous_commit')}, jit "
        f"{show('jit')}), Python {platform.python_version()}, SQLAlchemy {sa.__version__}, "
        f"psycopg {psycopg.__version__}"
    )


def others_running() -> list[str]:
    """Other benchmarks running on this machine now (they share the server and the CPUs)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            words = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        line = " ".join(w.decode(errors="replace") for w in words if w)
        if any(other in line for other in OTHERS):
            found.append(f"{line} (pid {entry.name})")
    return found


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds else "-"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def render(
    *,
    command: str,
    environment_line: str,
    started: str,
    load: tuple[float, float],
    others: tuple[list[str], list[str]],
    rows: int,
    schema: str,
    generated: float | None,
    batch: int,
    measures: list[Measure],
) -> str:
    made = (
        "reused from an earlier --keep run" if generated is None else f"made in {generated:.0f} s"
    )
    bound = cutoff()
    lines = [
        "Pledge: the retention sweep at scale, on PostgreSQL",
        f"reproduce    {command}",
        f"environment  {environment_line}",
        f"machine      started {started}; load average (1 min) {load[0]:.1f} at the start,"
        f" {load[1]:.1f} at the end, on {os.cpu_count()} CPUs",
    ]
    shared = sorted(set(others[0]) | set(others[1]))
    if shared:
        lines += ["sharing      other benchmarks ran on this machine and server during the run:"]
        lines += [f"             {line}" for line in shared]
    else:
        lines.append("sharing      no other benchmark was running at the start or at the end")
    lines += [
        f"table        {schema}.{TABLE}: {rows:,} rows (id bigint primary key, email unique,"
        " name, ip inet, seen_at timestamptz indexed),",
        f"             {made}; rule: {DAYS} days from seen_at, as of {AS_OF.isoformat()}:"
        f" expired when seen_at {'<=' if bound.inclusive else '<'} {bound.moment.isoformat()}",
        "store        the sweep's store (run, results, sealed journal) in a SQLite file",
        f"batch        at most {batch:,} rows (`batch`), sized to take about"
        f" {BATCH_SECONDS} s (sweep_sql.BATCH_SECONDS)",
        f"repeats      {len(measures[0].repeats)} per measure, each on fresh copies, the floor"
        " and the sweep taking turns to go first; seconds are medians",
        "",
        f"{'measure':<11}{'rows':>11}{'sweep s':>9}{'floor s':>9}{'sweep rows/s':>14}"
        f"{'floor rows/s':>14}{'ratio':>7}{'longest txn: sweep':>20}{'floor':>10}"
        f"  goal >= {GOAL}x",
    ]
    for m in measures:
        verdict = "met" if m.ratio >= GOAL else "MISSED"
        rows_done = m.repeats[0].swept.rows
        lines.append(
            f"{m.action:<11}{rows_done:>11,}{m.sweep_seconds:>9.2f}{m.floor_seconds:>9.2f}"
            f"{rate(rows_done, m.sweep_seconds):>14}{rate(rows_done, m.floor_seconds):>14}"
            f"{m.ratio:>6.2f}x{ms(m.longest_batch):>20}{ms(m.longest_floor):>10}  {verdict}"
        )
    lines += [
        "",
        "ratio: the floor's seconds over the sweep's, i.e. the sweep's speed as a share of the"
        " floor's.",
        "longest txn: the sweep's longest batch over the repeats (one transaction of the company"
        " database,",
        "its store record committed inside it); the floor's longest statement (one transaction"
        " holding",
        "every row lock it takes, for all of its run).",
    ]
    for m in measures:
        lines += ["", *render_detail(m)]
    return "\n".join(lines)


def render_detail(m: Measure) -> list[str]:
    lines = [f"{m.action}: {m.expired:,} rows expired"]
    for number, r in enumerate(m.repeats, 1):
        table = r.swept.table
        same = "yes" if r.differences == 0 else f"NO, {r.differences:,} rows differ"
        journal_ok = (
            r.swept.journal_rows == r.swept.rows and r.swept.journal_entries == table.batches
        )
        order = "floor first" if r.floor_first else "sweep first"
        lines += [
            f"  repeat {number} ({order}): floor {r.floor.rows:,} rows in {r.floor.seconds:.2f} s;"
            f" sweep {r.swept.rows:,} rows in {r.swept.seconds:.2f} s, {table.batches:,} batches,"
            f" typically {ms(r.swept.typical_batch)}, longest {ms(table.longest_batch_seconds)};"
            f" ratio {r.floor.seconds / r.swept.seconds:.2f}x; load {r.load[0]:.1f} before,"
            f" {r.load[1]:.1f} after",
            f"    both copies the same afterwards: {same}; journal: {r.swept.journal_entries:,}"
            f" sealed entries for {r.swept.journal_rows:,} rows"
            f" ({'one per batch, every row' if journal_ok else 'NOT one per batch'})",
            "    the sweep's time, by what the database answered (statements, seconds):",
            *(
                f"      {kind:<28}{count:>6}{seconds:>9.2f} s"
                for kind, (count, seconds) in sorted(
                    r.swept.statements.items(), key=lambda i: -i[1][1]
                )
            ),
            f"      {'the rest: Python, store, commits':<34}"
            f"{r.swept.seconds - r.swept.in_server:>9.2f} s",
        ]
    return lines


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="default 10000000")
    parser.add_argument("--keep", action="store_true", help="keep the table; reuse a kept one")
    parser.add_argument("--batch", type=int, default=None, help="default: the sweep's own")
    parser.add_argument("--repeats", type=int, default=3, help="per measure (default 3)")
    parser.add_argument(
        "--only", choices=ACTIONS, default=None, help="one measure only (default: both)"
    )
    return parser.parse_args()


def command(given: argparse.Namespace) -> str:
    batch = "" if given.batch is None else f" --batch {given.batch}"
    keep = " --keep" if given.keep else ""
    only = "" if given.only is None else f" --only {given.only}"
    return (
        f".venv/bin/python bench/sweep_at_scale.py --rows {given.rows}{batch}"
        f" --repeats {given.repeats}{keep}{only}"
    )


def main() -> None:
    given = options()
    started, load = dt.datetime.now().strftime("%Y-%m-%d %H:%M"), os.getloadavg()[0]
    others = others_running()
    for line in others:
        note(f"another benchmark is running: {line}")
    actions: tuple[Action, ...] = ACTIONS if given.only is None else (given.only,)
    with (
        psycopg.connect(admin_url(), autocommit=True) as admin,
        bench_schema(admin, given.rows, given.keep) as (schema, generated),
    ):
        measures = [
            measure(admin, schema, action, given.batch, given.repeats) for action in actions
        ]
        for name in (TABLE, FLOOR_TABLE):
            admin.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ident(schema, name)))
        environment_line = environment(admin)
    print(
        render(
            command=command(given),
            environment_line=environment_line,
            started=started,
            load=(load, os.getloadavg()[0]),
            others=(others, others_running()),
            rows=given.rows,
            schema=schema,
            generated=generated,
            batch=BATCH if given.batch is None else given.batch,
            measures=measures,
        )
    )


if __name__ == "__main__":
    main()
