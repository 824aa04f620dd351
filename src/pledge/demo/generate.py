"""Maple & Finch's customers and everything they leave behind, drawn from one seed.

`DemoGenerator(seed, as_of).batches(scale)` yields the rows of `chunk` customers at a time,
so that a million customers never sit in memory at once. The same seed, scale and `as_of`
give the same rows, ids included, on every engine. On average a customer has about three
orders of two lines, a payment and an invoice per order, some support tickets, calls and web
sessions; 70% read the newsletter and 60% are in the CRM. About one in ten shares a home
with the customer before (a couple: one address row, two owners), and some orders are paid
by another customer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from pledge.demo import schema
from pledge.demo.dice import Weighted
from pledge.demo.footprint import Footprint
from pledge.demo.names import (
    CARD_BRANDS,
    COUNTRIES,
    CULTURE_BY_NAME,
    CULTURES,
    EMAIL_DOMAINS,
    PRODUCTS,
    Culture,
)
from pledge.demo.people import add_jane_and_john
from pledge.demo.rows import Batch, Person, address_text
from pledge.demo.spelling import email_letters, gendered, phone_number

CHUNK = 2_000  # customers per batch: about 55,000 rows, under 20 MB

# Named customers right after Jane and John, so the docs can point at them.
FEATURED: tuple[tuple[str, str, str, str, bool], ...] = (
    # culture, given name, surname, country, female
    ("german", "Zoë", "Müller", "DE", True),
    ("polish", "Łukasz", "Wiśniewski", "PL", False),
    ("french", "Renée", "Faure", "FR", True),
    ("chinese", "雷", "李", "GB", False),
    ("spanish", "José", "Álvarez", "ES", False),
)
FIXED_PEOPLE = 2 + len(FEATURED)

ORDERS_PER_CUSTOMER = Weighted((0, 8), (1, 14), (2, 18), (3, 20), (4, 16), (5, 14), (6, 10))
LATER_STATUS = Weighted(("delivered", 90), ("returned", 5), ("cancelled", 5))
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class _Home:
    """A customer living alone so far: the next customer may move in with them."""

    customer_id: int
    address_id: int
    text: str
    culture: Culture
    surname: str
    country: str


class DemoGenerator(Footprint):
    def __init__(self, seed: int, as_of: datetime) -> None:
        super().__init__(seed, as_of)
        self._single: _Home | None = None

    def batches(self, scale: int, chunk: int = CHUNK) -> Iterator[Batch]:
        """The rows of customers 1..scale, `chunk` customers per batch."""
        for first in range(1, scale + 1, chunk):
            batch = Batch()
            for customer_id in range(first, min(first + chunk, scale + 1)):
                self._person(batch, customer_id)
            yield batch

    def _person(self, batch: Batch, customer_id: int) -> None:
        if customer_id == 1:
            add_jane_and_john(batch, self.ids, self.as_of)
        if customer_id <= 2:
            return
        featured = FEATURED[customer_id - 3] if customer_id < FIXED_PEOPLE + 1 else None
        person = self._customer(batch, customer_id, featured)
        self._orders(batch, person)
        self.tickets_and_calls(batch, person)
        self.visits(batch, person)
        self.newsletter(batch, person)
        self.crm(batch, person)

    # -- the customer, their name and their addresses -----------------------------------------

    def _customer(
        self, batch: Batch, customer_id: int, featured: tuple[str, str, str, str, bool] | None
    ) -> Person:
        rng = self.rng
        home = self._single
        couple = featured is None and home is not None and rng.random() < 0.12
        if featured is not None:
            culture_name, given, surname, country, female = featured
            culture = CULTURE_BY_NAME[culture_name]
        elif couple and home is not None:
            culture, country = home.culture, home.country
            female = rng.random() < 0.5
            given = rng.pick(culture.female if female else culture.male)
            surname = home.surname if rng.random() < 0.6 else rng.pick(culture.surnames)
        else:
            culture = rng.weighted(CULTURES)
            country = rng.weighted(culture.countries)
            female = rng.random() < 0.5
            given = rng.pick(culture.female if female else culture.male)
            surname = rng.pick(culture.surnames)
        shown_surname = gendered(surname, female)
        if culture.family_first:
            name = f"{shown_surname}{given}"
        elif culture.second_surname and rng.random() < 0.5:
            name = f"{given} {shown_surname} {rng.pick(culture.surnames)}"
        else:
            name = f"{given} {shown_surname}"
        since = self.days_before(self.as_of, 30, 6 * 365)
        last_seen = self.between(since, self.as_of)
        person = Person(
            id=customer_id,
            name=name,
            email=self._email(culture, given, shown_surname, customer_id),
            phone=phone_number(country, customer_id) if rng.random() < 0.8 else None,
            country=country,
            since=since,
            last_seen=last_seen,
            partner=home.customer_id if couple and home is not None else None,
        )
        born = None
        if rng.random() < 0.85:
            born = self.as_of.date() - timedelta(days=rng.below(18 * 365, 85 * 365))
        batch.add(
            schema.customers,
            {
                "id": customer_id,
                "email": person.email,
                "full_name": name,
                "phone": person.phone,
                "birth_date": born,
                "created_at": since,
                "last_seen_at": last_seen,
                "closed_at": self.between(last_seen, self.as_of) if rng.random() < 0.04 else None,
                "referred_by": rng.below(1, customer_id) if rng.random() < 0.08 else None,
            },
        )
        if couple and home is not None:
            self._single = None
            batch.add(
                schema.customer_addresses,
                {"customer_id": customer_id, "address_id": home.address_id, "kind": "home"},
            )
            person.addresses.append((home.address_id, home.text))
        else:
            address_id, text = self._address(batch, person, "home")
            self._single = _Home(customer_id, address_id, text, culture, surname, country)
        if rng.random() < 0.25:
            self._address(batch, person, rng.pick(("work", "delivery")))
        return person

    def _email(self, culture: Culture, given: str, surname: str, customer_id: int) -> str:
        first, last = email_letters(culture, given), email_letters(culture, surname)
        shape = self.rng.below(3)
        if shape == 0:
            local = f"{first}.{last}.{customer_id}"
        elif shape == 1:
            local = f"{first[:1]}{last}{customer_id}"
        else:
            local = f"{last}.{first}{customer_id}"
        return f"{local}@{self.rng.pick(EMAIL_DOMAINS)}"

    def _address(self, batch: Batch, person: Person, kind: str) -> tuple[int, str]:
        rng = self.rng
        country = COUNTRIES[person.country]
        street, number = rng.pick(country.streets), rng.between(1, 180)
        line1 = f"{number} {street}" if country.number_first else f"{street} {number}"
        line2 = rng.pick(country.flats) if rng.random() < 0.3 else None
        city = rng.pick(country.cities)
        postcode = "".join(
            str(rng.below(10)) if c == "#" else rng.pick(POSTCODE_LETTERS) if c == "@" else c
            for c in city.postcode
        )
        address_id = self.ids.take(schema.addresses)
        batch.add(
            schema.addresses,
            {
                "id": address_id,
                "line1": line1,
                "line2": line2,
                "city": city.name,
                "postcode": postcode,
                "country": country.code,
            },
        )
        batch.add(
            schema.customer_addresses,
            {"customer_id": person.id, "address_id": address_id, "kind": kind},
        )
        text = address_text(line1, line2, postcode, city.name, country.code)
        person.addresses.append((address_id, text))
        return address_id, text

    # -- orders, with their lines, payment and invoice ----------------------------------------

    def _orders(self, batch: Batch, person: Person) -> None:
        rng = self.rng
        count = rng.weighted(ORDERS_PER_CUSTOMER)
        card = (f"{rng.below(10_000):04d}", rng.weighted(CARD_BRANDS))
        placed_times = sorted(self.between(person.since, person.last_seen) for _ in range(count))
        for placed in placed_times:
            order_id = self.ids.take(schema.orders)
            person.orders.append(order_id)
            address_id, billed_to = rng.pick(person.addresses)
            batch.add(
                schema.orders,
                {
                    "id": order_id,
                    "customer_id": person.id,
                    "address_id": address_id,
                    "placed_at": placed,
                    "status": self._status(placed),
                },
            )
            total = Decimal("0.00")
            for line_no in range(1, rng.between(1, 3) + 1):
                product, price = rng.pick(PRODUCTS)
                quantity = 1 if rng.random() < 0.75 else rng.between(2, 5)
                batch.add(
                    schema.order_lines,
                    {
                        "order_id": order_id,
                        "line_no": line_no,
                        "product": product,
                        "quantity": quantity,
                        "unit_price": price,
                    },
                )
                total += price * quantity
                person.products.append(product)
            payer, paid_with = person.id, card
            roll = rng.random()
            if person.partner is not None and roll < 0.2:
                payer, paid_with = person.partner, self._card()
            elif roll > 0.98 and person.id > 1:
                payer, paid_with = rng.below(1, person.id), self._card()
            batch.add(
                schema.payments,
                {
                    "id": self.ids.take(schema.payments),
                    "order_id": order_id,
                    "card_last4": paid_with[0],
                    "card_brand": paid_with[1],
                    "amount": total,
                    "paid_at": placed + timedelta(seconds=rng.between(30, 600)),
                    "payer_customer_id": payer,
                },
            )
            batch.add(
                schema.invoices,
                {
                    "id": self.ids.take(schema.invoices),
                    "order_id": order_id,
                    "customer_id": person.id,
                    "billed_name": person.name,
                    "billed_address": billed_to,
                    "amount": total,
                    "issued_at": placed + timedelta(hours=1),
                },
            )

    def _status(self, placed: datetime) -> str:
        age = (self.as_of - placed).days
        if age < 3:
            return "placed"
        if age < 10:
            return "shipped"
        return self.rng.weighted(LATER_STATUS)

    def _card(self) -> tuple[str, str]:
        return f"{self.rng.below(10_000):04d}", self.rng.weighted(CARD_BRANDS)
