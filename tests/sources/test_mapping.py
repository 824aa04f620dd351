"""`pledge map`: a draft of the `sources` section from a live company database.

The company below has the features real databases have: an address shared by two customers
through a link table, a RESTRICT foreign key, a composite key, card numbers, IPs, a
newsletter list and a helpdesk tied to customers by email with no foreign key, non-ASCII
names. Every personal value inserted is listed in PERSONAL_VALUES, and no test output may
contain one of them.
"""

from __future__ import annotations

import textwrap
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from pytest import CaptureFixture

from pledge.cli import run
from pledge.declaration.load import parse_declaration
from pledge.declaration.taxonomy import builtin_categories
from pledge.sources.columns import column_words, guess_column, name_match
from pledge.sources.connect import create_source_engine
from pledge.sources.mapping import SourceDraft, draft_source
from tests.declaration.declarations import declaration

TODAY = date(2026, 11, 23)

CUSTOMERS = [
    (1, "zoe.martin@example.com", "Zoë Martin", "+44 20 7946 0958", date(1985, 4, 12)),
    (2, "lukasz.nowak@example.org", "Łukasz Nowak", "06 12 34 56 78", date(1979, 11, 30)),
    (3, "li.lei@example.net", "李雷", "(415) 555-0100", date(1992, 2, 29)),
    (4, "ana.souza@example.com", "Ana Souza", "+33 6 12 34 56 78", date(2001, 7, 1)),
]
ADDRESSES = [
    (10, "1 Canal Street", "Manchester", "M1 3HE"),
    (11, "12 rue de la Paix", "Paris", "75002"),
    (12, "500 Market Street", "San Francisco", "94105"),
]
CARDS = ["4111 1111 1111 1111", "5555555555554444", "378282246310005", "6011-1111-1111-1117"]
IPS = ["203.0.113.7", "2001:db8::1", "198.51.100.23", "2001:db8:0:1::42"]
NEWSLETTER = ["zoe.martin@example.com", "ana.souza@example.com", "someone.else@example.org"]
PERSONAL_VALUES = [
    *(str(value) for row in CUSTOMERS for value in row[1:]),
    *(value for row in ADDRESSES for value in row[1:]),
    *CARDS,
    *(card.replace(" ", "").replace("-", "") for card in CARDS),
    *IPS,
    *NEWSLETTER,
    "Zoë",
    "Łukasz",
    "Martin",
    "Nowak",
]


