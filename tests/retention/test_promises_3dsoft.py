"""3Dsoft (seed 003, examples/3dsoft) keeps the retention table of its notice: contact-form
requests until answered (S003-16), prospects 3 years from the last contact unless they object
(S003-17), candidates 2 years from their application unless they withdraw it (S003-18),
video 1 week at the hour (S003-19), customers 5 years from the end of their contract and
invoices 10 years from issue (S003-20), suppliers alike (S003-21); and `pledge check` refuses
an activity without retention (S003-09) or a rule that never ends (S003-12). On every engine,
each sweep frozen on the scenario's days: kept on the last day, gone the day after.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from pledge.cli.app import app
from pledge.declaration.lint import lint
from pledge.declaration.load import parse_declaration
from pledge.errors import InvalidDeclaration, PledgeError
from pledge.jobs import JOBS, Runner
from pledge.retention.schedule import ensure_scheduled
from pledge.retention.slots import SweepSchedule
from pledge.rights.decisions import may_use
from pledge.rights.workflow import submit_request
from pledge.store import Store
from pledge.store.tables import SweepRunRow
from tests.jobs.clock import ManualClock
from tests.mail.smtp_server import SmtpServer, smtp_server
from tests.retention.promises import on, one_database, opened, seed, seed_text, source
from tests.retention.sweeping import innodb, store

__all__ = ["smtp_server", "store"]

SEED = "3dsoft"


def people_table(name: str, *dates: str) -> sa.MetaData:
    """A table of people: id, email, name, and these DATE columns (NULL allowed)."""
    metadata = sa.MetaData()
    innodb(
        name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(120), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        *(sa.Column(column, sa.Date) for column in dates),
    )
    return metadata


CONTACT_FORM = source("""
contact_requests:
  subject: visitor
  activities: [contact_form]
  columns:
    email: { category: contact.email, identity: email }
    name: identity.name
  timestamps: { collected: received_on, request_resolved: answered_on }
  retention: [contact_requests]
""")
# Operator: the seed's "time required to respond" has no figure; the scenario's grace is 0 days.
NO_GRACE = "retention:\n  contact_requests: { duration: 0 days }\n"


def contact_requests() -> dict[str, list[dict[str, object]]]:
    received = dt.date(2024, 2, 1)
    return {
        "contact_requests": [
            {"id": 1, "email": "q1@example.com", "name": "Q One", "received_on": received,
             "answered_on": dt.date(2024, 2, 5)},
            {"id": 2, "email": "q2@example.com", "name": "Q Two", "received_on": received,
             "answered_on": None},
        ]
    }  # fmt: skip


def test_S003_16_a_contact_request_goes_the_day_after_it_is_answered(
    company_url: str, store: Store
) -> None:
    metadata = people_table("contact_requests", "received_on", "answered_on")
    database = one_database(company_url, metadata, contact_requests())
    with opened(store, seed(SEED, CONTACT_FORM + NO_GRACE), database) as company:
        company.sweep(on(2024, 2, 5))  # answered that day: kept through it
        assert company.ids("contact_requests") == [1, 2]
        company.sweep(on(2024, 2, 6))
        assert company.ids("contact_requests") == [2]
        company.sweep(on(2026, 2, 6))  # unanswered: its clock has not started
        assert company.ids("contact_requests") == [2]


def test_S003_16_as_the_seed_words_it_the_rule_never_ends_and_the_dry_run_says_so(
    company_url: str, store: Store
) -> None:
    metadata = people_table("contact_requests", "received_on", "answered_on")
    database = one_database(company_url, metadata, contact_requests())
    with opened(store, seed(SEED, CONTACT_FORM), database) as company:
        preview = company.sweep(on(2030, 1, 1), dry_run=True).table("company.contact_requests")
        assert preview.expired == 0
        assert (
            "company.contact_requests: rule contact_requests has no duration, so it never "
            "ends: its rows are kept" in preview.notes
        )


PROSPECTS = source("""
prospects:
  subject: prospect
  activities: [prospecting]
  columns:
    email: { category: contact.email, identity: email }
    name: identity.name
  timestamps: { collected: collected_on, last_contact: last_contact_on }
  retention: [prospects]
