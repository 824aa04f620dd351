"""Which recipients are told of an erasure, rectification or restriction (GDPR Art. 19)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pledge.errors import PledgeError
from pledge.rights import get_request, timeline
from pledge.rights.recipients import NO_CHANNEL, NOTIFY_JOB, notices, plan_notices
from pledge.store import Store, open_store
from tests.rights.recipients_demo import ERASED, FILED, FOUND_IN, declaration, file, unfinished_jobs

Planned = list[tuple[str, str, str, int]]


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def plan(
    store: Store,
    ref: str,
    categories: tuple[str, ...] = ERASED,
    activities: tuple[str, ...] = FOUND_IN,
) -> Planned:
    with store.session(write=True) as session:
        planned = plan_notices(
            session,
            declaration(),
            get_request(session, ref),
            categories=categories,
            activities=activities,
            now=FILED,
        )
        return [(n.recipient, n.channel, n.state, n.attempts) for n in planned]


def recipient_notes(store: Store, ref: str) -> list[str | None]:
    with store.session() as session:
        return [event.note for event in timeline(session, ref) if event.kind == "recipient"]


def test_the_recipients_that_receive_the_data_are_told_and_the_others_named(
    store: Store,
) -> None:
    ref = file(store).id
    assert plan(store, ref) == [
        ("couriers", "webhook", "pending", 0),
        ("mailer", "email", "pending", 0),
        ("stripe", "webhook", "pending", 0),
    ]
    # plausible has a channel but receives none of the erased categories: not told.
    assert recipient_notes(store, ref) == [
        "to tell of the erasure (GDPR Art. 19): couriers (Royal Mail and DPD) by webhook,"
        " mailer (Brevo) by email, stripe (Stripe Payments Europe) by webhook;"
        f" {NO_CHANNEL}: accountants (Our chartered accountants),"
        " hmrc (HM Revenue & Customs)"
    ]
    assert [(kind, job_ref) for kind, job_ref, _ in unfinished_jobs(store)] == [(NOTIFY_JOB, ref)]
    with store.session() as session:
        assert [n.recipient for n in notices(session, ref.lower())] == [
            "couriers",
            "mailer",
            "stripe",
        ]


def test_planning_twice_adds_nothing(store: Store) -> None:
    ref = file(store).id
    first = plan(store, ref)
    assert plan(store, ref) == first
    assert len(recipient_notes(store, ref)) == 1
    assert len(unfinished_jobs(store)) == 1


def test_planning_more_recipients_later_adds_only_them(store: Store) -> None:
    ref = file(store).id
    plan(store, ref, categories=("contact.email",), activities=("newsletter",))
    planned = plan(store, ref, categories=("contact.phone",), activities=("orders",))
    assert planned == [("couriers", "webhook", "pending", 0)]
    with store.session() as session:
        assert [n.recipient for n in notices(session, ref)] == ["couriers", "mailer"]
    assert len(recipient_notes(store, ref)) == 2


def test_recipients_whose_categories_do_not_intersect_are_not_told(store: Store) -> None:
    ref = file(store).id
    # Stripe (orders) takes no phone number; Plausible (analytics) takes no phone number.
    planned = plan(store, ref, categories=("contact.phone",), activities=("orders", "analytics"))
    assert planned == [("couriers", "webhook", "pending", 0)]


def test_a_recipient_listing_no_categories_receives_everything(store: Store) -> None:
    ref = file(store).id
    plan(store, ref, categories=("financial.invoice",), activities=("accounting",))
    assert recipient_notes(store, ref) == [
        f"{NO_CHANNEL}: accountants (Our chartered accountants), hmrc (HM Revenue & Customs)"
    ]
    # Nobody to tell automatically: no job.
    assert unfinished_jobs(store) == []


def test_when_no_recipient_receives_the_data_the_timeline_says_so(store: Store) -> None:
    ref = file(store).id
    assert plan(store, ref, categories=("contact.email",), activities=("support",)) == []
    assert recipient_notes(store, ref) == [
        "no declared recipient receives the data concerned by the erasure: none to tell"
    ]


def test_a_rectification_and_a_restriction_are_told_in_their_own_word(store: Store) -> None:
    corrected = file(store, "rectification", details={"corrections": {"identity.name": "J"}})
    restricted = file(store, "restriction")
    plan(store, corrected.id, categories=("identity.name",), activities=("fraud",))
    plan(store, restricted.id, categories=("identity.name",), activities=("fraud",))
    assert recipient_notes(store, corrected.id) == [
        "to tell of the rectification (GDPR Art. 19): stripe (Stripe Payments Europe) by webhook"
    ]
    assert recipient_notes(store, restricted.id) == [
        "to tell of the restriction (GDPR Art. 19): stripe (Stripe Payments Europe) by webhook"
    ]


def test_an_access_request_tells_no_recipient(store: Store) -> None:
    ref = file(store, "access").id
    with pytest.raises(PledgeError, match="recipients are told only of an erasure"):
        plan(store, ref)


def test_an_activity_the_declaration_lacks_is_refused(store: Store) -> None:
    ref = file(store).id
    with pytest.raises(PledgeError, match="activity 'billing' is not in the declaration"):
        plan(store, ref, activities=("orders", "billing"))
