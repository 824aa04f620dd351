"""Malformed declarations: every mistake is reported exactly, where it was made, with a hint.

Each case asserts the full rendered problem, `file:line:col: message — hint`. Tiny documents
spell their positions out; cases built on the base declaration find the spot with `where()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from pledge.cli import run
from pledge.declaration.load import parse_declaration
from pledge.errors import InvalidDeclaration
from tests.declaration.declarations import FILE, declaration, where

START_HINT = "start with 'pledge: 1' then 'organisation:' and the other sections"
DURATION_FORM = (
    "write a number and a unit: '30 days', '10 business days', '1 week', '3 months', '2 years'"
)

ORDERS = """
orders:
  name: Orders
  subjects: [customer]
  categories: [identity.name, contact.email]
  legal_basis: contract
  retention: [accounts]
"""


def orders(old: str, new: str, **sections: str | None) -> str:
    """The base declaration with one change to its `orders` activity."""
    assert old in ORDERS
    return declaration(activities=ORDERS.replace(old, new), **sections)


def retention(duration: str = "3 years", trigger: str = "last_contact") -> str:
    rule = f"accounts:\n  name: Accounts\n  duration: {duration}\n  trigger: {trigger}\n"
    return declaration(retention=rule)


def organisation(extra: str = "", jurisdictions: str = "[uk]", country: str = "GB") -> str:
    body = (
        f"name: Acme\ncountry: {country}\nemail: a@acme.example\njurisdictions: {jurisdictions}\n"
    )
    return declaration(organisation=body + extra)


SHOP = """
shop:
  url_env: SHOP_URL
  tables:
    customers:
      subject: customer
      activities: [orders]
      columns:
        email: {category: contact.email, identity: email}
      timestamps: {last_contact: last_seen_at}
    orders:
      activities: [orders]
      links: [{table: customers, on: {customer_id: id}}]
