"""The meaning-level lint: each rule fires on a small declaration and stays quiet when fixed.

Every trigger asserts the whole rendered line, position included, and that no other rule
fires; `where()` finds the key a warning must point at in the generated text.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pledge.declaration.durations import parse_duration
from pledge.declaration.lint import RULES, lint
from pledge.declaration.lint.rules_processing import longer
from pledge.declaration.load import load_declaration, parse_declaration
from tests.declaration.declarations import FILE, declaration, where

DEMO = Path(__file__).parents[2] / "examples" / "demo" / "pledge.yaml"

ORDERS_WITH = """
orders:
  name: Orders
  subjects: [customer]
  categories: [identity.name, contact.email]
  legal_basis: contract
  retention: [accounts]
"""


def lines(text: str) -> list[str]:
    return [str(problem) for problem in lint(parse_declaration(text, FILE))]


def codes(text: str) -> list[str]:
    return [problem.code for problem in lint(parse_declaration(text, FILE))]


def activity(**extra: str) -> str:
    """The base `orders` activity with some keys added or replaced."""
    body = {
        "name": "Orders",
        "subjects": "[customer]",
        "categories": "[identity.name, contact.email]",
        "legal_basis": "contract",
        "retention": "[accounts]",
        **extra,
    }
    return "orders:\n" + "".join(f"  {key}: {value}\n" for key, value in body.items())


def test_the_base_declaration_is_clean() -> None:
    assert lines(declaration()) == []


def test_the_demo_declaration_has_no_warnings() -> None:
    assert [str(p) for p in lint(load_declaration(DEMO))] == []


def test_every_rule_is_covered_here() -> None:
    # A new rule must be added to this list and get tests in this file.
    assert sorted(RULES) == [
        "AGE-GATE-NO-DATA",
        "CATEGORY-WITHOUT-PURPOSE",
        "CHILDREN-NO-AGE-RULE",
        "COLUMN-CATEGORY-UNDECLARED",
        "CONSENT-NO-WITHDRAW",
        "CONTACT-MISSING",
        "COOKIE-CONSENT",
        "DNT-UNDECLARED",
        "GPC-REQUIRED",
        "LEGAL-OBLIGATION-UNSPECIFIED",
        "MARKETING-NO-OPTOUT",
        "MKT-LI-ECOMMS",
        "NO-SALE-CONSISTENCY",
        "OBJECTION-BASIS-MISMATCH",
        "PURPOSE-NO-BASIS",
        "RET-ARCHIVE-CAP",
        "RET-CAP-CONFLICT",
        "RET-JUSTIFICATION-MISSING",
        "RET-TRIGGER-MISSING",
        "RET-UNDEFINED",
        "RET-VAGUE",
        "RIGHTS-CHANNEL-MISSING",
        "TRANSFER-GUARD",
        "TRANSFER-OUTSIDE-POLICY",
        "TRANSFER-REGION",
        "VERSION-DATE-MISSING",
    ]


# --- categories -----------------------------------------------------------------------------

UNUSED = "data without a purpose must not be collected (GDPR Art. 5(1)(b)-(c))"

SHOP_SOURCE = """
shop:
  url_env: SHOP_URL
  tables:
    customers:
      subject: customer
      activities: [orders]
      columns:
        email: {category: contact.email, identity: email}
        phone: contact.phone
