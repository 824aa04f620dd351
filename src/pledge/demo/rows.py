"""What every part of the generator shares: the batch rows gather in, ids, the clock.

Ids are given here, not by the database, so that the same seed gives the same rows, keys
included, on every engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from pledge.demo import schema
from pledge.demo.dice import Dice

Row = dict[str, Any]
DAY = 86_400

# Parents before children, so that every foreign key finds its row already written.
TABLE_ORDER: tuple[sa.Table, ...] = (
    schema.customers,
    schema.addresses,
    schema.customer_addresses,
    schema.orders,
    schema.order_lines,
    schema.payments,
    schema.invoices,
    schema.support_tickets,
    schema.call_records,
    schema.web_sessions,
    schema.newsletter_contacts,
    schema.contacts,
    schema.interactions,
)


class Batch:
    """The rows of one chunk, per table, in the order they must be inserted."""

    def __init__(self) -> None:
        self.rows: dict[sa.Table, list[Row]] = {table: [] for table in TABLE_ORDER}

    def add(self, table: sa.Table, row: Row) -> None:
        self.rows[table].append(row)

    def __iter__(self) -> Iterator[tuple[sa.Table, list[Row]]]:
        return ((table, rows) for table, rows in self.rows.items() if rows)


class Ids:
    """The next id of each table with a surrogate key, carried from chunk to chunk."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, table: sa.Table) -> int:
        value = self._next.get(table.name, 1)
        self._next[table.name] = value + 1
        return value

    def peek(self, table: sa.Table) -> int:
        return self._next.get(table.name, 1)


@dataclass
class Person:
    """A generated customer, as the rows hanging on them need to know them."""

    id: int
    name: str
    email: str
    phone: str | None
    country: str
    since: datetime
    last_seen: datetime
    addresses: list[tuple[int, str]] = field(default_factory=list)  # (id, on one line)
    partner: int | None = None
    orders: list[int] = field(default_factory=list)
    products: list[str] = field(default_factory=list)


class Drawing:
    """The seeded dice, the ids handed out so far, and the day the data runs up to."""

    def __init__(self, seed: int, as_of: datetime) -> None:
        self.rng = Dice(seed)
        self.ids = Ids()
        self.as_of = seconds(as_of)

    def between(self, start: datetime, end: datetime) -> datetime:
        span = int((end - start).total_seconds())
        return start + timedelta(seconds=self.rng.between(0, max(span, 0)))

    def days_before(self, moment: datetime, least: int, most: int) -> datetime:
        return moment - timedelta(seconds=self.rng.between(least * DAY, most * DAY))


def seconds(moment: datetime) -> datetime:
    # MariaDB's DATETIME keeps whole seconds; trimming here keeps every engine identical.
    return moment.replace(microsecond=0)


def address_text(line1: str, line2: str | None, postcode: str, city: str, country: str) -> str:
    """An address on one line, as an invoice prints it."""
    return ", ".join(part for part in (line1, line2, f"{postcode} {city}", country) if part)
