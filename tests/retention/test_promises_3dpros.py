"""3DPros LLC (seed 002, examples/3dpros) keeps its retention promises: no purpose longer
than 2 years (S002-33, enforced by the sweep and by `pledge check`), server logs purged by the
cap (S002-14), usage logs anonymised at 2 years (S002-34), and the tax exception that breaks
the cap reported (S002-32). On every engine, with the sweep frozen on the scenario's days.

The seed's one rule, `while_needed`, states neither a duration nor a trigger: the notice only
promises that "no purpose requires more than 2 years" (notice.maximum_retention). Each
scenario names the trigger an operator would add, and leaves the duration to the cap.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from pledge.cli.app import app
from pledge.declaration.lint import lint
from pledge.declaration.load import parse_declaration
from pledge.sources.access import execute_access
from pledge.sources.plan import build_plan
from pledge.store import Store
from tests.retention.promises import on, one_database, opened, seed, seed_text, source
from tests.retention.sweeping import innodb, store

__all__ = ["store"]

SEED = "3dpros"

MARKETING = source("""
subscribers:
  subject: contact
  activities: [marketing]
  columns:
    email: { category: contact.email_address, identity: email }
  timestamps: { collected: collected_on, last_contact: last_opened_on }
  retention: [while_needed]
""")
# Operator: the 2 years count from the last time the person engaged, or from collection.
LAST_CONTACT = """
retention:
  while_needed: { trigger: last_contact }
"""


def subscribers() -> sa.MetaData:
    metadata = sa.MetaData()
    innodb(
        "subscribers",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(120), nullable=False),
        sa.Column("collected_on", sa.Date, nullable=False),
        sa.Column("last_opened_on", sa.Date),
    )
    return metadata


SUBSCRIBERS = {
    "subscribers": [
        # Collected on 1 March 2023 for marketing, no later activity: kept through 1 March 2025.
        {
            "id": 1,
            "email": "e1@example.com",
            "collected_on": dt.date(2023, 3, 1),
            "last_opened_on": None,
        },
        # Opened a mail on 10 January 2024: its 2 years count from then.
        {
            "id": 2,
            "email": "e2@example.com",
            "collected_on": dt.date(2023, 3, 1),
            "last_opened_on": dt.date(2024, 1, 10),
        },
    ]
}


def test_S002_33_no_purpose_keeps_an_email_longer_than_2_years(
    company_url: str, store: Store
) -> None:
    # The rule has no duration of its own: the notice's 2-year maximum is its length.
    declaration = seed(SEED, MARKETING + LAST_CONTACT)
    database = one_database(company_url, subscribers(), SUBSCRIBERS)
    with opened(store, declaration, database) as company:
        company.sweep(on(2025, 2, 28))
        assert company.ids("subscribers") == [1, 2]
        company.sweep(on(2025, 3, 1))  # E: the last day of the 2 years
        assert company.ids("subscribers") == [1, 2]
        report = company.sweep(on(2025, 3, 2))
        assert company.ids("subscribers") == [2]
        assert report.table("company.subscribers").deleted == 1
        company.sweep(on(2026, 1, 10))
        assert company.ids("subscribers") == [2]
        company.sweep(on(2026, 1, 11))
        assert company.ids("subscribers") == []


THREE_YEARS = """
retention:
  while_needed: { trigger: last_contact }
  marketing_list:
    name: Marketing list
    duration: 3 years
    trigger: last_contact
activities:
  marketing: { retention: [while_needed, marketing_list] }
"""


def test_S002_33_a_3_year_rule_fails_the_strict_check_and_the_sweep_keeps_to_2_years(
    company_url: str, store: Store, tmp_path: Path
) -> None:
    text = seed_text(SEED, MARKETING.replace("[while_needed]", "[marketing_list]") + THREE_YEARS)
    found = [p for p in lint(parse_declaration(text)) if p.code == "RET-CAP-CONFLICT"]
    assert [p.message for p in found] == [
        "retention rule 'marketing_list' keeps data for 3 years, longer than the 2 years the "
        "notice promises as a maximum (notice.maximum_retention)"
    ]
    path = tmp_path / "pledge.yaml"
    path.write_text(text, encoding="utf-8")
    checked = CliRunner().invoke(app, ["check", "--strict", str(path)])
    assert checked.exit_code == 1, checked.output
    assert "[RET-CAP-CONFLICT]" in checked.output

    # Were the rule deployed anyway, the sweep keeps the notice's promise, not the rule's.
    database = one_database(company_url, subscribers(), SUBSCRIBERS)
    with opened(store, parse_declaration(text).declaration, database) as company:
        company.sweep(on(2025, 3, 1))
        assert company.ids("subscribers") == [1, 2]
        company.sweep(on(2025, 3, 2))
        assert company.ids("subscribers") == [2]


def test_S002_32_a_tax_rule_longer_than_the_cap_is_reported_with_its_law(tmp_path: Path) -> None:
    text = seed_text(
        SEED,
        """