"""


def test_a_declared_category_no_activity_uses() -> None:
    loyalty = "loyalty.tier:\n  name: Loyalty tier\n"
    text = declaration(categories=loyalty)
    assert lines(text) == [
        f"{where(text, 'loyalty.tier:')}: warning: category 'loyalty.tier' is declared but no "
        "activity uses it — add it to the categories of the activity that needs it, or "
        f"remove it: {UNUSED} [CATEGORY-WITHOUT-PURPOSE]"
    ]
    used = activity(categories="[identity.name, contact.email, loyalty.tier]")
    assert lines(declaration(categories=loyalty, activities=used)) == []


def test_a_mapped_column_no_activity_uses() -> None:
    text = declaration(sources=SHOP_SOURCE)
    assert lines(text) == [
        f"{where(text, 'phone:', after='sources:')}: warning: column 'customers.phone' holds "
        "'contact.phone', which no activity uses — add 'contact.phone' to the activity this "
        f"data serves, or stop keeping the column: {UNUSED} [CATEGORY-WITHOUT-PURPOSE]"
    ]
    used = activity(categories="[identity.name, contact.email, contact.phone]")
    assert lines(declaration(sources=SHOP_SOURCE, activities=used)) == []


def test_a_category_given_to_a_recipient_that_no_activity_uses() -> None:
    recipients = """
    couriers:
      name: Couriers
      kind: processor
      categories: [identity.name, contact.phone]
      country: GB
    """
    text = declaration(recipients=recipients)
    assert lines(text) == [
        f"{where(text, 'contact.phone]')}: warning: recipient 'couriers' receives "
        "'contact.phone', which no activity uses — add 'contact.phone' to the activity that "
        "shares it with 'couriers', or remove it from the recipient [CATEGORY-WITHOUT-PURPOSE]"
    ]
    used = activity(categories="[identity.name, contact.email, contact.phone]")
    assert lines(declaration(recipients=recipients, activities=used)) == []


def test_a_column_whose_category_only_another_activity_declares() -> None:
    support = """
    support:
      name: Support
      subjects: [customer]
      categories: [contact.phone]
      legal_basis: legitimate_interests
      opt_out: [privacy_email]
      retention: [accounts]
    """
    activities = ORDERS_WITH + textwrap.dedent(support)
    text = declaration(sources=SHOP_SOURCE, activities=activities)
    assert lines(text) == [
        f"{where(text, 'phone:', after='sources:')}: warning: column 'customers.phone' holds "
        "'contact.phone', but none of the table's activities ('orders') declares it — add "
        "'contact.phone' to the categories of one of them, or list the activity that uses it "
        "under the table's 'activities' [COLUMN-CATEGORY-UNDECLARED]"
    ]
    listed = SHOP_SOURCE.replace("activities: [orders]", "activities: [orders, support]")
    assert lines(declaration(sources=listed, activities=activities)) == []


# --- consent, marketing ---------------------------------------------------------------------


def test_consent_without_a_way_to_withdraw() -> None:
    text = declaration(activities=activity(legal_basis="consent"))
    assert lines(text) == [
        f"{where(text, 'legal_basis:')}: warning: activity 'orders' relies on consent but gives "
        "no way to withdraw it — list the channels that withdraw it, e.g. 'withdraw: "
        "[unsubscribe]': withdrawing must be as easy as giving consent (GDPR Art. 7(3)) "
        "[CONSENT-NO-WITHDRAW]"
    ]
    fixed = activity(legal_basis="consent", withdraw="[privacy_email]")
    assert lines(declaration(activities=fixed)) == []


def test_consent_in_one_jurisdiction_points_at_that_jurisdiction() -> None:
    organisation = "name: Acme\ncountry: GB\nemail: a@acme.example\njurisdictions: [uk, ca]\n"
    text = declaration(
        organisation=organisation,
        activities=activity(legal_basis="{uk: contract, ca: implied_consent}"),
    )
    assert lines(text) == [
        f"{where(text, 'ca: implied')}: warning: activity 'orders' relies on implied_consent but "
        "gives no way to withdraw it — list the channels that withdraw it, e.g. 'withdraw: "
        "[unsubscribe]': withdrawing must be as easy as giving consent (GDPR Art. 7(3)) "
        "[CONSENT-NO-WITHDRAW]"
    ]


def test_direct_marketing_without_an_opt_out() -> None:
    marketing = activity(legal_basis="consent", withdraw="[privacy_email]", direct_marketing="true")
    text = declaration(activities=marketing)
    assert lines(text) == [
        f"{where(text, 'direct_marketing:')}: warning: activity 'orders' is direct marketing but "
        "gives no way to opt out — list the channels that stop it, e.g. 'opt_out: "
        "[unsubscribe]': the right to object to direct marketing is absolute (GDPR Art. "
        "21(2)-(3)) [MARKETING-NO-OPTOUT]"
    ]
    fixed = activity(
        legal_basis="consent",
        withdraw="[privacy_email]",
        opt_out="[privacy_email]",
        direct_marketing="true",
    )
    assert lines(declaration(activities=fixed)) == []


MKT_LI_HINT = (
    "use 'consent' as the basis; legitimate interests fits only the soft opt-in (existing "
    "customers, similar products, an opt-out in every message) or marketing by post"
)


def test_direct_marketing_on_legitimate_interests_in_the_uk() -> None:
    marketing = activity(
        legal_basis="legitimate_interests", opt_out="[privacy_email]", direct_marketing="true"
    )
    text = declaration(activities=marketing)
    assert lines(text) == [
        f"{where(text, 'legal_basis:')}: warning: activity 'orders' is direct marketing on "
        "legitimate interests in uk: marketing by email, text or phone to individuals needs "
        "consent there (PECR reg. 22 in the UK, CPCE L.34-5 in France) — "
        f"{MKT_LI_HINT} [MKT-LI-ECOMMS]"
    ]


def test_soft_opt_in_marketing_on_legitimate_interests_is_lawful() -> None:
    marketing = activity(
        legal_basis="legitimate_interests",
        opt_out="[privacy_email]",
        direct_marketing="true",
        soft_opt_in="true",
    )
    assert lines(declaration(activities=marketing)) == []


def test_an_activity_stating_no_legal_basis() -> None:
    text = declaration(activities=activity(legal_basis="[]"))
    assert lines(text) == [
        f"{where(text, 'legal_basis:')}: warning: activity 'orders' states no legal basis — "
        "name the basis it relies on (GDPR Art. 6(1)): consent, contract, legal_obligation, "
        "vital_interests, public_task or legitimate_interests [PURPOSE-NO-BASIS]"
    ]
    fixed = declaration(activities=activity(legal_basis="[contract]"))
    assert lines(fixed) == []


def test_direct_marketing_on_legitimate_interests_per_jurisdiction() -> None:
    organisation = "name: Acme\ncountry: FR\nemail: a@acme.example\njurisdictions: [us-ca, fr]\n"
    basis = "{us-ca: legitimate_interests, fr: legitimate_interests}"
    marketing = activity(legal_basis=basis, opt_out="[privacy_email]", direct_marketing="true")
    dnt = "{dnt: ignore}"
    text = declaration(organisation=organisation, activities=marketing, signals=dnt)
    assert lines(text) == [
        f"{where(text, 'fr: legit')}: warning: activity 'orders' is direct marketing on "
        "legitimate interests in fr: marketing by email, text or phone to individuals needs "
        "consent there (PECR reg. 22 in the UK, CPCE L.34-5 in France) — "
        f"{MKT_LI_HINT} [MKT-LI-ECOMMS]"
    ]
    # California alone has no such rule.
    only_ca = "name: Acme\ncountry: US\nemail: a@acme.example\njurisdictions: [us-ca]\n"
    ca_marketing = activity(
        legal_basis="legitimate_interests", opt_out="[privacy_email]", direct_marketing="true"
    )
    assert lines(declaration(organisation=only_ca, activities=ca_marketing, signals=dnt)) == []


# --- retention ------------------------------------------------------------------------------

JUSTIFIED = "  justification: Long enough for repeat orders and returns.\n"


def test_an_activity_without_retention() -> None:
    no_retention = ORDERS_WITH.replace("  retention: [accounts]\n", "")
    text = declaration(activities=no_retention)
    assert lines(text) == [
        f"{where(text, 'orders:')}: warning: activity 'orders' has no retention rule — say how "
        "long its data is kept: add 'retention: [rule]' and declare the rule under 'retention' "
        "with a duration and a trigger [RET-UNDEFINED]"
    ]


def test_a_retention_rule_with_neither_duration_nor_criteria() -> None:
    text = declaration(retention="accounts:\n  name: Accounts\n" + JUSTIFIED)
    assert lines(text) == [
        f"{where(text, 'accounts:', after='retention:')}: warning: retention rule 'accounts' "
        "says nothing about how long data is kept — give a duration and a trigger, e.g. "
        "'duration: 2 years' and 'trigger: last_contact' [RET-UNDEFINED]"
    ]


def test_a_retention_rule_with_criteria_only() -> None:
    vague = """
    accounts:
      name: Accounts
      trigger: last_contact
      criteria: As long as necessary to provide the service and then some more time
      justification: Customers come back within a season.
    """
    text = declaration(retention=vague)
    assert lines(text) == [
        f"{where(text, 'accounts:', after='retention:')}: warning: retention rule 'accounts' has "
        "criteria ('As long as necessary to provide the service and…') but no duration — add "
        "the longest period the data may be kept, e.g. 'duration: 2 years' ('0 days' ends it "
        "at the trigger); keep the criteria as the explanation [RET-VAGUE]"
    ]
    bounded = vague.replace("trigger:", "duration: 2 years\n      trigger:")
    assert lines(declaration(retention=bounded)) == []


def test_a_retention_duration_without_trigger() -> None:
    text = declaration(retention="accounts:\n  name: Accounts\n  duration: 7 years\n" + JUSTIFIED)
    assert lines(text) == [
        f"{where(text, 'accounts:', after='retention:')}: warning: retention rule 'accounts' "
        "keeps data for 7 years but does not say from when — add the event the period counts "
        "from, e.g. 'trigger: collected'; one of: collected, last_contact, application, "
        "recorded, issued, contract_end, relationship_end, account_closed, request_resolved, "
        "consent_withdrawn, objection [RET-TRIGGER-MISSING]"
    ]


INVOICES = """
accounts:
  name: Accounts
  duration: 2 years
  trigger: last_contact
  justification: Long enough for repeat orders and returns.