""")
# The seed lists no right to object (L-003-02); `pledge check` asks for it, and the
# scenario's prospect C uses it.
OBJECTION = "rights:\n  offered:\n    objection: {}\n"


def test_S003_17_prospects_go_3_years_after_the_last_contact_or_when_they_object(
    company_url: str, store: Store, smtp_server: SmtpServer
) -> None:
    rows = {
        "prospects": [
            # A: collected 1 May 2022, last contacted 10 January 2023: kept through 2026-01-10.
            {"id": 1, "email": "a@example.com", "name": "A", "collected_on": dt.date(2022, 5, 1),
             "last_contact_on": dt.date(2023, 1, 10)},
            # B: collected 1 February 2021, never contacted: kept through 2024-02-01.
            {"id": 2, "email": "b@example.com", "name": "B", "collected_on": dt.date(2021, 2, 1),
             "last_contact_on": None},
            # C: contacted lately, objects on 1 June 2023.
            {"id": 3, "email": "c@example.com", "name": "C", "collected_on": dt.date(2023, 1, 5),
             "last_contact_on": dt.date(2023, 4, 1)},
        ]
    }  # fmt: skip
    metadata = people_table("prospects", "collected_on", "last_contact_on")
    declaration = seed(SEED, PROSPECTS + OBJECTION)
    database = one_database(company_url, metadata, rows)
    with opened(store, declaration, database, smtp=smtp_server) as company:
        company.sweep(on(2023, 6, 1))
        assert company.ids("prospects") == [1, 2, 3]
        objection = company.request(
            "objection",
            "C@example.com",
            on(2023, 6, 1, 10),
            jurisdiction="fr",
            details={"activities": ["prospecting"]},
        )
        assert objection.state == "completed"
        with company.store.session() as session:
            # No e-mail to C from then on; A may still be written to.
            assert not may_use(
                session, declaration, email="c@example.com", activity="prospecting",
                at=on(2023, 6, 1, 10, 1),
            )  # fmt: skip
            assert may_use(session, declaration, email="a@example.com", activity="prospecting")
        company.sweep(on(2023, 6, 1, 23))  # C leaves the active base that day
        assert company.ids("prospects") == [1, 2]

        company.sweep(on(2024, 2, 1))
        assert company.ids("prospects") == [1, 2]
        company.sweep(on(2024, 2, 2))
        assert company.ids("prospects") == [1]
        company.sweep(on(2026, 1, 9))
        company.sweep(on(2026, 1, 10))
        assert company.ids("prospects") == [1]
        company.sweep(on(2026, 1, 11))
        assert company.ids("prospects") == []


CANDIDATES = source("""
applications:
  subject: candidate
  activities: [recruitment]
  columns:
    email: { category: contact.email, identity: email }
    name: identity.name
  timestamps: { application: filed_on, objection: withdrawn_on }
  retention: [candidates]
""")


def test_S003_18_a_candidacy_goes_2_years_after_filing_or_the_day_it_is_withdrawn(
    company_url: str, store: Store
) -> None:
    rows = {
        "applications": [
            {"id": 1, "email": "first@example.com", "name": "First",
             "filed_on": dt.date(2023, 3, 15), "withdrawn_on": None},
            {"id": 2, "email": "second@example.com", "name": "Second",
             "filed_on": dt.date(2023, 5, 10), "withdrawn_on": None},
        ]
    }  # fmt: skip
    metadata = people_table("applications", "filed_on", "withdrawn_on")
    database = one_database(company_url, metadata, rows)
    with opened(store, seed(SEED, CANDIDATES), database) as company:
        company.sweep(on(2023, 8, 31))
        # The second candidate opposes on 1 September 2023; the recruiting tool records it.
        with company.engines["company"].begin() as connection:
            connection.execute(
                sa.text("UPDATE applications SET withdrawn_on = :day WHERE id = 2"),
                {"day": dt.date(2023, 9, 1)},
            )
        assert company.ids("applications") == [1, 2]
        company.sweep(on(2023, 9, 1))
        assert company.ids("applications") == [1]
        company.sweep(on(2025, 3, 14))
        company.sweep(on(2025, 3, 15))  # E: filed 15 March 2023, plus 2 years
        assert company.ids("applications") == [1]
        company.sweep(on(2025, 3, 16))
        assert company.ids("applications") == []


def test_S003_18_an_objection_request_cannot_reach_recruitment_and_check_says_why(
    store: Store,
) -> None:
    # The notice's "(unless opposed)" sits on a pre-contractual basis, where the law gives
    # no right to object (L-003-03): Pledge refuses such an objection, and lint says why.
    text = seed_text(SEED, CANDIDATES + OBJECTION)
    declaration = parse_declaration(text).declaration
    with store.session(write=True) as session, pytest.raises(PledgeError) as refused:
        submit_request(
            session,
            declaration,
            type="objection",
            email="second@example.com",
            jurisdiction="fr",
            details={"activities": ["recruitment"]},
            now=on(2023, 9, 1, 10),
        )
    assert refused.value.message.startswith("'recruitment' cannot be the object of an objection")
    codes = {p.code for p in lint(parse_declaration(text))}
    assert "OBJECTION-BASIS-MISMATCH" in codes


CCTV = source("""
recordings:
  subject: filmed_person
  activities: [video_surveillance]
  columns:
    clip: audiovisual.cctv
  timestamps: { recorded: recorded_at }
  retention: [cctv]
