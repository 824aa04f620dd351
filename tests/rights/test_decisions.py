"""Standing decisions in the store (SQLite and PostgreSQL): what they cover, what they answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from pledge.declaration.model import Declaration, Recipient
from pledge.errors import PledgeError
from pledge.rights import create_request, timeline
from pledge.rights.decisions import (
    lift_restriction,
    may_use,
    record_decisions,
    release_restriction,
    restricted_keys,
    standing,
)
from pledge.rights.decisions_scope import (
    absolute_objections,
    activities_for,
    objection_needs_review,
    selling_recipients,
)
from pledge.sources.access import AccessResult, execute_access
from pledge.sources.connect import create_source_engine
from pledge.sources.plan import build_plan
from pledge.sources.schema import reflect_schema
from pledge.store import Store, open_store
from pledge.store.tables import RequestRow, RestrictedRowRow, SubjectDecisionRow
from tests.rights.demo import at, demo
from tests.sources.plan_schema import JANE_EMAIL, SHOP_SOURCE, create_shop, load_sources

NOW = at(2026, 3, 2)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Engine]:
    engine = create_source_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    create_shop(engine)
    yield engine
    engine.dispose()


def file(
    store: Store,
    type: str,
    *,
    jurisdiction: str = "uk",
    activities: list[str] | None = None,
    email: str = "Jane@Example.com ",
    declaration: Declaration | None = None,
) -> str:
    details: dict[str, object] = {} if activities is None else {"activities": activities}
    with store.session(write=True) as session:
        row = create_request(
            session,
            declaration or demo(),
            type=type,
            email=email,
            jurisdiction=jurisdiction,
            details=details,
            now=NOW,
        )
        return row.id


def decide(
    store: Store,
    ref: str,
    *,
    declaration: Declaration | None = None,
    access: AccessResult | None = None,
    now: dt.datetime = NOW,
) -> list[SubjectDecisionRow]:
    with store.session(write=True) as session:
        request = session.get_one(RequestRow, ref)
        return record_decisions(session, declaration or demo(), request, access=access, now=now)


def decisions_in_store(store: Store) -> list[tuple[str, str | None, str, str]]:
    with store.session() as session:
        rows = session.scalars(select(SubjectDecisionRow).order_by(SubjectDecisionRow.id))
        return [(r.kind, r.activity, r.identity_kind, r.identity_value) for r in rows]


def with_shared_recipient() -> Declaration:
    """The demo, with an ad network analytics shares data with (a CCPA 'share')."""
    base = demo()
    ads = Recipient(name="AdNet", kind="third_party", share=True)
    analytics = base.activities["analytics"].model_copy(
        update={"recipients": [*base.activities["analytics"].recipients, "adnet"]}
    )
    return base.model_copy(
        update={
            "recipients": {**base.recipients, "adnet": ads},
            "activities": {**base.activities, "analytics": analytics},
        }
    )


# --- what a decision covers (the declaration alone) ------------------------------------------


def test_an_objection_covers_legitimate_interests_and_direct_marketing_by_default() -> None:
    assert activities_for(demo(), "objection", None) == ["fraud", "newsletter", "support"]
    assert activities_for(demo(), "objection", ["newsletter"]) == ["newsletter"]


def test_a_withdrawal_covers_only_the_consent_based_activities() -> None:
    assert activities_for(demo(), "withdraw_consent", None) == ["newsletter", "analytics"]
    with pytest.raises(PledgeError) as caught:
        activities_for(demo(), "withdraw_consent", ["analytics", "fraud"])
    assert caught.value.message.startswith(
        "'fraud' cannot be the object of a withdrawal of consent: only activities based on"
    )
    assert caught.value.hint.endswith("newsletter, analytics")


def test_an_unknown_activity_is_named_with_a_guess_and_the_valid_ones() -> None:
    with pytest.raises(PledgeError) as caught:
        activities_for(demo(), "objection", ["newsleter"])
    assert caught.value.message == "unknown activity 'newsleter'"
    assert caught.value.hint == (
        "did you mean 'newsletter'? activities open to an objection: fraud, newsletter, support"
    )


def test_one_cannot_object_to_processing_under_a_contract() -> None:
    with pytest.raises(PledgeError) as caught:
        activities_for(demo(), "objection", ["orders", "newsletter"])
    assert caught.value.message.startswith("'orders' cannot be the object of an objection")
    assert caught.value.hint == "activities open to an objection: fraud, newsletter, support"


def test_restriction_and_opt_out_cover_everything_and_name_no_activity() -> None:
    assert activities_for(demo(), "restriction", None) == []
    assert activities_for(demo(), "opt_out_sale_share", []) == []
    with pytest.raises(PledgeError, match="covers every activity"):
        activities_for(demo(), "restriction", ["orders"])
    with pytest.raises(PledgeError, match="no standing decision"):
        activities_for(demo(), "erasure", None)
    assert selling_recipients(with_shared_recipient()) == ["adnet"]


def test_an_objection_to_marketing_is_absolute_and_one_to_fraud_checks_needs_review() -> None:
    assert not objection_needs_review(demo(), ["newsletter"])
    assert objection_needs_review(demo(), ["newsletter", "fraud"])
    assert absolute_objections(demo(), ["newsletter", "fraud"]) == ["newsletter"]


# --- recording them, and what they answer -------------------------------------------------


def test_an_objection_to_marketing_stops_it_for_that_person_only(store: Store) -> None:
    ref = file(store, "objection", activities=["newsletter"])
    recorded = decide(store, ref)
    assert [(d.kind, d.activity) for d in recorded] == [("objection", "newsletter")]
    assert decisions_in_store(store) == [("objection", "newsletter", "email", "jane@example.com")]
    with store.session() as session:
        jane = standing(session, email="JANE@example.com")
        assert jane.objected == {"newsletter"} and not jane.restricted
        assert not jane.allowed("newsletter")
        assert jane.allowed("orders") and jane.allowed("fraud")
        assert not may_use(session, demo(), email="jane@example.com", activity="newsletter")
        assert may_use(session, demo(), email="bob@example.com", activity="newsletter")
        events = [e for e in timeline(session, ref) if e.kind == "decision"]
    assert [e.note for e in events] == ["objection recorded for newsletter"]


def test_a_withdrawal_records_every_consent_activity_and_stops_each(store: Store) -> None:
    ref = file(store, "withdraw_consent")
    decide(store, ref)
    with store.session() as session:
        jane = standing(session, email="jane@example.com")
        only_analytics = standing(session, email="jane@example.com", activity="analytics")
    assert jane.withdrawn == {"newsletter", "analytics"} and jane.objected == set()
    assert not jane.allowed("analytics") and jane.allowed("support")
    assert only_analytics.withdrawn == {"analytics"}


def test_an_unknown_activity_in_the_request_fails_before_anything_is_recorded(
    store: Store,
) -> None:
    ref = file(store, "withdraw_consent", activities=["analytcs"])
    with pytest.raises(PledgeError, match="unknown activity 'analytcs'") as caught:
        decide(store, ref)
    assert "did you mean 'analytics'?" in caught.value.hint
    assert decisions_in_store(store) == []


def test_recording_twice_adds_nothing(store: Store) -> None:
    ref = file(store, "objection", activities=["newsletter", "fraud"])
    first = decide(store, ref)
    second = decide(store, ref, now=NOW + dt.timedelta(hours=1))
    assert [d.id for d in first] == [d.id for d in second]
    assert len(decisions_in_store(store)) == 2
    with store.session() as session:
        assert len([e for e in timeline(session, ref) if e.kind == "decision"]) == 1


def test_an_opt_out_covers_sale_and_sharing_but_not_other_use(store: Store) -> None:
    declaration = with_shared_recipient()
    ref = file(store, "opt_out_sale_share", jurisdiction="us-ca", declaration=declaration)
    recorded = decide(store, ref, declaration=declaration)
    assert [(d.kind, d.activity) for d in recorded] == [("opt_out", None)]
    with store.session() as session:
        jane = standing(session, email="jane@example.com")
        assert jane.opted_out and not jane.may_sell_or_share
        # analytics shares with the ad network; orders shares with nobody.
        assert not may_use(session, declaration, email="jane@example.com", activity="analytics")
        assert may_use(session, declaration, email="jane@example.com", activity="orders")


def test_a_restriction_marks_the_own_rows_and_lifting_it_allows_again(
    store: Store, shop: Engine
) -> None:
    declaration = load_sources(SHOP_SOURCE)
    plan = build_plan(declaration, {"shop": reflect_schema(shop)}, {"email": JANE_EMAIL})
    access = execute_access(plan, {"shop": shop})
    ref = file(store, "restriction", declaration=declaration)
    statements: list[str] = []
    with store.session(write=True) as session:

        def seen(*args: object) -> None:
            statements.append(str(args[2]))

        connection = session.connection()
        event.listen(connection, "before_cursor_execute", seen)
        request = session.get_one(RequestRow, ref)
        record_decisions(session, declaration, request, access=access, now=NOW)
        event.remove(connection, "before_cursor_execute", seen)
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO RESTRICTED")]
    assert len(inserts) == 1, inserts  # one bulk insert, not one per row
    own = sum(len(t.rows) for t in access.tables)
    with store.session() as session:
        marked = session.scalar(select(func.count()).select_from(RestrictedRowRow))
        assert marked == own == 16
        assert restricted_keys(session, "shop", "order_lines") == {(10, 1), (10, 2), (11, 1)}
        # Jane's shared address (with Bob) is not hers to restrict.
        assert restricted_keys(session, "shop", "addresses") == set()
        assert restricted_keys(session, "shop", "customers") == {(1,)}
        jane = standing(session, email="jane@example.com")
        assert jane.restricted and not jane.allowed("orders")
        note = next(e.note for e in timeline(session, ref) if e.kind == "decision")
    assert note is not None and note.startswith("restriction recorded: 16 row(s) marked (")
    assert "shop.order_lines 3" in note and JANE_EMAIL not in note
    # Run again: no second decision, no second set of marks.
    decide(store, ref, declaration=declaration, access=access)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(RestrictedRowRow)) == 16
    lifted_at = NOW + dt.timedelta(days=10)
    with store.session(write=True) as session:
        asked = lift_restriction(
            session, ref, actor="admin:priya", reason="accuracy checked", now=lifted_at
        )
    assert asked == 1
    with store.session() as session:
        # Decided, not yet lifted: the person is told first (test_restriction_lift.py).
        assert standing(session, email="jane@example.com").restricted
        assert restricted_keys(session, "shop", "customers") == {(1,)}
    with store.session(write=True) as session:
        # What the lifting job does once the person's mail is out.
        count = release_restriction(
            session, ref, actor="admin:priya", reason="accuracy checked", now=lifted_at
        )
        again = release_restriction(
            session, ref, actor="admin:priya", reason="accuracy checked", now=lifted_at
        )
    assert (count, again) == (1, 0)
    with store.session() as session:
        assert standing(session, email="jane@example.com").allowed("orders")
        assert restricted_keys(session, "shop", "customers") == set()
        # What held before the lifting is still known.
        assert standing(session, email="jane@example.com", at=NOW + dt.timedelta(days=1)).restricted
        assert not standing(
            session, email="jane@example.com", at=NOW - dt.timedelta(days=1)
        ).restricted
        lifted = session.scalars(select(SubjectDecisionRow)).one()
        assert (lifted.lifted_at, lifted.lifted_by) == (lifted_at, "admin:priya")
        notes = [e.note for e in timeline(session, ref) if e.kind == "decision"]
    assert notes[-1] == "restriction lifted; reason: accuracy checked"


def test_lifting_needs_a_reason(store: Store) -> None:
    ref = file(store, "restriction")
    decide(store, ref)
    with store.session(write=True) as session, pytest.raises(PledgeError, match="needs a reason"):
        lift_restriction(session, ref, actor="admin:priya", reason=" ", now=NOW)


def test_the_marketing_part_of_an_objection_applies_before_the_review_of_the_rest(
    store: Store,
) -> None:
    ref = file(store, "objection", activities=["newsletter", "fraud"])
    with store.session(write=True) as session:
        request = session.get_one(RequestRow, ref)
        asked = ["newsletter", "fraud"]
        now = absolute_objections(demo(), asked)
        record_decisions(session, demo(), request, access=None, now=NOW, only=now)
    with store.session() as session:
        assert standing(session, email="jane@example.com").objected == {"newsletter"}
    decide(store, ref, now=NOW + dt.timedelta(days=3))  # approved after review
    with store.session() as session:
        assert standing(session, email="jane@example.com").objected == {"newsletter", "fraud"}
        notes = [e.note for e in timeline(session, ref) if e.kind == "decision"]
    assert notes == ["objection recorded for newsletter", "objection recorded for fraud"]