invoices:
  name: Invoices
  duration: 10 years
  trigger: issued
  justification: Customers ask for copies of old invoices.
"""


def test_a_retention_rule_longer_than_the_promised_maximum() -> None:
    text = declaration(
        retention=INVOICES,
        activities=activity(retention="[accounts, invoices]"),
        notice="last_updated: 2026-01-01\nmaximum_retention: 2 years\n",
    )
    assert lines(text) == [
        f"{where(text, 'duration: 10')}: warning: retention rule 'invoices' keeps data for "
        "10 years, longer than the 2 years the notice promises as a maximum "
        "(notice.maximum_retention) — shorten the rule to 2 years at most or raise "
        "notice.maximum_retention; if a law requires the longer period, name it with "
        "'required_by' and state the exception in the notice [RET-CAP-CONFLICT]"
    ]


def test_a_legally_required_rule_still_breaks_the_promise() -> None:
    required = INVOICES + "  required_by: Companies Act 2006, s. 388\n"
    text = declaration(
        retention=required,
        activities=activity(retention="[accounts, invoices]"),
        notice="last_updated: 2026-01-01\nmaximum_retention: 24 months\n",
    )
    assert lines(text) == [
        f"{where(text, 'duration: 10')}: warning: retention rule 'invoices' keeps data for "
        "10 years, longer than the 24 months the notice promises as a maximum "
        "(notice.maximum_retention) — Companies Act 2006, s. 388 requires the longer period, "
        "but the notice still promises 24 months: state in the notice that records the law "
        "requires are kept longer, or raise notice.maximum_retention to 10 years "
        "[RET-CAP-CONFLICT]"
    ]
    raised = "last_updated: 2026-01-01\nmaximum_retention: 120 months\n"
    fixed = declaration(
        retention=required, activities=activity(retention="[accounts, invoices]"), notice=raised
    )
    assert lines(fixed) == []


@pytest.mark.parametrize(
    ("duration", "cap", "expected"),
    [
        ("72 months", "6 years", False),
        ("73 months", "6 years", True),
        ("366 days", "1 year", False),
        ("400 days", "1 year", True),
        ("110 weeks", "2 years", True),
        ("10 business days", "2 weeks", False),
    ],
)
def test_longer_compares_units_fairly(duration: str, cap: str, expected: bool) -> None:
    assert longer(parse_duration(duration), parse_duration(cap)) is expected


def test_ending_on_objection_where_there_is_no_right_to_object() -> None:
    recruitment = textwrap.dedent("""
    recruitment:
      name: Recruitment
      subjects: [customer]
      categories: [identity.name, contact.email]
      legal_basis: pre_contract
      retention: [applications]
    """)
    rules = (
        "applications:\n  name: Applications\n  duration: 2 years\n  trigger: application\n"
        + JUSTIFIED
    )
    text = declaration(
        activities=ORDERS_WITH + recruitment,
        retention=INVOICES.split("invoices:")[0] + rules + "  ends_on_objection: true\n",
    )
    assert lines(text) == [
        f"{where(text, 'ends_on_objection:')}: warning: retention rule 'applications' ends on "
        "objection, but activity 'recruitment' relies only on pre_contract, where there is no "
        "right to object (GDPR Art. 21 covers legitimate interests, public task and direct "
        "marketing) — if people may take their data back (e.g. withdraw an application), say "
        "so in 'criteria' and remove 'ends_on_objection'; otherwise correct the activity's "
        "legal basis [OBJECTION-BASIS-MISMATCH]"
    ]
    on_interests = recruitment.replace(
        "legal_basis: pre_contract",
        "legal_basis: legitimate_interests\n  opt_out: [privacy_email]",
    )
    fixed = declaration(
        activities=ORDERS_WITH + on_interests,
        retention=INVOICES.split("invoices:")[0] + rules + "  ends_on_objection: true\n",
    )
    assert lines(fixed) == []


JUSTIFY_HINT = (
    "add 'justification:' weighing the amount, nature and sensitivity of the data, the "
    "purposes it serves and whether they could be met another way (GDPR Art. 5(1)(e), "
    "5(2)); if a law sets the period, name the law in 'required_by' instead "
    "[RET-JUSTIFICATION-MISSING]"
)
ACCOUNT_DATA = """
accounts:
  name: Account data
  duration: 0 days
  trigger: account_closed
