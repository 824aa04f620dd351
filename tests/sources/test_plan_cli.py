"""`pledge plan`, through the real command-line entry point, on a SQLite shop."""

from __future__ import annotations

from pathlib import Path

import pytest

from pledge.cli import run
from pledge.sources.connect import create_source_engine
from tests.sources.plan_schema import CRM_SOURCE, SHOP_SOURCE, create_shop, sources_declaration

SHOP = """
shop:
  url_env: PLEDGE_TEST_SHOP_URL
  tables:
    customers:
      subject: customer
      columns:
        email: { category: contact.email, identity: email }
    addresses:
      columns:
        postcode: contact.postal_address
"""

PLAN = """\
Plan for email=jane@example.com (at most 6 hops from the identity).
Shared rows are reported with their categories only: their values are not exported, \
and they are never erased.

shop (sqlite): 2 tables, one statement each
  1. customers
     reached by:
       customers by email
     columns: id (key), email (contact.email, identity: email)
     SQL:
       SELECT customers.id, customers.email
       FROM customers
       WHERE customers.email IN (:email)
  2. addresses — may be shared: when another customers row refers to it too
     reached by:
       customers by email → addresses (customers.address_id → addresses.id, foreign key)
     columns: id (key), postcode (contact.postal_address)
     SQL:
       SELECT addresses.id, addresses.postcode, CASE WHEN (EXISTS (SELECT 1
           FROM customers AS other_customers
           WHERE other_customers.address_id = addresses.id AND \
(other_customers.id NOT IN (:found_customers)))) THEN 1 ELSE 0 END AS pledge_shared
       FROM addresses
       WHERE addresses.id IN (SELECT customers.address_id
         FROM customers
         WHERE customers.id IN (:found_customers))
  parameters:
    :email = jane@example.com (given)
    :found_customers = id of the subject's own rows of customers (step 1)
"""


@pytest.fixture
def shop_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "shop.db"
    engine = create_source_engine(f"sqlite:///{path}")
    create_shop(engine)
    engine.dispose()
    monkeypatch.setenv("PLEDGE_TEST_SHOP_URL", f"sqlite:///{path}")
    return path


def write(tmp_path: Path, *sources: str) -> str:
    path = tmp_path / "pledge.yaml"
    path.write_text(sources_declaration(*sources), encoding="utf-8")
    return str(path)


@pytest.mark.usefixtures("shop_file")
def test_plan_prints_the_routes_and_the_sql(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["plan", write(tmp_path, SHOP), "--subject", "email=jane@example.com"]) == 0
    assert capsys.readouterr().out == PLAN


@pytest.mark.usefixtures("shop_file")
def test_run_prints_counts_and_never_a_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["plan", write(tmp_path, SHOP), "--subject", "email=jane@example.com", "--run"]
    assert run(args) == 0
    out = capsys.readouterr().out
    assert out == PLAN + (
        "\n"
        "Read-only run (counts only, no values):\n"
        "  shop.customers: 1 row\n"
        "  shop.addresses: 0 rows, 1 shared\n"
        "  round 1: shop\n"
    )
    assert "75004" not in out  # the shared address's postcode


def test_every_missing_database_url_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLEDGE_TEST_SHOP_URL", raising=False)
    monkeypatch.delenv("PLEDGE_TEST_CRM_URL", raising=False)
    assert run(["plan", write(tmp_path, SHOP, CRM_SOURCE), "--subject", "email=a@b.c"]) == 1
    assert capsys.readouterr().err == (
        "error: the sources' database URLs are not set: PLEDGE_TEST_SHOP_URL, "
        "PLEDGE_TEST_CRM_URL — export PLEDGE_TEST_SHOP_URL=<database URL>, "
        "e.g. postgresql://user@host/db\n"
    )


@pytest.mark.usefixtures("shop_file")
@pytest.mark.parametrize(
    ("subject", "message"),
    [
        ("jane@example.com", "error: --subject 'jane@example.com' is not kind=value"),
        ("passport=X1", "error: no column of the sources holds the identity 'passport'"),
    ],
)
def test_a_bad_subject_is_explained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], subject: str, message: str
) -> None:
    assert run(["plan", write(tmp_path, SHOP), "--subject", subject]) == 1
    assert capsys.readouterr().err.startswith(message)


def test_a_mistyped_sqlite_path_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nope.db"
    monkeypatch.setenv("PLEDGE_TEST_SHOP_URL", f"sqlite:///{missing}")
    assert run(["plan", write(tmp_path, SHOP), "--subject", "email=a@b.c"]) == 1
    assert f"error: source 'shop': no SQLite database at {missing}" in capsys.readouterr().err
    assert not missing.exists()


def test_an_unreachable_database_is_reported_without_its_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Port 1 refuses connections at once.
    monkeypatch.setenv("PLEDGE_TEST_SHOP_URL", "postgresql://pledge:s3cret@127.0.0.1:1/shop")
    assert run(["plan", write(tmp_path, SHOP), "--subject", "email=a@b.c"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot read the schema of source 'shop': ")
    assert "s3cret" not in err


@pytest.mark.usefixtures("shop_file")
def test_the_depth_limit_is_an_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["plan", write(tmp_path, SHOP_SOURCE), "--subject", "phone=+44 7700 900001"]
    assert run([*args, "--max-depth", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Plan for phone=+44 7700 900001 (at most 2 hops from the identity).\n")
    assert out.endswith(
        "  note: returns lies more than 2 hops from the subject:"
        " raise the depth limit to reach it\n"
    )
    assert run([*args, "--max-depth", "0"]) == 2  # a usage error, from the option's range