""")


def test_S003_19_the_hourly_sweep_removes_footage_a_week_after_it_was_recorded(
    company_url: str, store: Store
) -> None:
    metadata = sa.MetaData()
    innodb(
        "recordings",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("clip", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )
    rows = {
        "recordings": [
            {"id": 1, "clip": "gate/0501-1000.mp4", "recorded_at": dt.datetime(2024, 5, 1, 10)},
            {"id": 2, "clip": "gate/0501-1030.mp4", "recorded_at": dt.datetime(2024, 5, 1, 10, 30)},
        ]
    }
    hourly = {"PLEDGE_SWEEP_EVERY": "1 hour", "PLEDGE_SWEEP_AT": "00:00"}
    database = one_database(company_url, metadata, rows)
    with opened(store, seed(SEED, CCTV), database, environ=hourly) as company:
        clock = ManualClock(on(2024, 5, 7, 22, 30))
        with store.session(write=True) as session:
            first = ensure_scheduled(session, SweepSchedule.from_environ(hourly), now=clock())
        assert first == on(2024, 5, 7, 23)
        runner = Runner(store, JOBS, services=company.services, clock=clock)
        left: dict[dt.datetime, list[object]] = {}
        for _ in range(13):  # the slots from 23:00 on 7 May to 11:00 on 8 May
            clock.advance(dt.timedelta(hours=1) if left else dt.timedelta(minutes=30))
            assert runner.run_pending().done == 1
            left[clock()] = company.ids("recordings")
        assert left[on(2024, 5, 7, 23)] == [1, 2]
        assert left[on(2024, 5, 8, 9)] == [1, 2]
        assert left[on(2024, 5, 8, 10)] == [2]  # recorded at 10:00 on 1 May
        assert left[on(2024, 5, 8, 11)] == []
        with store.session() as session:
            runs = session.scalars(sa.select(SweepRunRow).order_by(SweepRunRow.id)).all()
        assert [(r.started_by, r.state) for r in runs] == [("schedule", "done")] * 13


CUSTOMERS = source("""
customers:
  subject: customer
  activities: [customer_management]
  columns:
    email: { category: contact.email, identity: email }
    name: identity.name
  retention: [customers]
invoices:
  activities: [customer_management]
  columns:
    customer_email: { category: contact.email, identity: email }
    billed_name: identity.name
  timestamps: { issued: issued_on }
  retention: [customers, invoices]