"""


def test_a_retention_rule_without_a_justification() -> None:
    # S000-19: rule R1 'account data until account closure' with no justification.
    text = declaration(retention=ACCOUNT_DATA)
    assert lines(text) == [
        f"{where(text, 'accounts:', after='retention:')}: warning: retention justification "
        f"missing: rule 'accounts' does not record why its period is necessary — {JUSTIFY_HINT}"
    ]
    justified = ACCOUNT_DATA + "  justification: The account is what we serve you through.\n"
    assert lines(declaration(retention=justified)) == []


def test_an_empty_justification_is_pointed_at() -> None:
    text = declaration(retention=ACCOUNT_DATA + '  justification: "  "\n')
    assert lines(text) == [
        f"{where(text, 'justification:')}: warning: retention justification missing: rule "
        f"'accounts' does not record why its period is necessary — {JUSTIFY_HINT}"
    ]
    french_only = ACCOUNT_DATA + "  justification: {fr: Le compte sert à vous servir.}\n"
    assert lines(declaration(retention=french_only)) == []


def test_a_legal_hold_is_justified_by_its_law() -> None:
    hold = INVOICES.replace(
        "  justification: Customers ask for copies of old invoices.\n",
        "  required_by: Companies Act 2006, s. 388\n",
    )
    assert "justification: Customers" not in hold
    orders = activity(retention="[accounts, invoices]")
    assert lines(declaration(retention=hold, activities=orders)) == []


LEGAL_OBLIGATION_HINT = (
    "name the law and what it requires in 'legal_obligation', e.g. 'legal_obligation: The "
    "Companies Act 2006, s. 386, requires us to keep accounting records' "
    "[LEGAL-OBLIGATION-UNSPECIFIED]"
)


def test_an_activity_on_a_legal_obligation_it_does_not_name() -> None:
    # L-001-04: "legal obligation" claimed, no obligation named.
    text = declaration(activities=activity(legal_basis="[contract, legal_obligation]"))
    assert lines(text) == [
        f"{where(text, 'legal_basis:')}: warning: activity 'orders' relies on a legal "
        f"obligation but does not say which — {LEGAL_OBLIGATION_HINT}"
    ]
    named = activity(
        legal_basis="[contract, legal_obligation]",
        legal_obligation="The Companies Act 2006, s. 386, requires accounting records.",
    )
    assert lines(declaration(activities=named)) == []


def test_a_legal_obligation_in_one_jurisdiction_points_at_it() -> None:
    organisation = "name: Acme\ncountry: GB\nemail: a@acme.example\njurisdictions: [uk, eu]\n"
    text = declaration(
        organisation=organisation,
        activities=activity(legal_basis="{uk: contract, eu: legal_obligation}"),
    )
    assert lines(text) == [
        f"{where(text, 'eu: legal_obligation')}: warning: activity 'orders' relies on a legal "
        f"obligation but does not say which — {LEGAL_OBLIGATION_HINT}"
    ]


CITE_HINT = (
    "cite the provision that sets the period, e.g. 'required_by: Companies Act 2006, s. "
    "388'; if no law sets it, remove 'required_by' and give a 'justification' "
    "[LEGAL-OBLIGATION-UNSPECIFIED]"
)


def statutory(required_by: str) -> str:
    """Account data, justified, and six years of tax records that a law is said to require."""
    tax = "tax:\n  name: Tax records\n  duration: 6 years\n  trigger: issued\n"
    justified = "  justification: The account is what we serve you through.\n"
    return ACCOUNT_DATA + justified + tax + f"  required_by: {required_by}\n"


def test_a_statutory_rule_without_a_legal_citation() -> None:
    # S001-20: the "legally required period", with no law named.
    orders = activity(retention="[accounts, tax]")
    text = declaration(retention=statutory("the law on tax and accounting"), activities=orders)
    assert lines(text) == [
        f"{where(text, 'required_by:')}: warning: legal retention without legal reference: rule "
        "'tax' is kept because the law requires it, but its required_by 'the law on tax and "
        f"accounting' cites no act with its section or article — {CITE_HINT}"
    ]
    empty = declaration(retention=statutory('""'), activities=orders)
    assert lines(empty) == [
        f"{where(empty, 'required_by:')}: warning: legal retention without legal reference: "
        "rule 'tax' is kept because the law requires it, but its required_by is empty and "
        f"cites no act with its section or article — {CITE_HINT}"
    ]
    cited = statutory("Taxes Management Act 1970, s. 12B")
    assert lines(declaration(retention=cited, activities=orders)) == []


def test_every_language_of_a_legal_citation_must_cite() -> None:
    orders = activity(retention="[accounts, tax]")
    half = "{en: 'Companies Act 2006, s. 388', fr: droit des sociétés}"
    text = declaration(retention=statutory(half), activities=orders)
    assert codes(text) == ["LEGAL-OBLIGATION-UNSPECIFIED"]
    assert "required_by 'droit des sociétés' cites no act" in lines(text)[0]


EXAMPLES = Path(__file__).parents[2] / "examples"
SOFT_UNJUSTIFIED = ("contact_requests", "prospects", "candidates", "cctv", "customers", "suppliers")


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        # S000-19: the notice names its criteria but justifies no period.
        (
            "3d-studio-production",
            [
                ("RET-JUSTIFICATION-MISSING", "account"),
                ("RET-JUSTIFICATION-MISSING", "general_periods"),
                ("RET-JUSTIFICATION-MISSING", "no_longer_than_necessary"),
            ],
        ),
        # S001-08, S001-20 (L-001-04): a legal obligation and a legal period, neither named.
        (
            "ak3d-studio",
            [
                ("LEGAL-OBLIGATION-UNSPECIFIED", "accounts_and_guarantees"),
                ("RET-JUSTIFICATION-MISSING", "legally_required"),
            ],
        ),
        # S002-32: "required or permitted by law (such as tax, accounting ...)".
        (
            "3dpros",
            [
                ("RET-JUSTIFICATION-MISSING", "while_needed"),
                ("LEGAL-OBLIGATION-UNSPECIFIED", "legal_requirements"),
            ],
        ),
        # S003-16..21: periods without reasons; the invoices cite the Code de commerce.
        (
            "3dsoft",
            [("RET-JUSTIFICATION-MISSING", name) for name in SOFT_UNJUSTIFIED],
        ),
        # S004-27, S004-28: no reason for either period; "must be retained" by no named law.
        (
            "data-productions",
            [
                ("RET-JUSTIFICATION-MISSING", "relationship"),
                ("LEGAL-OBLIGATION-UNSPECIFIED", "seven_years"),
            ],
        ),
    ],
)
def test_the_seed_examples_justify_and_cite_what_their_notices_do(
    example: str, expected: list[tuple[str, str]]
) -> None:
    new_codes = {"RET-JUSTIFICATION-MISSING", "LEGAL-OBLIGATION-UNSPECIFIED"}
    found = [
        (problem.code, problem.message.split("'")[1])
        for problem in lint(load_declaration(EXAMPLES / example / "pledge.yaml"))
        if problem.code in new_codes
    ]
    assert found == expected


# --- transfers ------------------------------------------------------------------------------


def recipient(country: str, safeguards: str = "") -> str:
    extra = f"  safeguards: {safeguards}\n" if safeguards else ""
    return f"host:\n  name: Hosting\n  kind: processor\n  country: {country}\n{extra}"


def with_recipient(country: str, safeguards: str = "", **sections: str) -> str:
    return declaration(
        activities=activity(recipients="[host]"),
        recipients=recipient(country, safeguards),
        **sections,
    )


def test_a_recipient_without_adequacy_or_safeguard() -> None:
    text = with_recipient("IN")
    assert lines(text) == [
        f"{where(text, 'country: IN')}: warning: recipient 'host' is in IN, which has no "
        "adequacy decision under the UK GDPR, and no safeguard is recorded — record the "
        "safeguard the transfer relies on, e.g. 'safeguards: [uk_idta]' (GDPR Art. 46) "
        "[TRANSFER-GUARD]"
    ]
    assert lines(with_recipient("IN", "[uk_idta]")) == []


def test_adequacy_follows_the_controller_regime() -> None:
    # Gibraltar is adequate for the UK but has no EU decision; a French controller needs SCCs.
    assert lines(with_recipient("GI")) == []
    organisation = "name: Acme\ncountry: FR\nemail: a@acme.example\njurisdictions: [fr]\n"
    text = with_recipient("GI", organisation=organisation)
    assert lines(text) == [
        f"{where(text, 'country: GI')}: warning: recipient 'host' is in GI, which has no "
        "adequacy decision under the GDPR, and no safeguard is recorded — record the "
        "safeguard the transfer relies on, e.g. 'safeguards: [scc]' (GDPR Art. 46) "
        "[TRANSFER-GUARD]"
    ]
    # Inside the EEA nothing is a transfer, and the UK is adequate for the EU.
    assert lines(with_recipient("IE", organisation=organisation)) == []
    assert lines(with_recipient("GB", organisation=organisation)) == []


def test_adequacy_limited_to_some_organisations_needs_a_word() -> None:
    text = with_recipient("US")
    assert lines(text) == [
        f"{where(text, 'country: US')}: warning: recipient 'host' is in US, where adequacy "
        "covers only organisations certified under the EU-US Data Privacy Framework (for the "
        "UK: its UK Extension), and no safeguard is recorded — if the recipient is covered, "
        "say so with 'safeguards: [adequacy]' (or [dpf] for a certified US company); "
        "otherwise record another, e.g. [uk_idta] [TRANSFER-GUARD]"
    ]
    assert lines(with_recipient("US", "[dpf]")) == []


def test_a_uk_controller_home_is_the_uk() -> None:
    # L-004-01: the UK company's own servers are not "outside the EEA" for its policy.
    assert lines(with_recipient("GB", transfers="{allowed: [home]}")) == []
    text = with_recipient("IE", transfers="{allowed: [home]}")
    assert lines(text) == [
        f"{where(text, 'country: IE')}: warning: recipient 'host' is in IE, outside the "
        "transfers you allow (home) — add 'IE' to transfers.allowed, or choose a recipient "
        "inside it [TRANSFER-OUTSIDE-POLICY]"
    ]
    assert lines(with_recipient("IE", transfers="{allowed: [home, eea]}")) == []
    assert lines(with_recipient("IE", transfers="{allowed: [home, IE]}")) == []


def test_a_recipient_outside_the_policy_and_without_adequacy() -> None:
    text = with_recipient("IN", transfers="{allowed: [home, adequate]}")
    assert lines(text) == [
        f"{where(text, 'country: IN')}: warning: recipient 'host' is in IN, outside the "
        "transfers you allow (home, adequate) — record the safeguard the transfer relies on, "
        "e.g. 'safeguards: [uk_idta]', and add 'IN' to transfers.allowed "
        "[TRANSFER-OUTSIDE-POLICY]"
    ]
    # Allowed by the policy, but the law still wants a safeguard.
    allowed = with_recipient("IN", transfers="{allowed: [home, IN]}")
    assert codes(allowed) == ["TRANSFER-GUARD"]
    assert lines(with_recipient("IN", "[uk_idta]", transfers="{allowed: [home]}")) == []


def test_storage_outside_the_policy() -> None:
    text = declaration(transfers="{storage: [GB, US], allowed: [home, eea]}")
    assert lines(text) == [
        f"{where(text, 'US]')}: warning: data is stored in US, outside the transfers you allow "
        "(home, eea) — add 'US' to transfers.allowed if the notice may say so, or store the "
        "data where the policy allows [TRANSFER-OUTSIDE-POLICY]"
    ]


def test_a_uk_policy_drawn_around_the_eea() -> None:
    # L-004-01: the UK company's own servers are "outside the EEA" only under the wrong law.
    transfers = "{storage: [GB, EU], allowed: [eea, adequate]}"
    text = with_recipient("GB", transfers=transfers)
    assert lines(text) == [
        f"{where(text, 'allowed:')}: warning: transfers.allowed is drawn around the EEA, but "
        "the controller is in the UK, where the UK GDPR restricts transfers out of the UK — "
        "start from the UK: e.g. 'allowed: [home, eea, adequate]' (the EEA is adequate for "
        "the UK), and word transfers.statement the same way [TRANSFER-REGION]"
    ]
    fixed = "{storage: [GB, EU], allowed: [home, eea, adequate]}"
    assert lines(with_recipient("GB", transfers=fixed)) == []
    # The same policy is right for a controller in the EEA.
    organisation = "name: Acme\ncountry: IE\nemail: a@acme.example\njurisdictions: [eu]\n"
    in_ireland = with_recipient("DE", transfers=transfers, organisation=organisation)
    assert lines(in_ireland) == []


# --- children -------------------------------------------------------------------------------

CHILD_HINT = (
    "add 'children: {minimum_age: 13, statement: ...}' saying whether children may use the "
    "service and what happens to their data (the strictest age of digital consent among your "
    "jurisdictions is 13)"
)


def test_a_subject_that_may_include_children_needs_an_age_rule() -> None:
    subjects = "customer:\n  name: Customers\n  children: true\n"
    text = declaration(subjects=subjects)
    assert lines(text) == [
        f"{where(text, 'customer:')}: warning: subject 'customer' may include children, but "
        f"the declaration sets no minimum age for children — {CHILD_HINT} [CHILDREN-NO-AGE-RULE]"
    ]
    # With an age rule this rule is satisfied; the age gate then asks for data to apply it.
    ruled = declaration(subjects=subjects, children="{minimum_age: 13}")
    assert codes(ruled) == ["AGE-GATE-NO-DATA"]


def test_age_data_needs_an_age_rule_once_at_the_first_place() -> None:
    birthdays = activity(categories="[identity.name, contact.email, identity.date_of_birth]")
    source = SHOP_SOURCE.replace("phone: contact.phone", "dob: identity.date_of_birth")
    text = declaration(activities=birthdays, sources=source)
    assert lines(text) == [
        f"{where(text, 'identity.date_of_birth]')}: warning: activity 'orders' uses "
        "'identity.date_of_birth' (and 1 other place), but the declaration sets no minimum "
        f"age for children — {CHILD_HINT} [CHILDREN-NO-AGE-RULE]"
    ]
    children = "{minimum_age: 16, age_from: [identity.date_of_birth]}"
    assert lines(declaration(activities=birthdays, sources=source, children=children)) == []


def test_the_strictest_age_of_consent_is_suggested() -> None:
    organisation = "name: Acme\ncountry: GB\nemail: a@acme.example\njurisdictions: [uk, eu]\n"
    text = declaration(
        organisation=organisation, subjects="customer:\n  name: Customers\n  children: true\n"
    )
    (warning,) = lint(parse_declaration(text))
    assert "minimum_age: 16" in warning.hint
    assert warning.hint.endswith("among your jurisdictions is 16)")


def test_an_age_limit_without_any_age_data() -> None:
    text = declaration(children="minimum_age: 13\nstatement: Not for children.\n")
    assert lines(text) == [
        f"{where(text, 'minimum_age:')}: warning: the minimum age is 13, but no category that "
        "reveals an age is named (children.age_from), so an age can only be known if people "
        "state it — list in children.age_from a category you collect, e.g. "
        "identity.date_of_birth or children.age; otherwise say in children.statement how age "
        "is checked [AGE-GATE-NO-DATA]"
    ]


def test_an_age_limit_whose_age_data_is_not_held() -> None:
    children = "minimum_age: 13\nage_from: [identity.date_of_birth]\n"
    text = declaration(children=children)
    assert lines(text) == [
        f"{where(text, 'age_from:')}: warning: the minimum age is 13, but no activity or table "
        "holds 'identity.date_of_birth' (children.age_from), so an age can only be known if "
        "people state it — add the category to the activity that collects it, or map the "
        "column that holds it; otherwise say in children.statement how age is checked "
        "[AGE-GATE-NO-DATA]"
    ]
    held = activity(categories="[identity.name, contact.email, identity.date_of_birth]")
    assert lines(declaration(children=children, activities=held)) == []


# --- sale, share, signals, cookies ----------------------------------------------------------

ADS_COOKIE = """
ad_id:
  provider: AdNetwork
  category: advertising
  purpose: Shows you our ads on other sites
  lifetime: 13 months
