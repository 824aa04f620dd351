"""The demo's rows follow from the scale and the seed, alike on every engine."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from pledge.demo import schema
from pledge.demo.generate import FIXED_PEOPLE
from pledge.demo.rows import TABLE_ORDER
from tests.demo.generated import SCALE, SEED, Demo, close, digest, generate

FINGERPRINTED = (schema.customers, schema.addresses, schema.orders, schema.payments)


def count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_the_counts_follow_from_the_scale(demo: Demo) -> None:
    report = demo.report
    counts = {
        table.name: count(demo.shop if table.metadata is schema.SHOP else demo.crm, table)
        for table in TABLE_ORDER
    }
    assert counts == {load.table: load.rows for load in report.tables}
    assert all(counts.values()), f"every table gets rows: {counts}"
    assert counts["customers"] == SCALE
    # One payment and one invoice per order; one to three lines per order.
    assert counts["payments"] == counts["invoices"] == counts["orders"]
    assert counts["orders"] <= counts["order_lines"] <= 3 * counts["orders"]
    # About three orders a customer, 70% in the newsletter and 60% in the CRM: loose bounds,
    # since sixty customers are few.
    assert 2 * SCALE <= counts["orders"] <= 4 * SCALE
    assert 0.5 * SCALE <= counts["newsletter_contacts"] <= 1.0 * SCALE
    assert 0.4 * SCALE <= counts["contacts"] <= 0.8 * SCALE
    assert report.rows == sum(counts.values())
    assert report.rows_per_second > 0


def test_the_same_seed_gives_the_same_rows_on_every_engine(demo: Demo, tmp_path: Path) -> None:
    reference = generate(f"sqlite:///{tmp_path / 'ref-shop.db'}", f"sqlite:///{tmp_path / 'c.db'}")
    other = generate(
        f"sqlite:///{tmp_path / 'other-shop.db'}", f"sqlite:///{tmp_path / 'o.db'}", seed=SEED + 1
    )
    try:
        here = digest(demo.shop, *FINGERPRINTED)
        assert here == digest(reference.shop, *FINGERPRINTED)
        assert digest(demo.crm, schema.contacts) == digest(reference.crm, schema.contacts)
        assert here != digest(other.shop, *FINGERPRINTED)
        # The documented people do not depend on the seed.
        fixed = sa.select(schema.customers).where(schema.customers.c.id <= 2)
        with reference.shop.connect() as a, other.shop.connect() as b:
            assert a.execute(fixed).all() == b.execute(fixed).all()
    finally:
        close(reference, other)


def test_a_bigger_scale_only_adds_customers(tmp_path: Path) -> None:
    small = generate(f"sqlite:///{tmp_path / 's.db'}", f"sqlite:///{tmp_path / 'sc.db'}", scale=20)
    big = generate(f"sqlite:///{tmp_path / 'b.db'}", f"sqlite:///{tmp_path / 'bc.db'}", scale=40)
    try:
        first = sa.select(schema.customers).where(schema.customers.c.id <= 20)
        with small.shop.connect() as a, big.shop.connect() as b:
            assert a.execute(first).all() == b.execute(first).all()
        assert count(big.shop, schema.customers) == 40
        assert count(big.shop, schema.orders) > count(small.shop, schema.orders)
    finally:
        close(small, big)


def test_the_featured_customers_keep_their_names(demo: Demo) -> None:
    query = (
        sa.select(schema.customers.c.full_name)
        .where(schema.customers.c.id.between(3, FIXED_PEOPLE))
        .order_by(schema.customers.c.id)
    )
    with demo.shop.connect() as connection:
        names = connection.execute(query).scalars().all()
    assert names[:3] == ["Zoë Müller", "Łukasz Wiśniewski", "Renée Faure"]
    assert names[3] == "李雷"
    assert names[4].startswith("José Álvarez")  # a second surname, half of the time
