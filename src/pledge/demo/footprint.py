"""What a customer leaves behind besides orders: tickets, calls, visits, the newsletter, the CRM.

Each draw is made in a fixed order from the generator's dice, so a seed fixes all of it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pledge.demo import schema
from pledge.demo.dice import Weighted
from pledge.demo.names import (
    COMPANIES,
    CRM_NOTES,
    CULTURES,
    EMAIL_DOMAINS,
    INTERACTIONS,
    PRODUCTS,
    TICKETS,
    USER_AGENTS,
)
from pledge.demo.rows import DAY, Batch, Drawing, Person
from pledge.demo.spelling import email_letters, phone_number

TICKETS_PER_CUSTOMER = Weighted((0, 65), (1, 25), (2, 10))
CALLS_PER_CUSTOMER = Weighted((0, 75), (1, 20), (2, 5))
IPV4_FIRST_BYTES = (24, 73, 81, 86, 90, 92, 109, 176, 185, 212, 217)


class Footprint(Drawing):
    def tickets_and_calls(self, batch: Batch, person: Person) -> None:
        rng = self.rng
        orders, products = person.orders, person.products
        for _ in range(rng.weighted(TICKETS_PER_CUSTOMER)):
            subject, body = rng.pick(TICKETS if orders else TICKETS[-1:])
            opened = self.between(person.since, person.last_seen)
            resolved = None
            if (self.as_of - opened).days > 7 or rng.random() < 0.5:
                resolved = min(self.as_of, opened + timedelta(seconds=rng.below(600, 9 * DAY)))
            product = rng.pick(products or ["order"])
            batch.add(
                schema.support_tickets,
                {
                    "id": self.ids.take(schema.support_tickets),
                    "customer_id": person.id,
                    "subject": subject,
                    "body": body.format(
                        name=person.name,
                        order=rng.pick(orders or [0]),
                        product=product[:1].lower() + product[1:],
                    ),
                    "opened_at": opened,
                    "resolved_at": resolved,
                },
            )
        for _ in range(rng.weighted(CALLS_PER_CUSTOMER)):
            number = person.phone if person.phone and rng.random() < 0.7 else None
            if number is None and rng.random() < 0.9:  # else the caller withheld it
                number = phone_number(person.country, rng.below(10**7))
            self._call(batch, person.id, number, self.between(person.since, person.last_seen))
        if rng.random() < 0.05:  # a caller the agent could not match to an account
            number = phone_number(person.country, rng.below(10**7))
            self._call(batch, None, number, self.days_before(self.as_of, 0, 365))

    def _call(
        self, batch: Batch, customer_id: int | None, number: str | None, started: datetime
    ) -> None:
        rng = self.rng
        recording = None
        if rng.random() < 0.6:
            recording = (
                f"https://calls.maplefinch.example/recordings/{rng.getrandbits(64):016x}.mp3"
            )
        batch.add(
            schema.call_records,
            {
                "id": self.ids.take(schema.call_records),
                "customer_id": customer_id,
                "phone_number": number,
                "started_at": started,
                "duration_s": rng.between(20, 1_500),
                "recording_url": recording,
            },
        )

    def visits(self, batch: Batch, person: Person) -> None:
        rng = self.rng
        home_ip, agent = self._ip(), rng.pick(USER_AGENTS)
        for _ in range(rng.between(0, 8)):
            batch.add(
                schema.web_sessions,
                {
                    "id": self.ids.take(schema.web_sessions),
                    "customer_id": person.id,
                    "ip": home_ip if rng.random() < 0.7 else self._ip(),
                    "user_agent": agent if rng.random() < 0.8 else rng.pick(USER_AGENTS),
                    "started_at": self.between(person.since, person.last_seen),
                },
            )
        for _ in range(rng.between(0, 2)):  # visitors who never signed in
            batch.add(
                schema.web_sessions,
                {
                    "id": self.ids.take(schema.web_sessions),
                    "customer_id": None,
                    "ip": self._ip(),
                    "user_agent": rng.pick(USER_AGENTS),
                    "started_at": self.days_before(self.as_of, 0, 395),
                },
            )

    def _ip(self) -> str:
        rng = self.rng
        if rng.random() < 0.2:  # IPv6 from the documentation prefix, 2001:db8::/32
            groups = (rng.getrandbits(16), rng.getrandbits(16), rng.getrandbits(16))
            return "2001:db8:{:x}:{:x}::{:x}".format(*groups)
        first = rng.pick(IPV4_FIRST_BYTES)
        return f"{first}.{rng.below(256)}.{rng.below(256)}.{rng.below(1, 255)}"

    def newsletter(self, batch: Batch, person: Person) -> None:
        rng = self.rng
        if rng.random() < 0.7:
            since = self.between(person.since, person.last_seen)
            self._subscriber(batch, person.email, since, leaves=0.25)
        if rng.random() < 0.1:  # a reader who never bought anything
            given, surname = self._stranger()
            number = self.ids.peek(schema.newsletter_contacts)
            email = f"{given}{surname[:1]}.{number}@{rng.pick(EMAIL_DOMAINS)}"
            self._subscriber(batch, email, self.days_before(self.as_of, 0, 5 * 365), leaves=0.3)

    def _subscriber(self, batch: Batch, email: str, since: datetime, leaves: float) -> None:
        left = self.between(since, self.as_of) if self.rng.random() < leaves else None
        batch.add(
            schema.newsletter_contacts,
            {
                "id": self.ids.take(schema.newsletter_contacts),
                "email": email,
                "subscribed_at": since,
                "unsubscribed_at": left,
            },
        )

    def crm(self, batch: Batch, person: Person) -> None:
        rng = self.rng
        if rng.random() < 0.6:
            self._crm_contact(batch, person.email, person.since)
        if rng.random() < 0.04:  # a lead from a trade fair, not (yet) a customer
            given, surname = self._stranger()
            number = self.ids.peek(schema.contacts)
            email = f"{given}.{surname}.lead{number}@{rng.pick(EMAIL_DOMAINS)}"
            self._crm_contact(batch, email, self.days_before(self.as_of, 0, 3 * 365))

    def _stranger(self) -> tuple[str, str]:
        """The email letters of someone who is not a customer."""
        culture = self.rng.weighted(CULTURES)
        given = self.rng.pick(culture.female + culture.male)
        return email_letters(culture, given), email_letters(
            culture, self.rng.pick(culture.surnames)
        )

    def _crm_contact(self, batch: Batch, email: str, since: datetime) -> None:
        rng = self.rng
        contact_id = self.ids.take(schema.contacts)
        company = rng.pick(COMPANIES) if rng.random() < 0.35 else None
        product = rng.pick(PRODUCTS)[0].lower()
        notes = None
        if rng.random() < 0.5:
            notes = rng.pick(CRM_NOTES).format(company=company or "their club", product=product)
        times = sorted(self.between(since, self.as_of) for _ in range(rng.between(0, 4)))
        batch.add(
            schema.contacts,
            {
                "id": contact_id,
                "email": email,
                "company": company,
                "notes": notes,
                "last_contacted_at": times[-1] if times else None,
            },
        )
        for happened in times:
            kind, summary = rng.pick(INTERACTIONS)
            batch.add(
                schema.interactions,
                {
                    "id": self.ids.take(schema.interactions),
                    "contact_id": contact_id,
                    "kind": kind,
                    "happened_at": happened,
                    "summary": summary.format(product=product),
                },
            )
