"""3Dsoft's "shelf life (active base)" (S003-22): once a customer's active-base period ends,
the sweep moves the customer's data to an archive only the role legal can read, and deletes
it from there when the archive ends; with no archive configured it is deleted. The seed
states no archive period: the operator's, here one year, is set where a test writes it.

On every engine, each sweep frozen on the scenario's days: kept in the company's database on
the active base's last day, in the archive from the day after, gone from the archive the day
after the archive's last.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from pledge.auth.roles import Role
from pledge.retention.archive import (
    ArchiveForbidden,
    OpenedRow,
    archive_count,
    archive_lines,
    archive_reads,
    open_archived,
)
from pledge.retention.journal import journal_entries, open_keys
from pledge.store import Store
from pledge.store.tables_retention import ArchivedRowRow
from tests.retention.promises import Company, on, one_database, opened, seed, source
from tests.retention.sweeping import KEYS, innodb, store
from tests.retention.test_promises_3dsoft import people_table

__all__ = ["store"]

SEED = "3dsoft"
CUSTOMERS = source("""
customers:
  subject: customer
  activities: [customer_management]
  columns:
    email: { category: contact.email, identity: email }
    name: identity.name
  retention: [customers]
""")
# Operator: the seed implies an archive after the active base but gives no length (L-003-05).
ARCHIVE = "retention:\n  customers: { archive: 1 year }\n"


def customers() -> dict[str, list[dict[str, object]]]:
    return {
        "customers": [
            {"id": 1, "email": "c@example.com", "name": "C"},
            {"id": 2, "email": "d@example.com", "name": "D"},  # still under contract
        ]
    }


def _open(company: Company, row_id: int, role: Role = Role.LEGAL) -> OpenedRow:
    with company.store.session(write=True) as session:
        return open_archived(
            session,
            row_id,
            role=role,
            reader="staff:lea",
            package_key=KEYS.package,
            now=on(2025, 7, 2, 9),
        )


def _archived(company: Company) -> list[ArchivedRowRow]:
    with company.store.session() as session:
        return list(session.scalars(sa.select(ArchivedRowRow).order_by(ArchivedRowRow.id)))


def test_S003_22_customer_data_moves_to_the_legal_archive_when_the_active_base_ends(
    company_url: str, store: Store
) -> None:
    database = one_database(company_url, people_table("customers"), customers())
    with opened(store, seed(SEED, CUSTOMERS + ARCHIVE), database) as company:
        # The contract's end is an event staff record: the table has no column for it.
        company.event("contract_end", "c@example.com", dt.date(2020, 6, 30))
        company.sweep(on(2025, 6, 29))
        company.sweep(on(2025, 6, 30))  # the active base's last day: 5 years from 30 June 2020
        assert company.ids("customers") == [1, 2]
        assert _archived(company) == []

        preview = company.sweep(on(2025, 7, 1), dry_run=True).table("company.customers")
        assert (preview.archived, preview.expired, preview.deleted) == (1, 0, 0)
        assert "1 row would be moved to the archive: their active period ended" in preview.notes
        assert company.ids("customers") == [1, 2]

        report = company.sweep(on(2025, 7, 1)).table("company.customers")
        assert (report.archived, report.deleted, report.expired) == (1, 0, 0)
        assert company.ids("customers") == [2]  # gone from the company's database
        [row] = _archived(company)
        assert (row.source, row.table_name, row.rule) == ("company", "customers", "customers")
        # Kept through 30 June 2026, one year on: gone at the first sweep from 1 July.
        assert row.until == on(2026, 7, 1, 0)
        # Nothing readable about C outside the sealed blob.
        assert b"c@example.com" not in row.sealed and "c@example.com" not in row.key_digest
        opened_row = _open(company, row.id)
        assert opened_row.key == {"id": 1}
        assert opened_row.columns == {"email": "c@example.com", "name": "C"}
        with company.store.session() as session:
            assert [r.read_by for r in archive_reads(session, row.id)] == ["staff:lea"]
        # The journal keeps C's key, so a restored backup loses C again.
        with company.store.session() as session:
            [entry] = journal_entries(session, table="customers")
            assert (entry.action, open_keys(entry, KEYS.package)) == ("deleted", [(1,)])

        company.sweep(on(2026, 6, 30))
        assert len(_archived(company)) == 1
        report = company.sweep(on(2026, 7, 1)).table("company.customers")
        assert report.archive_deleted == 1
        assert _archived(company) == []
        assert company.ids("customers") == [2]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PRIVACY_OFFICER, Role.VIEWER])
def test_S003_22_no_other_role_opens_the_archive_and_nothing_is_recorded(
    role: Role, store: Store, tmp_path: Any
) -> None:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    database = one_database(url, people_table("customers"), customers())
    with opened(store, seed(SEED, CUSTOMERS + ARCHIVE), database) as company:
        company.event("contract_end", "c@example.com", dt.date(2020, 6, 30))
        company.sweep(on(2025, 7, 1))
        [row] = _archived(company)
        with pytest.raises(ArchiveForbidden) as refused:
            _open(company, row.id, role)
        assert refused.value.message == (
            f"only the role 'legal' may open the archive; staff:lea is '{role.value}'"
        )
        with company.store.session() as session:
            assert archive_reads(session, row.id) == []
            # What any role may know: how many rows it holds, and where they come from.
            assert archive_count(session) == 1
            assert [line.name for line in archive_lines(session, limit=10)] == ["company.customers"]


def test_S003_22_with_no_archive_the_customer_is_deleted(company_url: str, store: Store) -> None:
    database = one_database(company_url, people_table("customers"), customers())
    with opened(store, seed(SEED, CUSTOMERS), database) as company:
        company.event("contract_end", "c@example.com", dt.date(2020, 6, 30))
        company.sweep(on(2025, 6, 30))
        assert company.ids("customers") == [1, 2]
        report = company.sweep(on(2025, 7, 1)).table("company.customers")
        assert (report.deleted, report.archived) == (1, 0)
        assert company.ids("customers") == [2]
        assert _archived(company) == []


def test_S003_22_data_past_its_archive_too_is_deleted_without_being_archived(
    company_url: str, store: Store
) -> None:
    database = one_database(company_url, people_table("customers"), customers())
    with opened(store, seed(SEED, CUSTOMERS + ARCHIVE), database) as company:
        # The sweep first runs after C's archive would have ended (30 June 2026).
        company.event("contract_end", "c@example.com", dt.date(2020, 6, 30))
        report = company.sweep(on(2026, 7, 1)).table("company.customers")
        assert (report.deleted, report.archived) == (1, 0)
        assert company.ids("customers") == [2]
        assert _archived(company) == []


# A customer's contract end in the table, and invoices that refer to the customer, kept 10
# years by law: an archived customer stays in the table, anonymised, while they do.
BILLED = source("""
customers:
  subject: customer
  activities: [customer_management]
  columns:
    email: { category: contact.email, identity: email }
    name: identity.name
  timestamps: { contract_end: contract_ended_on }
  retention: [customers]