""")


def test_S003_20_customers_go_5_years_after_their_contract_and_invoices_10_years_after_issue(
    company_url: str, store: Store
) -> None:
    metadata = people_table("customers")
    innodb(
        "invoices",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        # An invoice names its customer (French law): no foreign key ties it to the account.
        sa.Column("customer_email", sa.String(120), nullable=False),
        sa.Column("billed_name", sa.String(120), nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
    )
    rows = {
        "customers": [
            {"id": 1, "email": "c@example.com", "name": "C"},
            {"id": 2, "email": "d@example.com", "name": "D"},  # still under contract
        ],
        "invoices": [
            {"id": 1, "customer_email": "c@example.com", "billed_name": "C",
             "issued_on": dt.date(2016, 3, 15)},
            {"id": 2, "customer_email": "c@example.com", "billed_name": "C",
             "issued_on": dt.date(2019, 11, 1)},
            {"id": 3, "customer_email": "d@example.com", "billed_name": "D",
             "issued_on": dt.date(2014, 1, 10)},
        ],
    }  # fmt: skip
    database = one_database(company_url, metadata, rows)
    with opened(store, seed(SEED, CUSTOMERS), database) as company:
        # The contract's end is an event staff record: the tables have no column for it.
        company.event("contract_end", "c@example.com", dt.date(2020, 6, 30))
        company.sweep(on(2025, 6, 29))
        company.sweep(on(2025, 6, 30))
        assert company.ids("customers") == [1, 2]
        preview = company.sweep(on(2025, 7, 1), dry_run=True)
        assert preview.table("company.customers").expired == 1
        invoices = preview.table("company.invoices")
        assert (invoices.expired, invoices.held, invoices.holds) == (0, 2, ("invoices",))
        company.sweep(on(2025, 7, 1))
        assert company.ids("customers") == [2]
        # D's contract runs on: its 12-year-old invoice stays, the customer rule has not ended.
        assert company.ids("invoices") == [1, 2, 3]
        company.sweep(on(2026, 3, 15))
        assert company.ids("invoices") == [1, 2, 3]
        company.sweep(on(2026, 3, 16))
        assert company.ids("invoices") == [2, 3]
        company.sweep(on(2029, 11, 1))
        assert company.ids("invoices") == [2, 3]
        company.sweep(on(2029, 11, 2))
        assert company.ids("invoices") == [3]


SUPPLIERS = source("""
supplier_contacts:
  subject: supplier
  activities: [supplier_management]
  columns:
    email: { category: contact.email, identity: email }
    name: identity.name
  timestamps: { contract_end: contract_ended_on }
  retention: [suppliers]
supplier_invoices:
  activities: [supplier_management]
  columns:
    supplier_name: identity.name
  timestamps: { issued: issued_on }
  retention: [invoices]
""")


def test_S003_21_supplier_contacts_go_5_years_after_the_contract_and_invoices_after_10(
    company_url: str, store: Store
) -> None:
    metadata = people_table("supplier_contacts", "contract_ended_on")
    innodb(
        "supplier_invoices",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("supplier_name", sa.String(120), nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
    )
    rows = {
        "supplier_contacts": [
            {"id": 1, "email": "s@example.com", "name": "S",
             "contract_ended_on": dt.date(2021, 12, 31)},
            {"id": 2, "email": "t@example.com", "name": "T", "contract_ended_on": None},
        ],
        "supplier_invoices": [
            {"id": 1, "supplier_name": "S", "issued_on": dt.date(2022, 2, 1)},
        ],
    }  # fmt: skip
    database = one_database(company_url, metadata, rows)
    with opened(store, seed(SEED, SUPPLIERS), database) as company:
        company.sweep(on(2026, 12, 31))
        assert company.ids("supplier_contacts") == [1, 2]
        report = company.sweep(on(2027, 1, 1))
        assert company.ids("supplier_contacts") == [2]
        kept = report.table("company.supplier_invoices")
        # The invoice's only rule is the law's: until it ends, it holds the invoice.
        assert (kept.held, kept.holds) == (1, ("invoices",))
        company.sweep(on(2032, 2, 1))
        assert company.ids("supplier_invoices") == [1]
        company.sweep(on(2032, 2, 2))
        assert company.ids("supplier_invoices") == []
        assert company.ids("supplier_contacts") == [2]


def test_S003_09_an_activity_without_retention_fails_the_strict_check(tmp_path: Path) -> None:
    text = seed_text(SEED, "activities:\n  video_surveillance: { retention: null }\n")
    found = [p for p in lint(parse_declaration(text)) if p.code == "RET-UNDEFINED"]
    assert [p.message for p in found] == ["activity 'video_surveillance' has no retention rule"]
    path = tmp_path / "pledge.yaml"
    path.write_text(text, encoding="utf-8")
    checked = CliRunner().invoke(app, ["check", "--strict", str(path)])
    assert checked.exit_code == 1
    assert "[RET-UNDEFINED]" in checked.output


def test_S003_12_a_rule_kept_indefinitely_is_refused(tmp_path: Path) -> None:
    text = seed_text(SEED, "retention:\n  cctv: { duration: indefinite }\n")
    with pytest.raises(InvalidDeclaration) as refused:
        parse_declaration(text)
    assert "'indefinite' is not a duration" in str(refused.value)
    path = tmp_path / "pledge.yaml"
    path.write_text(text, encoding="utf-8")
    assert CliRunner().invoke(app, ["check", str(path)]).exit_code == 1