retention:
  legal_requirements:
    duration: 7 years
    trigger: issued
    required_by: Internal Revenue Code, 26 U.S.C. 6001
""",
    )
    found = [p for p in lint(parse_declaration(text)) if p.code == "RET-CAP-CONFLICT"]
    assert len(found) == 1
    assert "'legal_requirements' keeps data for 7 years" in found[0].message
    assert found[0].hint.startswith("Internal Revenue Code, 26 U.S.C. 6001 requires the longer")
    path = tmp_path / "pledge.yaml"
    path.write_text(text, encoding="utf-8")
    assert CliRunner().invoke(app, ["check", "--strict", str(path)]).exit_code == 1


LOGS = source("""
server_logs:
  subject: visitor
  activities: [services, security]
  columns:
    ip: { category: online.log_usage, identity: ip }
    path: online.log_usage
  timestamps: { collected: logged_at }
  retention: [while_needed]
""")
IP = "198.51.100.7"


def test_S002_14_a_log_line_is_found_by_its_ip_and_purged_by_the_2_year_cap(
    company_url: str, store: Store
) -> None:
    metadata = sa.MetaData()
    innodb(
        "server_logs",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("ip", sa.String(45), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("logged_at", sa.DateTime, nullable=False),
    )
    lines = {
        "server_logs": [
            {"id": 1, "ip": IP, "path": "/pricing", "logged_at": dt.datetime(2023, 3, 1, 14, 5)},
            {"id": 2, "ip": "203.0.113.9", "path": "/", "logged_at": dt.datetime(2023, 3, 2, 9)},
        ]
    }
    declaration = seed(SEED, LOGS + "retention:\n  while_needed: { trigger: collected }\n")
    with opened(store, declaration, one_database(company_url, metadata, lines)) as company:
        # An access request for the IP address on 10 January 2024 finds the line.
        plan = build_plan(declaration, company.services.schemas(), {"ip": [IP]})
        found = execute_access(plan, company.services.engines())
        assert [row["path"] for row in found.table("company", "server_logs").rows] == ["/pricing"]
        # Logged at 14:05 on 1 March 2023: kept through that moment of 1 March 2025.
        company.sweep(on(2025, 3, 1))
        assert company.ids("server_logs") == [1, 2]
        company.sweep(on(2025, 3, 2))
        assert company.ids("server_logs") == [2]
        company.sweep(on(2025, 3, 3))
        assert company.ids("server_logs") == []


USAGE = source("""
usage_logs:
  subject: user
  activities: [analytics]
  columns:
    ip: { category: online.log_usage, erase: "null" }
    user_id: { category: online.device_data, erase: "null" }
    path: { category: online.log_usage, erase: keep }
    duration_ms: { category: online.log_usage, erase: keep }
  timestamps: { collected: logged_on }
  retention: [usage_logs]
""")
# Operator: the scenario's rule, "usage logs: anonymise at 2 years".
ANONYMISE = """
retention:
  usage_logs:
    name: Usage logs
    duration: 2 years
    trigger: collected
    action: anonymise
activities:
  analytics: { retention: [usage_logs] }
"""


def test_S002_34_usage_logs_lose_ip_and_user_at_2_years_and_keep_their_figures(
    company_url: str, store: Store
) -> None:
    metadata = sa.MetaData()
    innodb(
        "usage_logs",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("ip", sa.String(45)),
        sa.Column("user_id", sa.Integer),  # no foreign key: a log outlives the account
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("logged_on", sa.Date, nullable=False),
    )
    days = [dt.date(2022, 1, 1), dt.date(2022, 1, 2)]
    logs = {
        "usage_logs": [
            {"id": i, "ip": IP, "user_id": 7, "path": "/viewer", "duration_ms": 1200 * i,
             "logged_on": day}
            for i, day in enumerate(days, 1)
        ]
    }  # fmt: skip
    query = "SELECT id, ip, user_id, path, duration_ms FROM usage_logs ORDER BY id"
    declaration = seed(SEED, USAGE + ANONYMISE)
    with opened(store, declaration, one_database(company_url, metadata, logs)) as company:
        assert company.sweep(on(2024, 1, 1)).table("company.usage_logs").anonymised == 0
        assert company.sweep(on(2024, 1, 2)).table("company.usage_logs").anonymised == 1
        assert company.select(query) == [
            (1, None, None, "/viewer", 1200),
            (2, IP, 7, "/viewer", 2400),
        ]
        # The next sweep takes the next day's row, and leaves the first as it is.
        assert company.sweep(on(2024, 1, 3)).table("company.usage_logs").anonymised == 1
        assert company.select(query) == [
            (1, None, None, "/viewer", 1200),
            (2, None, None, "/viewer", 2400),
        ]
        assert company.sweep(on(2024, 1, 4)).table("company.usage_logs").anonymised == 0