invoices:
  activities: [customer_management]
  links:
    - { table: customers, on: { customer_id: id } }
  timestamps: { issued: issued_on }
  retention: [invoices]
""")


def billed() -> sa.MetaData:
    metadata = people_table("customers", "contract_ended_on")
    innodb(
        "invoices",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
    )
    return metadata


def test_S003_22_an_archived_customer_invoices_refer_to_stays_anonymised_until_they_go(
    company_url: str, store: Store
) -> None:
    rows = {
        "customers": [
            {"id": 1, "email": "c@example.com", "name": "C",
             "contract_ended_on": dt.date(2020, 6, 30)},
        ],
        "invoices": [{"id": 1, "customer_id": 1, "issued_on": dt.date(2016, 3, 15)}],
    }  # fmt: skip
    database = one_database(company_url, billed(), rows)
    with opened(store, seed(SEED, BILLED + ARCHIVE), database) as company:
        company.sweep(on(2025, 6, 30))
        assert company.select("SELECT email, name FROM customers") == [("c@example.com", "C")]

        preview = company.sweep(on(2025, 7, 1), dry_run=True).table("company.customers")
        assert preview.archived == 1
        report = company.sweep(on(2025, 7, 1)).table("company.customers")
        assert (report.archived, report.anonymised, report.deleted) == (1, 1, 0)
        assert (
            "1 row past its active period stays in the table, anonymised once archived: "
            "rows that stay refer to it" in report.notes
        )
        # In the table, only what the sweep must still read: its key and its date.
        [(email, name, ended)] = company.select(
            "SELECT email, name, contract_ended_on FROM customers"
        )
        assert "c@example.com" not in (email, name) and name != "C"
        assert str(ended)[:10] == "2020-06-30"
        [row] = _archived(company)
        assert _open(company, row.id).columns == {"email": "c@example.com", "name": "C"}

        again = company.sweep(on(2025, 7, 2)).table("company.customers")
        assert (again.archived, again.anonymised) == (0, 0)  # nothing more to change

        # The invoice's 10 years end on 15 March 2026: it goes, and so does C's row, now
        # free, without a second entry in the archive.
        report = company.sweep(on(2026, 3, 16)).table("company.customers")
        assert company.ids("invoices") == []
        assert company.ids("customers") == []
        assert (report.archived, report.deleted) == (0, 1)
        assert [r.id for r in _archived(company)] == [row.id]
        assert _open(company, row.id).columns == {"email": "c@example.com", "name": "C"}

        company.sweep(on(2026, 6, 30))
        assert len(_archived(company)) == 1
        company.sweep(on(2026, 7, 1))
        assert _archived(company) == []


def test_S003_22_with_nothing_to_erase_a_referred_customer_stays_whole_then_is_archived(
    company_url: str, store: Store
) -> None:
    # The operator keeps every column as it is: nothing to anonymise the row with.
    kept = BILLED.replace(
        "email: { category: contact.email, identity: email }\n",
        "email: { category: contact.email, identity: email, erase: keep }\n",
    ).replace("name: identity.name\n", "name: { category: identity.name, erase: keep }\n", 1)
    rows = {
        "customers": [
            {"id": 1, "email": "c@example.com", "name": "C",
             "contract_ended_on": dt.date(2020, 6, 30)},
        ],
        "invoices": [{"id": 1, "customer_id": 1, "issued_on": dt.date(2016, 3, 15)}],
    }  # fmt: skip
    database = one_database(company_url, billed(), rows)
    with opened(store, seed(SEED, kept + ARCHIVE), database) as company:
        report = company.sweep(on(2025, 7, 1)).table("company.customers")
        assert (report.archived, report.anonymised) == (0, 0)
        assert (
            "1 row past its active period stays in the table, whole, archived once freed: "
            "rows that stay refer to it" in report.notes
        )
        assert company.select("SELECT email, name FROM customers") == [("c@example.com", "C")]
        report = company.sweep(on(2026, 3, 16)).table("company.customers")
        assert (report.archived, report.deleted) == (1, 0)
        assert company.ids("customers") == []
        [row] = _archived(company)
        assert _open(company, row.id).columns == {"email": "c@example.com", "name": "C"}