def company_tables() -> sa.MetaData:
    meta = sa.MetaData()
    text = sa.String(200)
    sa.Table(
        "customers",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", text, nullable=False, unique=True),
        sa.Column("full_name", text, nullable=False),
        sa.Column("phone", sa.String(40)),
        sa.Column("birth_date", sa.Date),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    sa.Table(
        "addresses",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("line1", text, nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("postcode", sa.String(12), nullable=False),
    )
    sa.Table(
        "customer_addresses",
        meta,
        sa.Column("customer_id", sa.ForeignKey("customers.id"), primary_key=True),
        sa.Column("address_id", sa.ForeignKey("addresses.id"), primary_key=True),
    )
    sa.Table(
        "products",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sku", sa.String(20), nullable=False, unique=True),
        sa.Column("name", text, nullable=False),
        sa.Column("price_cents", sa.Integer, nullable=False),
    )
    sa.Table(
        "orders",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "customer_id", sa.ForeignKey("customers.id", ondelete="RESTRICT"), nullable=False
        ),
        sa.Column("total", sa.Numeric(10, 2), nullable=False),
        sa.Column("placed_at", sa.DateTime, nullable=False),
    )
    sa.Table(
        "order_lines",
        meta,
        sa.Column("order_id", sa.ForeignKey("orders.id"), primary_key=True),
        sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("product_id", sa.ForeignKey("products.id"), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
    )
    sa.Table(
        "payments",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("card_number", sa.String(25), nullable=False),
        sa.Column("amount", sa.Numeric(10, 2), nullable=False),
    )
    sa.Table(
        "sessions",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.ForeignKey("customers.id")),
        sa.Column("ip", sa.String(45), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
    )
    sa.Table(
        "newsletter_contacts",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", text, nullable=False, unique=True),
        sa.Column("subscribed_at", sa.DateTime, nullable=False),
    )
    sa.Table(
        "support_tickets",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_email", text, nullable=False),
        sa.Column("opened_at", sa.DateTime, nullable=False),
    )
    return meta


def build_company(url: str) -> None:
    """The company's schema and rows, in one transaction."""
    meta = company_tables()
    t = meta.tables
    when = datetime(2026, 3, 1, 12, 0)
    engine = create_source_engine(url)
    try:
        with engine.begin() as connection:
            meta.create_all(connection)
            person = ("id", "email", "full_name", "phone", "birth_date")
            rows = [{**dict(zip(person, c, strict=True)), "created_at": when} for c in CUSTOMERS]
            connection.execute(sa.insert(t["customers"]), rows)
            place = ("id", "line1", "city", "postcode")
            connection.execute(
                sa.insert(t["addresses"]), [dict(zip(place, a, strict=True)) for a in ADDRESSES]
            )
            # Address 10 is home to customers 1 and 2.
            pairs = [(1, 10), (2, 10), (3, 11), (4, 12)]
            connection.execute(
                sa.insert(t["customer_addresses"]),
                [{"customer_id": c, "address_id": a} for c, a in pairs],
            )
            connection.execute(
                sa.insert(t["products"]),
                [
                    {"id": 1, "sku": "MUG-BLUE", "name": "Blue mug", "price_cents": 1200},
                    {"id": 2, "sku": "TEA-500", "name": "Tea, 500 g", "price_cents": 900},
                ],
            )
            connection.execute(
                sa.insert(t["orders"]),
                [
                    {"id": 100 + c, "customer_id": c, "total": Decimal("21.00"), "placed_at": when}
                    for c in (1, 2, 3, 4)
                ],
            )
            connection.execute(
                sa.insert(t["order_lines"]),
                [
                    {"order_id": 100 + c, "line_no": n, "product_id": n, "quantity": c}
                    for c in (1, 2, 3, 4)
                    for n in (1, 2)
                ],
            )
            connection.execute(
                sa.insert(t["payments"]),
                [
                    {"id": i, "order_id": 100 + i, "card_number": card, "amount": Decimal("21")}
                    for i, card in enumerate(CARDS, start=1)
                ],
            )
            connection.execute(
                sa.insert(t["sessions"]),
                [
                    {"id": i, "customer_id": i, "ip": ip, "started_at": when}
                    for i, ip in enumerate(IPS, start=1)
                ],
            )
            connection.execute(
                sa.insert(t["newsletter_contacts"]),
                [
                    {"id": i, "email": email, "subscribed_at": when}
                    for i, email in enumerate(NEWSLETTER, start=1)
                ],
            )
            connection.execute(
                sa.insert(t["support_tickets"]),
                [
                    {"id": 1, "customer_email": CUSTOMERS[1][1], "opened_at": when},
                    {"id": 2, "customer_email": CUSTOMERS[1][1], "opened_at": when},
                    {"id": 3, "customer_email": CUSTOMERS[2][1], "opened_at": when},
                ],
            )
    finally:
        engine.dispose()


def draft_of(url: str, sample: int = 200) -> SourceDraft:
    engine = create_source_engine(url)
    try:
        return draft_source(engine, "shop", "PLEDGE_SHOP_URL", sample, TODAY)
    finally:
        engine.dispose()


def assert_no_personal_value(text: str) -> None:
    leaked = [value for value in PERSONAL_VALUES if value in text]
    assert not leaked, f"sampled values in the output: {leaked}"


# --- Names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "words"),
    [
        ("last_ip", ("last", "ip")),
        ("lastLoginIP", ("last", "login", "ip")),
        ("Customer-Email", ("customer", "email")),
        ("zip", ("zip",)),
    ],
)
def test_column_names_split_into_words(column: str, words: tuple[str, ...]) -> None:
    assert column_words(column) == words


@pytest.mark.parametrize(
    ("column", "hint", "category"),
    [
        ("last_ip", "last_ip", "online.ip_address"),
        ("ip", "ip", "online.ip_address"),
        ("zip", "zip", "contact.postal_address"),
        ("email", "email", "contact.email"),
        ("billing_email", "email", "contact.email"),
        ("email_body", "email_body", "communications.email"),
        ("card_number", "card_number", "financial.payment_card"),
        ("birth_date", "birth", "identity.date_of_birth"),
        ("order_total", "total", "financial.invoice"),
    ],
)
def test_names_match_taxonomy_hints_as_whole_words(column: str, hint: str, category: str) -> None:
    found = name_match(column)
    assert found is not None
    assert (found.hint, found.category) == (hint, category)


@pytest.mark.parametrize("column", ["id", "zipper", "tipple", "shipping", "price_cents", "email2x"])
def test_names_without_a_whole_word_hint_match_nothing(column: str) -> None:
    assert name_match(column) is None


def test_values_outweigh_a_name_only_when_their_shape_is_decisive() -> None:
    emails = ["a@example.com", "b@example.org"]
    guess = guess_column("billing_contact", emails, TODAY)
    assert guess is not None
    assert guess.category == "contact.email"
    assert guess.evidence == (
        "2/2 sampled values look like email addresses",
        "the name suggests financial.invoice ('billing')",
    )
    # Five-digit codes are weak evidence: the name decides.
    guess = guess_column("total", ["75002", "94105"], TODAY)
    assert guess is not None
    assert guess.category == "financial.invoice"


def test_a_foreign_key_name_alone_suggests_nothing() -> None:
    assert guess_column("customer_id", [1, 2], TODAY, is_key=True) is None
    guess = guess_column("customer_id", [1, 2], TODAY)
    assert guess is not None
    assert guess.category == "identity.identifier"


# --- The draft from a live database ---------------------------------------------------


def test_the_draft_of_the_company(company_url: str) -> None:
    build_company(company_url)
    draft = draft_of(company_url)
    tables = draft.tables
    included = sorted(name for name, table in tables.items() if table.included)
    assert included == [
        "addresses",
        "customer_addresses",
        "customers",
        "newsletter_contacts",
        "order_lines",
        "orders",
        "payments",
        "sessions",
        "support_tickets",
    ]
    assert not tables["products"].included  # a product's `name` is not a person's
    categories = {
        (table.name, column): guess.category
        for table in tables.values()
        if table.included
        for column, guess in table.columns.items()
    }
    assert categories == {
        ("customers", "email"): "contact.email",
        ("customers", "full_name"): "identity.name",
        ("customers", "phone"): "contact.phone",
        ("customers", "birth_date"): "identity.date_of_birth",
        ("customers", "created_at"): "account.registration",
        ("addresses", "line1"): "contact.postal_address",
        ("addresses", "city"): "contact.postal_address",
        ("addresses", "postcode"): "contact.postal_address",
        ("orders", "total"): "financial.invoice",
        ("order_lines", "quantity"): "commercial.purchase_history",
        ("payments", "card_number"): "financial.payment_card",
        ("payments", "amount"): "financial.invoice",
        ("sessions", "ip"): "online.ip_address",
        ("newsletter_contacts", "email"): "contact.email",
        ("newsletter_contacts", "subscribed_at"): "preferences.marketing",
        ("support_tickets", "customer_email"): "contact.email",
    }
    roots = {name: table.identity for name, table in tables.items() if table.root}
    assert roots == {
        "customers": "email",
        "newsletter_contacts": "email",
        "support_tickets": None,  # several tickets per email: no identity
    }
    links = {
        name: [(link.table, link.on, link.shared) for link in table.links]
        for name, table in tables.items()
        if table.links
    }
    assert links == {
        "customer_addresses": [("customers", (("customer_id", "id"),), False)],
        "addresses": [("customer_addresses", (("id", "address_id"),), True)],
        "orders": [("customers", (("customer_id", "id"),), False)],
        "sessions": [("customers", (("customer_id", "id"),), False)],
        "order_lines": [("orders", (("order_id", "id"),), False)],
        "payments": [("orders", (("order_id", "id"),), False)],
    }
    (ticket_link,) = tables["support_tickets"].value_links
    assert (ticket_link.column, ticket_link.table, ticket_link.referred_column) == (
        "customer_email",
        "customers",
        "email",
    )
    # Tickets 1 and 2 share an email: 2 distinct values, both customers'.
    assert (ticket_link.found, ticket_link.distinct, ticket_link.same_people) == (2, 2, False)
    (newsletter_link,) = tables["newsletter_contacts"].value_links
    assert (newsletter_link.found, newsletter_link.distinct) == (2, 3)
    assert newsletter_link.same_people


EXPECTED_YAML = """\
# Drafted by `pledge map` from a sample of up to 200 rows per table.
# Each category is a suggestion from the column's name and the shape of its values:
# check every one, add each table's subject, activities and retention, then paste
# this into pledge.yaml.
sources:
  shop:
    url_env: PLEDGE_SHOP_URL
    # left out, no personal-looking values and no link to a person: products
    tables:
      addresses:
        # not personal-looking: id
        links: [{table: customer_addresses, on: {id: address_id}, shared: true}] # back through the link table customer_addresses, shared: a row may belong to several people
        columns:
          line1: contact.postal_address # name matches 'line1'
          city: contact.postal_address # name matches 'city'
          postcode: contact.postal_address # name matches 'postcode'; 3/3 sampled values look like UK, French or US postcodes
      customer_addresses:
        # other foreign keys, not how these rows reach a person: address_id -> addresses.id
        links: [{table: customers, on: {customer_id: id}}] # foreign key to customers, ON DELETE NO ACTION
      customers:
        # rows are people: add 'subject: <id>' from your subjects section
        # email: 2/4 sampled distinct values are also in newsletter_contacts.email: the same people, found by the same identity (no foreign key)
        # not personal-looking: id
        columns:
          email: {category: contact.email, identity: email} # name matches 'email'; 4/4 sampled values look like email addresses; unique and not null: proposed identity
          full_name: identity.name # name matches 'full_name'
          phone: contact.phone # name matches 'phone'; 4/4 sampled values look like phone numbers
          birth_date: identity.date_of_birth # name matches 'birth'; 4/4 sampled values are dates 13 to 120 years ago, like dates of birth
          created_at: account.registration # name matches 'created_at'
      newsletter_contacts:
        # rows are people: add 'subject: <id>' from your subjects section
        # email: 2/3 sampled distinct values are also in customers.email: the same people, found by the same identity (no foreign key)
        # not personal-looking: id
        columns:
          email: {category: contact.email, identity: email} # name matches 'email'; 3/3 sampled values look like email addresses; unique and not null: proposed identity
          subscribed_at: preferences.marketing # name matches 'subscribed'
      order_lines:
        # other foreign keys, not how these rows reach a person: product_id -> products.id
        # not personal-looking: line_no
        links: [{table: orders, on: {order_id: id}}] # foreign key to orders, ON DELETE NO ACTION
        columns:
          quantity: commercial.purchase_history # name matches 'quantity'
      orders:
        # not personal-looking: id, placed_at
        links: [{table: customers, on: {customer_id: id}}] # foreign key to customers, ON DELETE {restrict}
        columns:
          total: financial.invoice # name matches 'total'
      payments:
        # not personal-looking: id
        links: [{table: orders, on: {order_id: id}}] # foreign key to orders, ON DELETE NO ACTION
        columns:
          card_number: financial.payment_card # name matches 'card_number'; 4/4 sampled values look like payment card numbers (Luhn check passes)
          amount: financial.invoice # name matches 'amount'
      sessions:
        # not personal-looking: id, started_at
        links: [{table: customers, on: {customer_id: id}}] # foreign key to customers, ON DELETE NO ACTION
        columns:
          ip: online.ip_address # name matches 'ip'; 4/4 sampled values look like IP addresses
      support_tickets:
        # about people, but no unique, not-null email column to find them by: mark the column that identifies a person, or link this table to one that has it
        # customer_email has no foreign key, but 2/2 sampled distinct values are in customers.email: if it is a link, add {table: customers, on: {customer_email: email}} to links
        # not personal-looking: id, opened_at
        columns:
          customer_email: contact.email # name matches 'email'; 3/3 sampled values look like email addresses
"""  # noqa: E501  (one line per entry, as the command prints it)


def test_the_draft_as_yaml(company_url: str, capsys: CaptureFixture[str]) -> None:
    build_company(company_url)
    code = run(["map", company_url, "--source", "shop"])
    out, err = capsys.readouterr()
    assert code == 0, err
    # MySQL/MariaDB report RESTRICT as NO ACTION, which InnoDB enforces alike.
    restrict = "NO ACTION" if company_url.startswith("mysql") else "RESTRICT"
    assert out == EXPECTED_YAML.replace("{restrict}", restrict)
    assert_no_personal_value(out + err)


def test_the_draft_is_a_valid_sources_section(
    company_url: str, capsys: CaptureFixture[str]
) -> None:
    build_company(company_url)
    assert run(["map", company_url, "--source", "shop"]) == 0
    body = capsys.readouterr().out.split("sources:\n", 1)[1]
    # Pasted into a declaration that defines no categories of its own: every category the
    # draft proposes must be a real taxonomy id for this to load.
    loaded = parse_declaration(declaration(sources=textwrap.dedent(body)))
    shop = loaded.declaration.sources["shop"]
    assert shop.url_env == "PLEDGE_SHOP_URL"
    assert sorted(shop.tables) == sorted(
        n for n, t in draft_of(company_url).tables.items() if t.included
    )
    used = {column.category for table in shop.tables.values() for column in table.columns.values()}
    assert used <= set(builtin_categories())
    assert shop.tables["customers"].columns["email"].identity == "email"
    assert shop.tables["addresses"].links[0].shared


def test_a_sample_of_zero_reads_names_only(tmp_path: Path, capsys: CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    build_company(url)
    assert run(["map", url, "--sample", "0", "-o", str(tmp_path / "draft.yaml")]) == 0
    assert capsys.readouterr().out == f"{tmp_path / 'draft.yaml'}: 9 tables drafted.\n"
    text = (tmp_path / "draft.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Drafted by `pledge map` from column names only (no values read).")
    assert "sampled" not in text
    # The source id and its variable come from the file's name.
    assert "sources:\n  shop:\n    url_env: PLEDGE_SHOP_URL\n" in text
    assert "          ip: online.ip_address # name matches 'ip'\n" in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--source", "Shop"], "error: 'Shop' cannot be a source id — use lowercase letters"),
        (["--url-env", "shop_url"], "error: 'shop_url' is not an environment variable name"),
    ],
)
def test_bad_names_are_refused(
    tmp_path: Path, capsys: CaptureFixture[str], arguments: list[str], message: str
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    build_company(url)
    assert run(["map", url, *arguments]) == 1
    assert capsys.readouterr().err.startswith(message)


def test_a_missing_or_empty_database_is_explained(
    tmp_path: Path, capsys: CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.db"
    assert run(["map", f"sqlite:///{missing}"]) == 1
    assert capsys.readouterr().err == (
        f"error: no SQLite database at {missing} — check the path in the URL\n"
    )
    assert not missing.exists()
    empty = tmp_path / "empty.db"
    engine = sa.create_engine(f"sqlite:///{empty}")
    engine.connect().close()
    engine.dispose()
    assert run(["map", f"sqlite:///{empty}"]) == 1
    assert "error: the database has no tables" in capsys.readouterr().err


def test_an_unreachable_server_is_explained(capsys: CaptureFixture[str]) -> None:
    url = "postgresql://nobody:secret-password@127.0.0.1:1/shop?connect_timeout=2"
    assert run(["map", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot read the database: ")
    assert "secret-password" not in err


def test_a_table_without_a_key_is_sampled_in_a_stable_order(
    company_url: str, capsys: CaptureFixture[str]
) -> None:
    meta = sa.MetaData()
    visits = sa.Table(
        "visits", meta, sa.Column("remote_addr", sa.String(45)), sa.Column("note", sa.Text)
    )
    engine = create_source_engine(company_url)
    try:
        with engine.begin() as connection:
            meta.create_all(connection)
            rows = [{"remote_addr": ip, "note": None} for ip in ("203.0.113.9", "2001:db8::9")]
            connection.execute(sa.insert(visits), [*rows, {"remote_addr": "zzz", "note": "x"}])
    finally:
        engine.dispose()
    # The two addresses sort before "zzz": a sample of two reads them, every time.
    assert run(["map", company_url, "--source", "web", "--sample", "2"]) == 0
    out = capsys.readouterr().out
    assert out.split("sources:\n", 1)[1] == (
        "  web:\n"
        "    url_env: PLEDGE_WEB_URL\n"
        "    tables:\n"
        "      visits:\n"
        "        # no identity and no foreign key to a person: add a link, or leave it out\n"
        "        # not personal-looking: note\n"
        "        columns:\n"
        "          remote_addr: online.ip_address # name matches 'remote_addr'; 2/2 sampled"
        " values look like IP addresses\n"
    )
    assert "203.0.113.9" not in out