"""
ADS_ACTIVITY = """
  ads:
    name: Advertising
    subjects: [customer]
    categories: [online.cookie_id]
    legal_basis: consent
    withdraw: [privacy_email]
    retention: [accounts]
"""


def test_an_advertising_cookie_while_nothing_is_shared() -> None:
    activities = ORDERS_WITH + ADS_ACTIVITY.replace("\n  ", "\n")
    text = declaration(activities=activities, cookies=ADS_COOKIE)
    assert lines(text) == [
        f"{where(text, 'ad_id:')}: warning: cookie 'ad_id' is for advertising, but no activity "
        "declares a sale or share of personal information — advertising cookies usually "
        "'share' data for cross-context advertising (CPRA): set 'share: true' on the activity "
        "they serve, or remove the cookie [NO-SALE-CONSISTENCY]"
    ]
    shared = activities + "  share: true\n"
    assert lines(declaration(activities=shared, cookies=ADS_COOKIE)) == []


def test_a_recipient_marked_as_a_sale_by_no_selling_activity() -> None:
    broker = "broker:\n  name: Data Broker\n  kind: third_party\n  country: GB\n  sale: true\n"
    text = declaration(activities=activity(recipients="[broker]"), recipients=broker)
    assert lines(text) == [
        f"{where(text, 'sale:')}: warning: recipient 'broker' is marked 'sale: true', but no "
        "activity that discloses to it declares 'sale: true' — set 'sale: true' on the "
        "activity that gives data to 'broker', so the notice and the opt-out say so; or "
        "correct the recipient [NO-SALE-CONSISTENCY]"
    ]
    selling = activity(recipients="[broker]", sale="true")
    assert lines(declaration(activities=selling, recipients=broker)) == []


def test_sharing_in_california_while_ignoring_gpc() -> None:
    organisation = "name: Acme\ncountry: US\nemail: a@acme.example\njurisdictions: [us-ca]\n"
    sharing = activity(share="true")
    ignored = "{gpc: ignore, dnt: ignore}"
    text = declaration(organisation=organisation, activities=sharing, signals=ignored)
    assert lines(text) == [
        f"{where(text, 'gpc:')}: warning: personal information is sold or shared under the "
        "CCPA, but Global Privacy Control signals are ignored — set 'gpc: honour': a business "
        "that sells or shares must treat an opt-out preference signal as a request to opt out "
        "(11 CCR § 7025) [GPC-REQUIRED]"
    ]
    honoured = "{gpc: honour, dnt: ignore}"
    assert lines(declaration(organisation=organisation, activities=sharing, signals=honoured)) == []
    not_sharing = declaration(organisation=organisation, signals=ignored)
    assert lines(not_sharing) == []


def test_sharing_in_california_without_saying_gpc_is_honoured() -> None:
    # Saying nothing is not honouring: the notice no longer promises GPC by default.
    organisation = "name: Acme\ncountry: US\nemail: a@acme.example\njurisdictions: [us-ca]\n"
    sharing = activity(share="true")
    unsaid = (
        "warning: personal information is sold or shared under the CCPA, but Global Privacy "
        "Control signals are not declared as honoured — set 'gpc: honour': a business that "
        "sells or shares must treat an opt-out preference signal as a request to opt out "
        "(11 CCR § 7025) [GPC-REQUIRED]"
    )
    silent = lines(declaration(organisation=organisation, activities=sharing))
    assert f"pledge.yaml: {unsaid}" in silent
    only_dnt = declaration(organisation=organisation, activities=sharing, signals="{dnt: ignore}")
    assert lines(only_dnt) == [f"{where(only_dnt, 'signals:')}: {unsaid}"]
    assert lines(declaration(organisation=organisation, signals="{dnt: ignore}")) == []


def test_california_without_a_do_not_track_answer() -> None:
    organisation = "name: Acme\ncountry: US\nemail: a@acme.example\njurisdictions: [us-ca]\n"
    answer = (
        "warning: the notice does not say how you respond to Do Not Track signals — set "
        "'dnt: honour' or 'dnt: ignore' under signals: a notice for California must say it "
        "(Cal. Bus. & Prof. Code § 22575(b)(5)) [DNT-UNDECLARED]"
    )
    assert lines(declaration(organisation=organisation)) == [f"pledge.yaml: {answer}"]
    gpc_only = declaration(organisation=organisation, signals="{gpc: honour}")
    assert lines(gpc_only) == [f"{where(gpc_only, 'signals:')}: {answer}"]
    for answered in ("{dnt: ignore}", "{dnt: honour}", "{statement: We ignore DNT.}"):
        assert lines(declaration(organisation=organisation, signals=answered)) == []
    # Outside California no such disclosure is required.
    assert lines(declaration()) == []


ANALYTICS_COOKIE = """
stats_id:
  provider: Acme
  category: analytics
  purpose: Counts visits
  lifetime: 13 months
