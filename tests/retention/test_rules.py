"""Compiling retention rules per table: columns, recorded triggers, holds, actions, problems."""

from __future__ import annotations

from pledge.declaration.durations import parse_duration
from pledge.retention.rules import TableRetention, compile_retention
from tests.retention.sweeping import declare
from tests.rights.demo import demo


def by_name(compiled: list[TableRetention]) -> dict[str, TableRetention]:
    return {t.name: t for t in compiled}


def test_the_demo_compiles_every_table_with_rules() -> None:
    compiled = by_name(compile_retention(demo()))
    assert "shop.addresses" not in compiled  # no rules: never swept
    sessions = compiled["shop.web_sessions"]
    assert sessions.rule_names == ("fraud_checks", "analytics")
    assert sessions.action == "anonymise"  # one of its rules anonymises: the gentler wins
    assert [(r.column, r.duration) for r in sessions.rules] == [
        ("started_at", parse_duration("13 months")),
        ("started_at", parse_duration("13 months")),
    ]
    invoices = compiled["shop.invoices"].rules[0]
    assert invoices.hold and invoices.required_by == "Companies Act 2006, s. 388"
    assert (invoices.column, invoices.action) == ("issued_at", "delete")
    newsletter = compiled["shop.newsletter_contacts"].rules[0]
    assert (newsletter.column, newsletter.recorded, newsletter.ends_on_objection) == (
        "unsubscribed_at",
        False,
        True,
    )
    customers = compiled["shop.customers"].rules[0]
    # No `collected` column to fall back on.
    assert (customers.column, customers.fallback) == ("last_seen_at", None)
    assert all(not t.problems for t in compiled.values())


RULES = """
closed:
  name: Closed accounts
  duration: 1 year
  trigger: account_closed
applications:
  name: Applications
  duration: 2 years
  trigger: application
forever:
  name: Kept while needed
  criteria: as long as the account exists
"""


def test_triggers_pledge_records_apply_where_the_table_has_no_column() -> None:
    decl = declare(
        """
people:
  timestamps: { last_contact: seen_at, collected: created_at, account_closed: closed_at }
  retention: [accounts, closed]
members:
  retention: [closed]
""",
        RULES,
    )
    compiled = by_name(compile_retention(decl))
    accounts, closed = compiled["app.people"].rules
    assert (accounts.column, accounts.fallback, accounts.recorded) == (
        "seen_at",
        "created_at",
        False,
    )
    assert (closed.column, closed.recorded) == ("closed_at", False)
    member = compiled["app.members"].rules[0]
    assert (member.column, member.recorded, member.problem) == (None, True, None)


def test_a_rule_the_sweep_cannot_judge_is_a_problem_and_keeps_rows() -> None:
    decl = declare(
        """
applicants:
  retention: [applications, forever]
""",
        RULES,
    )
    applicants = by_name(compile_retention(decl))["app.applicants"]
    assert applicants.problems == (
        "app.applicants: rule applications counts from 'application', which the table maps "
        "to no column under `timestamps` and Pledge does not record: its rows are kept",
        "app.applicants: rule forever has no duration, so it never ends: its rows are kept",
    )
