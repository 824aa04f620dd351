"""The journal of what must stay gone: keys sealed per table, opened with their types, and
nothing in the store a person could read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import cast
from uuid import UUID

import pytest
import sqlalchemy as sa

from pledge.errors import PledgeError
from pledge.retention.journal import (
    Action,
    Place,
    count_entries,
    journal_batch,
    journal_entries,
    journaled_places,
    open_keys,
)
from pledge.services import Keys
from pledge.store import Store, open_store
from pledge.store.tables import GoneRowsRow
from tests.store.postgres import postgres_url, store_url

__all__ = ["postgres_url", "store_url"]

NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
KEYS = Keys.derive(b"a test secret, long enough to derive keys")
EMAIL = "jane.doe@example.com"
TYPED = [
    (7, dt.date(2026, 1, 31), Decimal("12.50"), UUID("12345678-1234-5678-1234-567812345678")),
    (8, dt.date(2025, 12, 1), Decimal("0.01"), UUID("87654321-4321-8765-4321-876543218765")),
]


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def write(
    store: Store,
    table: str,
    action: str,
    keys: Sequence[tuple[object, ...]],
    *,
    source: str = "shop",
    cause: str = "sweep:1",
    now: dt.datetime = NOW,
) -> int:
    with store.session(write=True) as session:
        entry = journal_batch(
            session,
            source=source,
            table=table,
            action=cast(Action, action),  # a wrong one is tested below
            cause=cause,
            keys=keys,
            key=KEYS.package,
            now=now,
        )
        session.flush()
        return entry.id


def test_keys_come_back_with_their_types(store: Store) -> None:
    write(store, "visits", "deleted", TYPED, cause="request:PLG-7KQ2-M9XD")
    with store.session() as session:
        (entry,) = journal_entries(session)
        assert (entry.source, entry.table_name, entry.action, entry.cause, entry.count) == (
            "shop",
            "visits",
            "deleted",
            "request:PLG-7KQ2-M9XD",
            2,
        )
        assert entry.recorded_at == NOW
        assert open_keys(entry, KEYS.package) == TYPED


def test_the_journal_holds_no_readable_personal_data(store: Store) -> None:
    write(store, "newsletter_contacts", "deleted", [(EMAIL,), ("Jane Doe",)])
    with store.engine.connect() as connection:
        raw = connection.execute(sa.text("SELECT keys FROM gone_rows")).scalar_one()
    raw = bytes(raw)
    for word in (EMAIL, "jane", "Jane Doe", "example.com"):
        assert word.encode() not in raw
        assert word.encode("utf-16-le") not in raw
    with store.session() as session:
        (entry,) = journal_entries(session)
        assert open_keys(entry, KEYS.package) == [(EMAIL,), ("Jane Doe",)]


def test_an_entry_opens_only_for_its_table_and_under_its_key(store: Store) -> None:
    first = write(store, "customers", "anonymised", [(1,)])
    second = write(store, "orders", "deleted", [(2,)])
    with store.session(write=True) as session:
        # The blob of one table, copied to another's entry, does not open there.
        blob = session.get_one(GoneRowsRow, first).keys
        session.get_one(GoneRowsRow, second).keys = blob
    with store.session() as session:
        moved = session.get_one(GoneRowsRow, second)
        with pytest.raises(PledgeError, match=r"journal entry \d+ \(shop.orders\) cannot be"):
            open_keys(moved, KEYS.package)
        own = session.get_one(GoneRowsRow, first)
        other = Keys.derive(b"another secret, long enough to derive keys")
        with pytest.raises(PledgeError, match="sealed under another secret"):
            open_keys(own, other.package)
        assert open_keys(own, KEYS.package) == [(1,)]


def test_entries_are_read_oldest_first_by_place_and_time(store: Store) -> None:
    later = NOW + dt.timedelta(days=1)
    write(store, "orders", "deleted", [(1,)])
    write(store, "customers", "anonymised", [(1,)])
    write(store, "contacts", "deleted", [(3,)], source="crm", now=later)
    write(store, "orders", "deleted", [(2,)], now=later)
    with store.session() as session:
        orders = [open_keys(e, KEYS.package) for e in journal_entries(session, table="orders")]
        assert orders == [[(1,)], [(2,)]]
        crm = list(journal_entries(session, source="crm"))
        assert [e.table_name for e in crm] == ["contacts"]
        assert [e.table_name for e in journal_entries(session, since=later)] == [
            "contacts",
            "orders",
        ]
        assert journaled_places(session) == [
            Place("shop", "orders", "deleted"),
            Place("shop", "customers", "anonymised"),
            Place("crm", "contacts", "deleted"),
        ]
        assert journaled_places(session, since=later) == [
            Place("crm", "contacts", "deleted"),
            Place("shop", "orders", "deleted"),
        ]
        assert (count_entries(session), count_entries(session, since=later)) == (4, 2)


@pytest.mark.parametrize(
    ("action", "cause"),
    [("shredded", "sweep:1"), ("deleted", "by hand"), ("deleted", "request:" + "X" * 60)],
)
def test_an_entry_says_what_was_done_and_why(store: Store, action: str, cause: str) -> None:
    with pytest.raises(ValueError, match="a journal"):
        write(store, "orders", action, [(1,)], cause=cause)
    with store.session() as session:
        assert list(journal_entries(session)) == []


def test_an_entry_in_part_names_the_columns_erased_and_only_it_does(store: Store) -> None:
    with store.session(write=True) as session:
        entry = journal_batch(
            session, source="shop", table="payments", action="part_anonymised",
            cause="request:PLG-7KQ2-M9XD", keys=[(1,), (3,)], key=KEYS.package, now=NOW,
            columns=["card_last4"],
        )  # fmt: skip
        session.flush()
        written = entry.id
    with store.session() as session:
        (found,) = journal_entries(session, action="part_anonymised")
        assert (found.id, found.columns, found.count) == (written, ["card_last4"], 2)
        assert journaled_places(session) == [Place("shop", "payments", "part_anonymised")]
    for action, columns in (("part_anonymised", []), ("anonymised", ["card_last4"])):
        with store.session(write=True) as session, pytest.raises(ValueError, match="columns"):
            journal_batch(
                session, source="shop", table="payments", action=cast(Action, action),
                cause="sweep:1", keys=[(1,)], key=KEYS.package, now=NOW, columns=columns,
            )  # fmt: skip
