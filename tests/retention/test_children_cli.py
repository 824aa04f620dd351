"""`pledge child flag`, run as the CLI runs it, against the demo company's databases."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from pledge.cli import run
from pledge.demo import schema as shop
from pledge.demo.people import JANE_EMAIL
from pledge.store import open_store
from pledge.store.tables import SubjectEventRow, SweepRunRow
from tests.demo.generated import Demo, close, generate
from tests.rights.demo import DEMO


@pytest.fixture
def company(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Demo]:
    shop_url, crm_url = f"sqlite:///{tmp_path / 'shop.db'}", f"sqlite:///{tmp_path / 'crm.db'}"
    for name in ("PLEDGE_STORE_URL", "PLEDGE_SECRET_KEY", "PLEDGE_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PLEDGE_DEMO_SHOP_URL", shop_url)
    monkeypatch.setenv("PLEDGE_DEMO_CRM_URL", crm_url)
    made = generate(shop_url, crm_url)
    try:
        yield made
    finally:
        close(made)


@pytest.fixture
def path(tmp_path: Path) -> str:
    return str(shutil.copy(DEMO, tmp_path / "pledge.yaml"))


def pledge(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_flagged_child_is_erased_at_once_and_logged(
    company: Demo, path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = pledge(capsys, "child", "flag", path, JANE_EMAIL, "--note", "school letter")
    assert (code, err) == (0, "")
    assert out.startswith(f"{JANE_EMAIL}: erased at once: ")
    assert out.endswith("kept under a legal hold (audit: sweep run 1)\n")
    with company.shop.connect() as connection:
        left = connection.scalar(
            sa.select(sa.func.count())
            .select_from(shop.customers)
            .where(shop.customers.c.email == JANE_EMAIL)
        )
    assert left == 0
    store_file = Path(path).parent / "pledge-store.db"
    with open_store(f"sqlite:///{store_file}") as store, store.session() as session:
        [run_row] = session.scalars(sa.select(SweepRunRow)).all()
        [event] = session.scalars(sa.select(SubjectEventRow)).all()
    assert (run_row.started_by, run_row.state) == ("child under 16", "done")
    assert (event.kind, event.identity_value, event.note) == ("child", JANE_EMAIL, "school letter")
    assert event.handled_at is not None

    code, out, _ = pledge(capsys, "child", "flag", path, "nobody@example.com")
    assert (code, out) == (
        0,
        "nobody@example.com: recorded as a child; no data of theirs was found"
        " (audit: sweep run 2)\n",
    )
