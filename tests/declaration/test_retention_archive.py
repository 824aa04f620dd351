"""A retention rule's `archive`: after its active period, how long rows stay in the restricted
archive. Read as a duration; refused, where it is written, on a rule it cannot follow; warned
when it outlasts the notice's maximum; and compiled for the sweep as the rule's whole life."""

from __future__ import annotations

import datetime as dt

import pytest

from pledge.declaration.durations import Duration
from pledge.declaration.load import parse_declaration
from pledge.errors import InvalidDeclaration
from pledge.retention.cutoffs import Phases, first_kept_day
from pledge.retention.rules import compile_retention
from tests.declaration.declarations import FILE, declaration, where
from tests.declaration.test_lint import lines

DURATION_FORM = (
    "write a number and a unit: '30 days', '10 business days', '1 week', '3 months', '2 years'"
)
SOURCE = """
shop:
  url_env: SHOP_URL
  tables:
    customers:
      subject: customer
      activities: [orders]
      columns:
        email: {category: contact.email, identity: email}
      timestamps: {last_contact: last_seen_at}
      retention: [accounts]
"""


def accounts(extra: str, *, duration: str = "3 years") -> str:
    keys = ["name: Customer accounts", "trigger: last_contact", "justification: Repeat orders."]
    if duration:
        keys.append(f"duration: {duration}")
    rule = "accounts:\n" + "".join(f"  {key}\n" for key in [*keys, *extra.splitlines()])
    return declaration(retention=rule, sources=SOURCE)


def refused(text: str) -> list[str]:
    with pytest.raises(InvalidDeclaration) as raised:
        parse_declaration(text, FILE)
    return [str(problem) for problem in raised.value.problems]


def test_an_archive_is_a_duration() -> None:
    rule = parse_declaration(accounts("archive: 1 year")).declaration.retention["accounts"]
    assert rule.archive == Duration(1, "year")
    text = accounts("archive: a while")
    assert refused(text) == [
        f"{where(text, 'a while')}: retention.accounts.archive: 'a while' is not a duration — "
        f"{DURATION_FORM}"
    ]


@pytest.mark.parametrize(
    ("extra", "duration", "message"),
    [
        (
            "action: anonymise\narchive: 1 year",
            "3 years",
            "a rule that anonymises keeps its records in place, while an archive moves them "
            "out and deletes them: remove 'archive', or 'action: anonymise'",
        ),
        (
            "required_by: Companies Act 2006, s. 388\narchive: 1 year",
            "3 years",
            "a legal hold keeps records for the period its law sets: write that whole period "
            "as 'duration' and remove 'archive'",
        ),
        (
            "archive: 1 year",
            "",
            "an archive follows the active period, and this rule gives no 'duration': add how "
            "long the records stay in the active base",
        ),
    ],
    ids=["anonymise", "legal-hold", "no-duration"],
)
def test_an_archive_is_refused_where_it_cannot_follow(
    extra: str, duration: str, message: str
) -> None:
    text = accounts(extra, duration=duration)
    assert refused(text) == [f"{where(text, '1 year')}: retention.accounts.archive: {message}"]


def test_an_archive_outlasting_the_promised_maximum_is_warned() -> None:
    notice = "last_updated: 2026-01-01\nmaximum_retention: 4 years\n"
    rule = "accounts:\n  name: Accounts\n  duration: 3 years\n  trigger: last_contact\n"
    text = declaration(
        retention=rule + "  justification: Repeat orders.\n  archive: 18 months\n",
        notice=notice,
    )
    assert lines(text) == [
        f"{where(text, 'archive: 18')}: warning: retention rule 'accounts' keeps data 3 years "
        "then 18 months in the archive, longer than the 4 years the notice promises as a "
        "maximum (notice.maximum_retention): the archive ends at the maximum — shorten the "
        "archive so that the whole stays within 4 years, or raise notice.maximum_retention "
        "[RET-ARCHIVE-CAP]"
    ]
    within = text.replace("18 months", "12 months")
    assert lines(within) == []


def test_the_sweep_ends_a_rule_for_good_after_its_archive_within_the_maximum() -> None:
    text = accounts("archive: 2 years").replace(
        "last_updated: 2026-01-01", "last_updated: 2026-01-01\n  maximum_retention: 4 years"
    )
    [table] = compile_retention(parse_declaration(text).declaration)
    [rule] = table.rules
    assert table.archives
    assert rule.duration == Duration(3, "year")
    assert rule.life == Phases(Duration(3, "year"), Duration(2, "year"), Duration(4, "year"))
    [whole] = table.whole().rules
    assert whole.duration == rule.life and whole.life is None
    # A last contact on 29 February 2020: active through 28 February 2023, then archived,
    # and the whole ends at the maximum, 29 February 2024, not on 28 February 2025.
    assert rule.duration.after(dt.date(2020, 2, 29)) == dt.date(2023, 2, 28)
    assert rule.life.after(dt.date(2020, 2, 29)) == dt.date(2024, 2, 29)
    assert first_kept_day(rule.life, dt.date(2024, 3, 1)) == dt.date(2020, 3, 1)
    uncapped = Phases(Duration(3, "year"), Duration(2, "year"))
    assert uncapped.after(dt.date(2020, 2, 29)) == dt.date(2025, 2, 28)


def test_an_active_period_that_reaches_the_maximum_leaves_no_archive() -> None:
    text = accounts("archive: 2 years", duration="5 years").replace(
        "last_updated: 2026-01-01", "last_updated: 2026-01-01\n  maximum_retention: 4 years"
    )
    [table] = compile_retention(parse_declaration(text).declaration)
    assert not table.archives
    assert table.rules[0].duration == Duration(4, "year")
