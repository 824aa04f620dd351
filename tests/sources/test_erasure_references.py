"""Deleting rows that other rows refer to, whatever the foreign key does on delete.

Jane (person 1) referred Bob (2), whose row points at hers. Her posts 1 ← 3 ← 4 reply to
each other; Bob replied to her post 2, which someone also liked, in a table the declaration
does not list. Carol (3) has one post and nobody refers to her.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pledge.declaration.load import parse_declaration
from pledge.declaration.model import Declaration
from pledge.sources.access import execute_access
from pledge.sources.connect import create_source_engine
from pledge.sources.erasure import SourceErasure, erase_source, leftovers, recheck_given
from pledge.sources.plan import build_plan
from pledge.sources.schema import reflect_schema
from tests.declaration.declarations import declaration

TODAY = dt.date(2026, 6, 15)

SOURCE = """
blog:
  url_env: PLEDGE_TEST_BLOG_URL
  tables:
    people:
      subject: customer
      erase: delete_row
      columns:
        email: {category: contact.email, identity: email, erase: placeholder, placeholder: "x{id}"}
        name: identity.name
    posts:
      links: [{ table: people, on: { person_id: id } }]
      columns:
        body: communications.support_ticket
      erase: delete_row
"""

CYCLE_SOURCE = """
blog:
  url_env: PLEDGE_TEST_BLOG_URL
  tables:
    accounts:
      subject: customer
      erase: delete_row
      columns:
        email: {category: contact.email, identity: email, erase: placeholder, placeholder: "x{id}"}
    orders:
      links: [{ table: accounts, on: { account_id: id } }]
      columns:
        note: commercial.purchase_history
      erase: delete_row
