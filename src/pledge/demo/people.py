"""The demo's documented people, the same whatever the seed and scale.

Jane Doe (jane.doe@example.com) is the person the README asks a new user to request data
for. Her rows show every case a request must handle: a home address she shares with her
partner John Doe (john.doe@example.com), an order John paid for, invoices under a legal
hold, an open and a resolved support ticket, calls (one recorded), web sessions (one before
she logged in, from the IP address she shares with John), a newsletter subscription and a
contact in the CRM, which knows her only by her email address.

Dates are counted back from the day the data runs up to (`as_of`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from pledge.demo import schema
from pledge.demo.names import USER_AGENTS
from pledge.demo.rows import Batch, Ids, address_text, seconds

JANE_EMAIL = "jane.doe@example.com"
JOHN_EMAIL = "john.doe@example.com"
JANE_PHONE = "+44 7700 900123"
JOHN_PHONE = "+44 7700 900456"
HOME_IP = "203.0.113.24"

# line1, line2, postcode, city, country
HOME = ("27 Clifton Park Road", None, "BS8 3HY", "Bristol", "GB")
OFFICE = ("Temple Quay House", "2 The Square", "BS1 6DG", "Bristol", "GB")


@dataclass(frozen=True)
class _Ago:
    """A moment `days` before the day the data runs up to, at a given time of day."""

    as_of: datetime

    def __call__(self, days: int, at: str = "12:00") -> datetime:
        day = (self.as_of - timedelta(days=days)).date()
        return seconds(datetime.combine(day, time.fromisoformat(at)))


@dataclass
class _Rows:
    batch: Batch
    ids: Ids

    def add(self, table: sa.Table, **values: Any) -> int:
        """Add a row; a table with an `id` key gets the next one, which is returned."""
        if "id" not in table.c:
            self.batch.add(table, values)
            return 0
        row_id = self.ids.take(table)
        self.batch.add(table, {"id": row_id, **values})
        return row_id


def add_jane_and_john(batch: Batch, ids: Ids, as_of: datetime) -> None:
    """Jane (customer 1) and John (customer 2), with everything they own."""
    rows, ago = _Rows(batch, ids), _Ago(as_of)
    customer = schema.customers
    jane = rows.add(
        customer,
        email=JANE_EMAIL,
        full_name="Jane Doe",
        phone=JANE_PHONE,
        birth_date=date(1988, 4, 12),
        created_at=ago(1460, "10:12"),
        last_seen_at=ago(3, "19:40"),
        closed_at=None,
        referred_by=None,
    )
    john = rows.add(
        customer,
        email=JOHN_EMAIL,
        full_name="John Doe",
        phone=JOHN_PHONE,
        birth_date=date(1986, 9, 30),
        created_at=ago(1400, "21:03"),
        last_seen_at=ago(20, "08:15"),
        closed_at=None,
        referred_by=jane,
    )
    places = {}
    for place in (HOME, OFFICE):
        line1, line2, postcode, city, country = place
        places[place] = rows.add(
            schema.addresses,
            line1=line1,
            line2=line2,
            city=city,
            postcode=postcode,
            country=country,
        )
    for owner, place, kind in ((jane, HOME, "home"), (jane, OFFICE, "work"), (john, HOME, "home")):
        rows.add(schema.customer_addresses, customer_id=owner, address_id=places[place], kind=kind)

    jane_card, john_card = ("4242", "visa"), ("5454", "mastercard")
    orders = [
        _order(
            rows,
            jane,
            "Jane Doe",
            places[HOME],
            HOME,
            ago(400, "20:15"),
            "delivered",
            [("Photo book A4, 40 pages", 1, "34.99"), ("Greeting cards, pack of 10", 2, "12.00")],
            jane,
            jane_card,
        ),
        # John paid for this one: the payment belongs to both of them.
        _order(
            rows,
            jane,
            "Jane Doe",
            places[OFFICE],
            OFFICE,
            ago(120, "12:30"),
            "delivered",
            [("Poster 50×70 cm", 2, "14.50")],
            john,
            john_card,
        ),
        _order(
            rows,
            jane,
            "Jane Doe",
            places[HOME],
            HOME,
            ago(5, "08:05"),
            "shipped",
            [("Canvas print 40×60 cm", 1, "49.00")],
            jane,
            jane_card,
        ),
        _order(
            rows,
            john,
            "John Doe",
            places[HOME],
            HOME,
            ago(200, "18:45"),
            "delivered",
            [("Wall calendar – 12 months", 1, "17.95")],
            john,
            john_card,
        ),
    ]
    _support(rows, ago, jane, orders)
    sessions = (
        (None, HOME_IP, USER_AGENTS[1], ago(401, "22:10")),  # browsing before she signed in
        (jane, HOME_IP, USER_AGENTS[1], ago(400, "20:05")),
        (jane, "2001:db8:4f2a::17", USER_AGENTS[2], ago(120, "12:20")),
        (jane, HOME_IP, USER_AGENTS[1], ago(3, "19:35")),
        (john, HOME_IP, USER_AGENTS[0], ago(20, "08:10")),
    )
    for visitor, ip, agent, started in sessions:
        rows.add(
            schema.web_sessions, customer_id=visitor, ip=ip, user_agent=agent, started_at=started
        )
    for email, subscribed, unsubscribed in (
        (JANE_EMAIL, ago(1400), None),
        (JOHN_EMAIL, ago(1300), ago(300)),
    ):
        rows.add(
            schema.newsletter_contacts,
            email=email,
            subscribed_at=subscribed,
            unsubscribed_at=unsubscribed,
        )
    contact = rows.add(
        schema.contacts,
        email=JANE_EMAIL,
        company="Clifton Camera Club",
        notes="Orders the club's photo book every autumn; prefers matte paper. "
        "Call her at the office in the morning.",
        last_contacted_at=ago(30, "10:00"),
    )
    for kind, happened, summary in (
        ("email", ago(90, "15:20"), "Sent Jane a quote for 40 photo books for the exhibition."),
        ("call", ago(30, "10:00"), "Jane confirmed the exhibition order; delivery in October."),
    ):
        rows.add(
            schema.interactions,
            contact_id=contact,
            kind=kind,
            happened_at=happened,
            summary=summary,
        )


def _order(
    rows: _Rows,
    customer_id: int,
    name: str,
    address_id: int,
    place: tuple[str, str | None, str, str, str],
    placed: datetime,
    status: str,
    lines: list[tuple[str, int, str]],
    payer: int,
    card: tuple[str, str],
) -> int:
    """An order with its lines, its payment (by `payer`) and its invoice."""
    order_id = rows.add(
        schema.orders,
        customer_id=customer_id,
        address_id=address_id,
        placed_at=placed,
        status=status,
    )
    total = Decimal("0.00")
    for line_no, (product, quantity, price) in enumerate(lines, start=1):
        rows.add(
            schema.order_lines,
            order_id=order_id,
            line_no=line_no,
            product=product,
            quantity=quantity,
            unit_price=Decimal(price),
        )
        total += Decimal(price) * quantity
    rows.add(
        schema.payments,
        order_id=order_id,
        card_last4=card[0],
        card_brand=card[1],
        amount=total,
        paid_at=placed + timedelta(minutes=2),
        payer_customer_id=payer,
    )
    rows.add(
        schema.invoices,
        order_id=order_id,
        customer_id=customer_id,
        billed_name=name,
        billed_address=address_text(*place),
        amount=total,
        issued_at=placed + timedelta(hours=1),
    )
    return order_id


def _support(rows: _Rows, ago: _Ago, jane: int, orders: list[int]) -> None:
    tickets = (
        (
            "Photo book cover arrived torn",
            f"Hello, the photo book from order #{orders[0]} arrived with a torn cover. "
            "Could you reprint it? Jane Doe",
            ago(390, "09:30"),
            ago(386, "16:00"),
        ),
        (
            f"Change the delivery address for order #{orders[2]}",
            "Please send it to my office instead: Temple Quay House, 2 The Square, Bristol "
            "BS1 6DG. Thanks, Jane",
            ago(4, "07:50"),
            None,
        ),
    )
    for subject, body, opened, resolved in tickets:
        rows.add(
            schema.support_tickets,
            customer_id=jane,
            subject=subject,
            body=body,
            opened_at=opened,
            resolved_at=resolved,
        )
    calls = (
        (
            JANE_PHONE,
            ago(389, "11:00"),
            240,
            "https://calls.maplefinch.example/recordings/5f1c0a9e7b2d4e31.mp3",
        ),
        ("+44 117 496 0372", ago(4, "08:10"), 95, None),  # from her office line
    )
    for number, started, duration, recording in calls:
        rows.add(
            schema.call_records,
            customer_id=jane,
            phone_number=number,
            started_at=started,
            duration_s=duration,
            recording_url=recording,
        )