"""


def test_a_cookie_without_a_consent_activity() -> None:
    text = declaration(cookies=ANALYTICS_COOKIE)
    assert lines(text) == [
        f"{where(text, 'stats_id:')}: warning: cookie 'stats_id' (analytics) needs consent, but "
        "no consent-based activity covers 'online.cookie_id' — declare the activity that uses "
        "it with 'legal_basis: consent' and 'online.cookie_id' in its categories (PECR reg. 6, "
        "ePrivacy Art. 5(3)); browser settings are not consent [COOKIE-CONSENT]"
    ]
    with_consent = ORDERS_WITH + ADS_ACTIVITY.replace("\n  ", "\n")
    assert lines(declaration(cookies=ANALYTICS_COOKIE, activities=with_consent)) == []
    necessary = ANALYTICS_COOKIE.replace("analytics", "strictly_necessary")
    assert lines(declaration(cookies=necessary)) == []


# --- rights, contact, version ---------------------------------------------------------------


def test_no_channel_for_rights() -> None:
    text = declaration(rights="{verification: {method: email_code}}")
    assert lines(text) == [
        f"{where(text, 'rights:')}: warning: no channel is declared for exercising rights — "
        "declare a channel under 'channels' (an email address, a web form) and list it in "
        "rights.channels: people need a way to make requests (GDPR Art. 12(2)) "
        "[RIGHTS-CHANNEL-MISSING]"
    ]
    per_right = "offered:\n  access:\n    channels: [privacy_email]\n"
    assert lines(declaration(rights=per_right)) == []


def test_no_rights_section_warns_about_the_file() -> None:
    assert lines(declaration(rights=None, channels=None)) == [
        "pledge.yaml: warning: no channel is declared for exercising rights — declare a "
        "channel under 'channels' (an email address, a web form) and list it in "
        "rights.channels: people need a way to make requests (GDPR Art. 12(2)) "
        "[RIGHTS-CHANNEL-MISSING]"
    ]


def test_an_organisation_nobody_can_contact() -> None:
    text = declaration(organisation="name: Acme\ncountry: GB\njurisdictions: [uk]\n")
    assert lines(text) == [
        f"{where(text, 'organisation:')}: warning: organisation 'Acme' gives no email, phone or "
        "address, and no DPO — add organisation.email, phone or address: the notice must say "
        "how to reach the controller (GDPR Art. 13(1)(a)) [CONTACT-MISSING]"
    ]
    with_dpo = "name: Acme\ncountry: GB\njurisdictions: [uk]\ndpo: {email: dpo@acme.example}\n"
    assert lines(declaration(organisation=with_dpo)) == []


def test_a_notice_without_a_date() -> None:
    hint = (
        "add 'notice: {last_updated: YYYY-MM-DD}' so readers know which version applies; "
        "until then the store dates the notice when its first version is published"
    )
    text = declaration(notice="url: https://acme.example/privacy\n")
    assert lines(text) == [
        f"{where(text, 'notice:')}: warning: the notice has no 'last updated' date — {hint} "
        "[VERSION-DATE-MISSING]"
    ]
    assert lines(declaration(notice=None)) == [
        f"pledge.yaml: warning: the notice has no 'last updated' date — {hint} "
        "[VERSION-DATE-MISSING]"
    ]


# --- the whole ------------------------------------------------------------------------------


def test_warnings_are_sorted_by_place_and_repeatable() -> None:
    text = declaration(
        organisation="name: Acme\ncountry: GB\njurisdictions: [uk]\n",
        activities=activity(legal_basis="consent"),
        cookies=ANALYTICS_COOKIE,
        notice=None,
    )
    first = lint(parse_declaration(text))
    assert [p.code for p in first] == [
        "VERSION-DATE-MISSING",
        "CONTACT-MISSING",
        "CONSENT-NO-WITHDRAW",
        "COOKIE-CONSENT",
    ]
    assert lint(parse_declaration(text)) == first
    assert all(p.severity == "warning" for p in first)
