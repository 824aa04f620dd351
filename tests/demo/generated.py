"""Generating the demo for a test: small, seeded, up to a fixed day."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.demo import DemoReport, create_demo
from pledge.sources.connect import create_source_engine

SCALE = 60
SEED = 7
AS_OF = datetime(2026, 11, 1)


@dataclass
class Demo:
    shop: Engine
    crm: Engine
    report: DemoReport


def generate(
    shop_url: str, crm_url: str, scale: int = SCALE, seed: int = SEED, force: bool = False
) -> Demo:
    shop, crm = create_source_engine(shop_url), create_source_engine(crm_url)
    try:
        report = create_demo(shop, crm, scale=scale, seed=seed, as_of=AS_OF, force=force)
    except BaseException:
        shop.dispose()
        crm.dispose()
        raise
    return Demo(shop, crm, report)


def close(*made: Demo) -> None:
    for demo in made:
        demo.shop.dispose()
        demo.crm.dispose()


def digest(engine: Engine, *tables: sa.Table) -> str:
    """A fingerprint of the tables' rows in key order, alike on every engine."""
    hashed = hashlib.sha256()
    with engine.connect() as connection:
        for table in tables:
            order = list(table.primary_key.columns)
            for row in connection.execute(sa.select(table).order_by(*order)):
                hashed.update(repr(tuple(_plain(value) for value in row)).encode())
    return hashed.hexdigest()


def _plain(value: object) -> object:
    # Engines agree on these values but not always on their Python spelling.
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
