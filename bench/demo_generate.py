"""How fast the demo company's databases fill, on PostgreSQL and SQLite.

    .venv/bin/python bench/demo_generate.py [--scale 100000] [--seed 1]

Generates the shop and CRM databases with `--scale` customers into a fresh PostgreSQL schema
(PLEDGE_BENCH_POSTGRES, default postgresql://postgres@127.0.0.1:5432/test; dropped after)
and into SQLite files in a temporary folder, then prints per table the rows, the seconds
spent inserting them and the rows per second; the totals include generating the rows and
building the indexes and foreign keys. PostgreSQL is skipped, with a message, when it cannot
be reached.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from pledge.demo import DemoReport, create_demo
from pledge.sources.connect import create_source_engine

POSTGRES = os.environ.get("PLEDGE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
AS_OF = datetime(2026, 11, 1)


@contextmanager
def postgres_schema() -> Iterator[str | None]:
    """A URL whose search path is a new, empty schema; None when the server is unreachable."""
    try:
        admin = psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL skipped: unreachable at {POSTGRES} ({exc})".strip(), file=sys.stderr)
        yield None
        return
    name = f"pledge_bench_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
        try:
            url = make_url(POSTGRES).update_query_dict({"options": f"-csearch_path={name}"})
            yield url.render_as_string(hide_password=False)
        finally:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def fill(shop_url: str, crm_url: str, scale: int, seed: int) -> DemoReport:
    shop, crm = create_source_engine(shop_url), create_source_engine(crm_url)
    try:
        return create_demo(shop, crm, scale=scale, seed=seed, as_of=AS_OF)
    finally:
        shop.dispose()
        crm.dispose()


def print_report(engine: str, report: DemoReport) -> None:
    print(f"\n{engine}: {report.scale:,} customers (seed {report.seed})")
    print(f"  {'table':<24} {'rows':>11} {'seconds':>9} {'rows/s':>10}")
    for load in report.tables:
        rate = load.rows / load.seconds if load.seconds else 0.0
        name = f"{load.source}.{load.table}"
        print(f"  {name:<24} {load.rows:>11,} {load.seconds:>9.2f} {rate:>10,.0f}")
    print(f"  {'indexes and foreign keys':<24} {'':>11} {report.keys_seconds:>9.2f}")
    print(
        f"  {'total (all included)':<24} {report.rows:>11,} {report.seconds:>9.2f} "
        f"{report.rows_per_second:>10,.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000, help="customers (default 100000)")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    with postgres_schema() as url:
        if url is not None:
            print_report("PostgreSQL", fill(url, url, options.scale, options.seed))
    with tempfile.TemporaryDirectory(prefix="pledge-bench-") as folder:
        shop, crm = Path(folder) / "shop.db", Path(folder) / "crm.db"
        report = fill(f"sqlite:///{shop}", f"sqlite:///{crm}", options.scale, options.seed)
        print_report("SQLite", report)


if __name__ == "__main__":
    main()