"""

ON_DELETE = ("RESTRICT", "NO ACTION", "CASCADE", "SET NULL")


def declare(source: str) -> Declaration:
    return parse_declaration(declaration(sources=source)).declaration


def create_blog(engine: Engine, on_delete: str) -> None:
    metadata = sa.MetaData()

    def ref(name: str, target: str) -> sa.Column[int]:
        return sa.Column(name, sa.Integer, sa.ForeignKey(target, ondelete=on_delete))

    key = sa.Column("id", sa.Integer, primary_key=True, autoincrement=False)
    sa.Table(
        "people",
        metadata,
        key,
        sa.Column("email", sa.String(100), nullable=False, unique=True),
        sa.Column("name", sa.String(100)),
        ref("referred_by", "people.id"),
    )
    sa.Table(
        "posts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        ref("person_id", "people.id"),
        ref("reply_to", "posts.id"),
        sa.Column("body", sa.String(200)),
    )
    sa.Table(
        "likes",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        ref("post_id", "posts.id"),
    )
    metadata.create_all(engine)
    people: list[dict[str, Any]] = [
        {"id": 1, "email": "jane@example.com", "name": "Jane", "referred_by": None},
        {"id": 2, "email": "bob@example.com", "name": "Bob", "referred_by": 1},
        {"id": 3, "email": "carol@example.com", "name": "Carol", "referred_by": None},
    ]
    posts: list[dict[str, Any]] = [
        {"id": 1, "person_id": 1, "reply_to": None, "body": "first"},
        {"id": 2, "person_id": 1, "reply_to": None, "body": "liked"},
        {"id": 3, "person_id": 1, "reply_to": 1, "body": "my reply"},
        {"id": 4, "person_id": 1, "reply_to": 3, "body": "my reply again"},
        {"id": 5, "person_id": 2, "reply_to": 2, "body": "Bob answers Jane"},
        {"id": 6, "person_id": 3, "reply_to": None, "body": "Carol's"},
    ]
    with engine.begin() as connection:
        connection.execute(metadata.tables["people"].insert(), people)
        connection.execute(metadata.tables["posts"].insert(), posts)
        connection.execute(metadata.tables["likes"].insert(), [{"id": 1, "post_id": 2}])


@pytest.fixture
def engine(company_url: str) -> Iterator[Engine]:
    made = create_source_engine(company_url)
    yield made
    made.dispose()


def erase(engine: Engine, source: str, email: str) -> SourceErasure:
    decl = declare(source)
    plan = build_plan(decl, {"blog": reflect_schema(engine)}, {"email": email})
    before = execute_access(plan, {"blog": engine})
    done = erase_source(
        plan, "blog", engine, before.params["blog"], decl, today=TODAY, hash_key=b"k"
    )
    after = execute_access(plan, {"blog": engine}, given=recheck_given([done]))
    assert leftovers(after, [done]) == []
    return done


def rows(engine: Engine, name: str) -> dict[int, dict[str, Any]]:
    with engine.connect() as connection:
        found = connection.execute(sa.text(f"SELECT * FROM {name}")).mappings().all()
    return {r["id"]: dict(r) for r in found}


@pytest.mark.parametrize("on_delete", ON_DELETE)
def test_a_row_something_else_refers_to_is_anonymised_whatever_the_key_does(
    engine: Engine, on_delete: str
) -> None:
    create_blog(engine, on_delete)
    done = erase(engine, SOURCE, "jane@example.com")
    # Her chain of replies goes, leaves first; the post Bob answered and someone liked stays.
    posts = rows(engine, "posts")
    assert set(posts) == {2, 5, 6}
    assert posts[2] == {"id": 2, "person_id": 1, "reply_to": None, "body": None}
    assert posts[5]["reply_to"] == 2  # Bob's reply still points at it
    assert rows(engine, "likes") == {1: {"id": 1, "post_id": 2}}
    people = rows(engine, "people")
    assert people[1] == {"id": 1, "email": "x1", "name": None, "referred_by": None}
    assert people[2]["referred_by"] == 1  # Bob's row is not changed
    assert (done.table("posts").deleted, done.table("posts").anonymised) == (3, 1)
    assert done.table("posts").notes == (
        "1 row not deleted: rows of likes, posts refer to it; anonymised instead",
    )
    assert done.table("people").notes == (
        "1 row not deleted: rows of people, posts refer to it; anonymised instead",
    )


@pytest.mark.parametrize("on_delete", ["RESTRICT", "CASCADE"])
def test_a_person_nothing_refers_to_is_deleted(engine: Engine, on_delete: str) -> None:
    create_blog(engine, on_delete)
    done = erase(engine, SOURCE, "carol@example.com")
    assert set(rows(engine, "people")) == {1, 2}
    assert set(rows(engine, "posts")) == {1, 2, 3, 4, 5}
    assert (done.table("people").deleted, done.table("posts").deleted) == (1, 1)


def test_rows_that_refer_to_each_other_across_tables_are_anonymised(engine: Engine) -> None:
    metadata = sa.MetaData()
    accounts = sa.Table(
        "accounts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(100), nullable=False),
        sa.Column(
            "last_order_id",
            sa.Integer,
            sa.ForeignKey("orders.id", use_alter=True, name="fk_accounts_last_order"),
        ),
    )
    orders = sa.Table(
        "orders",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id")),
        sa.Column("note", sa.String(100)),
    )
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(accounts.insert(), [{"id": 1, "email": "jane@example.com"}])
        connection.execute(
            orders.insert(),
            [
                {"id": 10, "account_id": 1, "note": "teapot"},
                {"id": 11, "account_id": 1, "note": "cups"},
            ],
        )
        connection.execute(accounts.update().values(last_order_id=10))
    done = erase(engine, CYCLE_SOURCE, "jane@example.com")
    # Order 11 goes; Jane's row and her last order refer to each other: both anonymised.
    assert rows(engine, "orders") == {10: {"id": 10, "account_id": 1, "note": None}}
    assert rows(engine, "accounts")[1]["email"] == "x1"
    assert (done.table("orders").deleted, done.table("orders").anonymised) == (1, 1)
    assert done.table("accounts").anonymised == 1