"""


def shop(old: str, new: str) -> str:
    assert old in SHOP
    return declaration(sources=SHOP.replace(old, new))


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    expected: list[str]


def at(text: str, needle: str, message: str, *, after: str = "") -> str:
    return f"{where(text, needle, after=after)}: {message}"


def cases() -> list[Case]:
    found: list[Case] = []

    def add(id: str, text: str, *expected: str) -> None:
        found.append(Case(id, text, list(expected)))

    # --- YAML syntax ------------------------------------------------------------------------
    add(
        "indent-less-than-siblings",
        "pledge: 1\norganisation:\n  name: Acme\n country: GB\n",
        "pledge.yaml:4:2: this line does not line up with the lines above it — keys of one "
        "mapping, and items of one list, must start in the same column; a list ('- item') and "
        "'key: value' lines cannot be mixed",
    )
    add(
        "indent-more-than-siblings",
        "pledge: 1\norganisation:\n  name: Acme\n    country: GB\n",
        "pledge.yaml:4:12: unexpected ':' here — if the line above has no ': ' after its key, add "
        "it; otherwise check this line's indentation, and put values that contain ': ' in quotes",
    )
    add(
        "tab",
        "pledge: 1\norganisation:\n\tname: Acme\n",
        "pledge.yaml:3:1: a tab character: YAML indents with spaces only — replace the tab with "
        "spaces",
    )
    add(
        "unclosed-quote",
        'pledge: 1\norganisation:\n  name: "Acme\n  country: GB\n',
        "pledge.yaml:3:9: this quoted text is never closed — add the closing quote",
    )
    add(
        "unclosed-flow-list",
        "pledge: 1\norganisation:\n  jurisdictions: [uk, eu\n  country: GB\n",
        "pledge.yaml:3:18: this '[' list is never closed — close it with ']' on the same line",
    )
    add(
        "second-document",
        "pledge: 1\n---\npledge: 1\n",
        "pledge.yaml:2:1: a second YAML document starts here — a declaration is one document: "
        "remove the '---' line",
    )
    add(
        "bad-tag-value",
        "pledge: !!int one\n",
        "pledge.yaml:1:9: cannot read this value (invalid literal for int() with base 10: 'one') "
        "— write the value without a '!!' tag",
    )
    text = declaration(subjects="customer:\n  name: Customers\ncustomer:\n  name: Clients\n")
    add(
        "duplicate-key",
        text,
        at(
            text,
            "customer:",
            "'customer' appears twice in the same mapping — each key may be written once; "
            "rename or merge the two entries",
            after="Customers",
        ),
    )

    # --- the document as a whole ------------------------------------------------------------
    add(
        "top-level-list",
        "- pledge: 1\n- organisation: {}\n",
        f"pledge.yaml:1:1: the declaration must be a mapping of sections — {START_HINT}",
    )
    add("empty-file", "", f"pledge.yaml:1:1: the file is empty — {START_HINT}")
    add("only-comments", "# to do\n", f"pledge.yaml:1:1: the file is empty — {START_HINT}")
    add(
        "missing-format-version",
        declaration(pledge=None),
        "pledge.yaml:1:1: missing key 'pledge' in the top level — start the file with 'pledge: 1' "
        "(the format version)",
    )
    add(
        "wrong-format-version",
        declaration(pledge="2"),
        "pledge.yaml:1:9: pledge: unsupported format version 2 — this version of Pledge reads "
        "format 1: write 'pledge: 1'",
    )
    add(
        "format-version-as-text",
        declaration(pledge="'1'"),
        "pledge.yaml:1:9: pledge: the format version is the number 1, not the text '1' — remove "
        "the quotes",
    )

    # --- unknown keys -----------------------------------------------------------------------
    text = declaration().replace("activities:", "activites:")
    add(
        "unknown-top-level-key",
        text,
        at(
            text,
            "activites:",
            "unknown key 'activites' in the top level — did you mean 'activities'?",
        ),
    )
    text = orders("legal_basis:", "legal_bases:")
    add(
        "unknown-nested-key",
        text,
        at(
            text,
            "legal_bases:",
            "unknown key 'legal_bases' in activities.orders — did you mean 'legal_basis'?",
        ),
    )
    text = orders("retention: [accounts]", "retention: [accounts]\n  colour: blue")
    add(
        "unknown-nested-key-far-from-any",
        text,
        at(
            text,
            "colour:",
            "unknown key 'colour' in activities.orders — allowed here: automated_decisions, "
            "categories, collected_from, consequences, description, direct_marketing, "
            "legal_basis, legal_obligation, legitimate_interests, name, opt_out, recipients, "
            "requirement, retention, sale, security, share, soft_opt_in, subjects, withdraw",
        ),
    )

    # --- unknown references -----------------------------------------------------------------
    text = orders("contact.email]", "contact.emial]")
    add(
        "unknown-category",
        text,
        at(
            text,
            "contact.emial",
            "unknown category 'contact.emial' — did you mean 'contact.email'?",
        ),
    )
    text = orders("contact.email]", "contact.messenger_pigeon]")
    add(
        "unknown-category-in-a-known-group",
        text,
        at(
            text,
            "contact.messenger_pigeon",
            "unknown category 'contact.messenger_pigeon' — declare it under 'categories', or "
            "use a built-in 'contact' category: contact.email, contact.phone, "
            "contact.postal_address",
        ),
    )
    text = orders("subjects: [customer]", "subjects: [custmer]")
    add(
        "unknown-subject",
        text,
        at(text, "custmer", "unknown subject 'custmer' — did you mean 'customer'?"),
    )
    text = orders("retention: [accounts]", "retention: [accounts]\n  recipients: [stripe]")
    add(
        "unknown-recipient",
        text,
        at(
            text,
            "stripe",
            "unknown recipient 'stripe' — no recipient is declared: add it under 'recipients'",
        ),
    )
    text = orders("retention: [accounts]", "retention: [acounts]")
    add(
        "unknown-retention-rule",
        text,
        at(text, "acounts", "unknown retention rule 'acounts' — did you mean 'accounts'?"),
    )
    text = orders("legal_basis: contract", "legal_basis: consent\n  withdraw: [privacy_mail]")
    add(
        "unknown-channel",
        text,
        at(text, "privacy_mail]", "unknown channel 'privacy_mail' — did you mean 'privacy_email'?"),
    )
    text = orders("retention: [accounts]", "retention: [accounts]\n  collected_from: [partners]")
    add(
        "unknown-origin",
        text,
        at(
            text,
            "partners",
            "unknown origin 'partners' — declare it under 'origins' first; declared: automatic, "
            "subject",
        ),
    )
    text = organisation(jurisdictions="[uk, eu-fr]")
    add(
        "unknown-jurisdiction",
        text,
        at(
            text,
            "eu-fr",
            "unknown jurisdiction 'eu-fr' — use one of the built-in jurisdictions: ca, ch, eu, "
            "fr, uk, us-ca",
        ),
    )
    text = orders("legal_basis: contract", "legal_basis: {uk: contract, eu: contract}")
    add(
        "basis-for-an-undeclared-jurisdiction",
        text,
        at(
            text,
            "eu: contract",
            "legal basis for jurisdiction 'eu', which organisation.jurisdictions does not list — "
            "add 'eu' to organisation.jurisdictions, or remove this basis",
        ),
    )

    # --- legal bases ------------------------------------------------------------------------
    text = orders("  legal_basis: contract\n", "")
    add(
        "missing-legal-basis",
        text,
        at(
            text,
            "orders:",
            "missing key 'legal_basis' in activities.orders — every activity needs a legal "
            "basis, e.g. 'legal_basis: contract'",
        ),
    )
    text = declaration(
        organisation="name: Acme\ncountry: GB\nemail: a@acme.example\njurisdictions: [uk, eu]\n",
        activities=ORDERS.replace("legal_basis: contract", "legal_basis: {uk: contract}"),
    )
    add(
        "missing-legal-basis-for-one-jurisdiction",
        text,
        at(
            text,
            "legal_basis:",
            "missing legal basis for jurisdiction 'eu' in activities.orders — add 'eu: <basis>' "
            "under legal_basis, or give one basis for all",
        ),
    )
    text = orders("legal_basis: contract", "legal_basis: contrat")
    add(
        "misspelt-basis",
        text,
        at(
            text,
            "contrat",
            "activities.orders.legal_basis: 'contrat' is not a legal basis — did you mean "
            "'contract'?",
        ),
    )
    text = orders("legal_basis: contract", "legal_basis: [contract, legitimate_interest]")
    add(
        "misspelt-basis-in-a-list",
        text,
        at(
            text,
            "legitimate_interest]",
            "activities.orders.legal_basis.1: 'legitimate_interest' is not a legal basis — did "
            "you mean 'legitimate_interests'?",
        ),
    )
    text = orders("legal_basis: contract", "legal_basis: {uk: consnet}")
    add(
        "misspelt-basis-for-a-jurisdiction",
        text,
        at(
            text,
            "consnet",
            "activities.orders.legal_basis.uk: 'consnet' is not a legal basis — did you mean "
            "'consent'?",
        ),
    )

    # --- durations, triggers, values --------------------------------------------------------
    text = retention(duration="3 yeers")
    add(
        "misspelt-duration-unit",
        text,
        at(
            text,
            "3 yeers",
            f"retention.accounts.duration: '3 yeers' is not a duration — {DURATION_FORM}; did you "
            "mean 'years'?",
        ),
    )
    text = retention(duration="three years")
    add(
        "duration-in-words",
        text,
        at(
            text,
            "three years",
            f"retention.accounts.duration: 'three years' is not a duration — {DURATION_FORM}",
        ),
    )
    text = retention(duration="-1 days")
    add(
        "negative-duration",
        text,
        at(
            text,
            "-1 days",
            f"retention.accounts.duration: '-1 days' is not a duration — {DURATION_FORM}; a "
            "duration cannot be negative",
        ),
    )
    text = retention(trigger="last_contct")
    add(
        "unknown-trigger",
        text,
        at(
            text,
            "last_contct",
            "retention.accounts.trigger: 'last_contct' is not a retention trigger — did you mean "
            "'last_contact'?",
        ),
    )
    text = organisation(country="UK1")
    add(
        "bad-country-code",
        text,
        at(
            text,
            "UK1",
            "organisation.country: 'UK1' is not a country code — use the two-letter ISO 3166-1 "
            "code in capitals, e.g. GB, FR, US",
        ),
    )
    text = organisation(country="UK")
    add(
        "uk-is-not-an-iso-code",
        text,
        at(text, "UK\n", "unknown country code 'UK' — did you mean 'GB'?"),
    )
    text = organisation(country="QQ")
    add(
        "unknown-country-code",
        text,
        at(
            text,
            "QQ",
            "unknown country code 'QQ' — use an ISO 3166-1 alpha-2 code, e.g. GB, FR, US",
        ),
    )
    text = orders("subjects: [customer]", "subjects: customer")
    add(
        "string-where-a-list-is-expected",
        text,
        at(
            text,
            "customer\n",
            "activities.orders.subjects must be a list — write it as [a, b] or '- a' lines",
            after="subjects: ",
        ),
    )
    text = orders("name: Orders", "name: {en: Orders, de: Bestellungen}")
    add(
        "unknown-language",
        text,
        at(
            text,
            "de:",
            "activities.orders.name: unknown language 'de' in a translated text — use one of "
            "en, fr",
        ),
    )
    text = orders("name: Orders", "name: 42")
    add(
        "number-where-text-is-expected",
        text,
        at(text, "42", "activities.orders.name: expected text, not 42 — put it in quotes"),
    )
    text = declaration(notice="last_updated: 2026-02-30\n")
    add(
        "impossible-date",
        text,
        at(
            text,
            "2026-02-30",
            "notice.last_updated: '2026-02-30' is not a date — write it as YYYY-MM-DD, e.g. "
            "2026-01-31",
        ),
    )
    text = declaration(rights="offered:\n  acess: {channels: [privacy_email]}\n")
    add(
        "unknown-right",
        text,
        at(text, "acess:", "rights.offered: 'acess' is not a right — did you mean 'access'?"),
    )

    # --- sources ----------------------------------------------------------------------------
    text = shop("table: customers", "table: custmers")
    add(
        "link-to-an-unknown-table",
        text,
        at(text, "custmers", "unknown table 'custmers' — did you mean 'customers'?"),
    )
    text = shop("category: contact.email", "category: contact.emali")
    add(
        "column-mapped-to-an-unknown-category",
        text,
        at(
            text,
            "contact.emali",
            "unknown category 'contact.emali' — did you mean 'contact.email'?",
        ),
    )
    text = shop("last_contact: last_seen_at", "last_seen: last_seen_at")
    add(
        "timestamp-that-is-not-a-trigger",
        text,
        at(
            text,
            "last_seen:",
            "unknown retention trigger 'last_seen' — timestamps map a retention trigger to the "
            "column holding its date; use one of: account_closed, application, collected, "
            "consent_withdrawn, contract_end, issued, last_contact, objection, recorded, "
            "relationship_end, request_resolved",
        ),
    )
    text = shop("url_env: SHOP_URL", "url_env: postgresql://shop@db/shop")
    add(
        "connection-url-instead-of-a-variable",
        text,
        at(
            text,
            "postgresql://",
            "sources.shop.url_env: 'postgresql://shop@db/shop' is not an environment variable "
            "name — name the variable that holds the value, e.g. SHOP_DATABASE_URL (capitals, "
            "digits, '_'); never write the secret itself here",
        ),
    )

    # --- several errors at once, sorted by place --------------------------------------------
    text = declaration(
        organisation="name: Acme\ncountry: gb\nemail: a@acme.example\njurisdictions: [uk]\n",
        retention="accounts:\n  name: Accounts\n  duration: 3 yeers\n  trigger: last_contct\n",
    )
    add(
        "several-shape-errors",
        text,
        at(
            text,
            "gb",
            "organisation.country: 'gb' is not a country code — use the two-letter ISO 3166-1 "
            "code in capitals, e.g. GB, FR, US",
        ),
        at(
            text,
            "3 yeers",
            f"retention.accounts.duration: '3 yeers' is not a duration — {DURATION_FORM}; did you "
            "mean 'years'?",
        ),
        at(
            text,
            "last_contct",
            "retention.accounts.trigger: 'last_contct' is not a retention trigger — did you mean "
            "'last_contact'?",
        ),
    )
    text = declaration(
        activities=ORDERS.replace("[customer]", "[custmer]")
        .replace("contact.email]", "contact.emial]")
        .replace("[accounts]", "[acounts]"),
        rights="channels: [privacy_mail]\n",
    )
    add(
        "several-reference-errors",
        text,
        at(text, "custmer", "unknown subject 'custmer' — did you mean 'customer'?"),
        at(
            text,
            "contact.emial",
            "unknown category 'contact.emial' — did you mean 'contact.email'?",
        ),
        at(text, "acounts", "unknown retention rule 'acounts' — did you mean 'accounts'?"),
        at(text, "privacy_mail]", "unknown channel 'privacy_mail' — did you mean 'privacy_email'?"),
    )
    return found


CASES = cases()


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 25
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_declaration(case: Case) -> None:
    with pytest.raises(InvalidDeclaration) as raised:
        parse_declaration(case.text, FILE)
    assert [str(problem) for problem in raised.value.problems] == case.expected
    assert all(problem.severity == "error" for problem in raised.value.problems)


def test_anchors_and_merge_keys_are_read() -> None:
    # Shared settings through '<<: *anchor' are plain YAML. A merged value keeps the marks of
    # where it was written, so an error in it is reported once, at the anchor.
    shared = """
    orders: &common
      name: Orders
      subjects: [customer]
      categories: [identity.name, contact.email]
      legal_basis: contract
      retention: [accounts]
    returns:
      <<: *common
      name: Returns
    """
    loaded = parse_declaration(declaration(activities=shared), FILE)
    assert loaded.declaration.activities["returns"].categories == ["identity.name", "contact.email"]
    broken = declaration(activities=shared.replace("[customer]", "[custmer]"))
    with pytest.raises(InvalidDeclaration) as raised:
        parse_declaration(broken, FILE)
    assert [str(p) for p in raised.value.problems] == [
        at(broken, "custmer", "unknown subject 'custmer' — did you mean 'customer'?"),
    ]


# --- through the command line ---------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "pledge.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_check_prints_errors_on_stderr_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = orders("contact.email]", "contact.emial]").replace(
        "duration: 3 years", "duration: 3 yeers"
    )
    path = write(tmp_path, text)
    assert run(["check", path]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    shown = where(text, "3 yeers").replace(FILE, path)
    assert err.splitlines() == [
        f"{shown}: retention.accounts.duration: '3 yeers' is not a duration — {DURATION_FORM}; "
        "did you mean 'years'?",
        "1 error.",
    ]


def test_check_reports_every_reference_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = orders("contact.email]", "contact.emial]").replace("[accounts]", "[acounts]")
    path = write(tmp_path, text)
    assert run(["check", path]) == 1
    _, err = capsys.readouterr()
    assert err.splitlines() == [
        where(text, "contact.emial").replace(FILE, path)
        + ": unknown category 'contact.emial' — did you mean 'contact.email'?",
        where(text, "acounts").replace(FILE, path)
        + ": unknown retention rule 'acounts' — did you mean 'accounts'?",
        "2 errors.",
    ]


def test_check_prints_warnings_on_stdout_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = declaration(notice=None)
    path = write(tmp_path, text)
    assert run(["check", path]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        f"{path}: warning: the notice has no 'last updated' date — add 'notice: {{last_updated: "
        "YYYY-MM-DD}' so readers know which version applies; until then the store dates the "
        "notice when its first version is published [VERSION-DATE-MISSING]",
        f"{path}: valid, 1 warning.",
    ]
    assert run(["check", "--strict", path]) == 1


def test_check_of_a_clean_declaration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, declaration())
    assert run(["check", path]) == 0
    assert capsys.readouterr().out == f"{path}: valid, 0 warnings.\n"


def test_check_of_files_that_cannot_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "nowhere.yaml")
    assert run(["check", missing]) == 1
    assert capsys.readouterr().err == (
        f"error: {missing}: no such file — give the path to a pledge.yaml\n"
    )
    assert run(["check", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        f"error: {tmp_path} is a directory — give the path to a pledge.yaml\n"
    )
    latin1 = tmp_path / "latin1.yaml"
    content = "pledge: 1\norganisation: {name: Société}\n".encode("latin-1")
    latin1.write_bytes(content)
    assert run(["check", str(latin1)]) == 1
    offset = content.index("é".encode("latin-1"))
    assert capsys.readouterr().err == (
        f"error: {latin1}: the file is not UTF-8 (byte {offset}) — save it as UTF-8\n"
    )


def test_a_usage_error_is_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check"]) == 2
    out, err = capsys.readouterr()
    assert "Missing argument" in err
    assert "Traceback" not in out + err


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_no_traceback_ever_reaches_the_user(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, case.text)
    assert run(["check", path]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert err.splitlines()[:-1] == [line.replace(FILE, path, 1) for line in case.expected]
