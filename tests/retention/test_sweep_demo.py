"""The demo company's retention, swept a day after its data ends, on each engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from pledge.retention.sweep import forecast, sweep
from pledge.store import Store
from tests.demo.generated import Demo, close, generate
from tests.retention.sweeping import KEYS, store
from tests.rights.demo import demo as demo_declaration

__all__ = ["store"]

AS_OF = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)


@pytest.fixture
def company(company_url: str, tmp_path: Path) -> Iterator[Demo]:
    made = generate(company_url, f"sqlite:///{tmp_path / 'crm.db'}")
    try:
        yield made
    finally:
        close(made)


def test_the_demo_sweeps_what_its_rules_let_go_and_keeps_its_invoices(
    company: Demo, store: Store
) -> None:
    decl = demo_declaration()
    engines = {"shop": company.shop, "crm": company.crm}

    def swept(dry_run: bool) -> dict[str, tuple[int, int, int]]:
        report = sweep(
            store, decl, engines, as_of=AS_OF, dry_run=dry_run, started_by="test", keys=KEYS
        )
        return {t.name: (t.expired, t.held, t.referenced) for t in report.tables}

    before = swept(dry_run=True)
    # Sessions are kept 13 months, call recordings 6: the demo's history is longer.
    assert before["shop.web_sessions"][0] > 0
    assert before["shop.call_records"][0] > 0
    # Invoices are kept 6 years under the Companies Act: none is that old yet.
    expired, held, _ = before["shop.invoices"]
    assert expired == 0 and held > 0
    assert forecast(decl, engines, as_of=AS_OF, days=90)["shop.web_sessions"] > 0

    swept(dry_run=False)
    after = swept(dry_run=True)
    assert after["shop.web_sessions"][0] == after["shop.call_records"][0] == 0
    assert after["shop.invoices"] == before["shop.invoices"]
