from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from itertools import pairwise
from pathlib import Path

import pytest

from pledge.declaration.model import Declaration
from pledge.errors import NotFound
from pledge.notice_versions import (
    NoticeVersion,
    get_version,
    last_updated,
    latest_version,
    list_versions,
    meaning_digest,
    record_version,
)
from pledge.store import Store, open_store
from tests.notice_versions.demo import SHORTER_RETENTION, demo

DAY_ONE = dt.datetime(2027, 1, 10, 9, 30, tzinfo=dt.UTC)
DAY_TWO = dt.datetime(2027, 2, 20, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
DAY_THREE = dt.datetime(2027, 3, 5, 8, 0, tzinfo=dt.UTC)
RETENTION_LINE = (
    "Retention of Customer accounts: 3 years from last contact -> 2 years from last contact"
)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def test_the_first_version_takes_the_date_the_notice_shows(store: Store) -> None:
    assert latest_version(store) is None
    first = record_version(store, demo(), now=DAY_ONE)
    assert first.number == 1
    assert first.effective_date == dt.date(2026, 11, 1)  # notice.last_updated in the demo
    assert first.recorded_at == DAY_ONE
    assert first.changes == ()
    assert first.digest == meaning_digest(demo())
    # The internal database mapping is not part of what the notice says.
    assert first.declaration() == demo().model_copy(update={"sources": {}})


def test_without_a_last_updated_date_the_first_version_takes_the_recording_date(
    store: Store,
) -> None:
    undated = demo(("  last_updated: 2026-11-01\n", ""))
    assert record_version(store, undated, now=DAY_ONE).effective_date == DAY_ONE.date()


def test_a_formatting_only_edit_records_nothing(store: Store) -> None:
    first = record_version(store, demo(), now=DAY_ONE)
    reformatted = demo(("  name: Maple & Finch\n", "  name: 'Maple & Finch'   # quoted\n"))
    again = record_version(store, reformatted, now=DAY_TWO)
    assert again == first
    assert [v.number for v in list_versions(store)] == [1]


def test_a_database_mapping_edit_records_nothing(store: Store) -> None:
    first = record_version(store, demo(), now=DAY_ONE)
    edit = ('erase: "null" }\n          birth_date', "erase: mask }\n          birth_date")
    remapped = demo(edit)
    assert remapped.sources != demo().sources
    assert record_version(store, remapped, now=DAY_TWO) == first


def test_a_retention_change_then_a_revert_make_versions_two_and_three(store: Store) -> None:
    record_version(store, demo(), now=DAY_ONE)
    second = record_version(store, demo(SHORTER_RETENTION), now=DAY_TWO)
    assert second.number == 2
    assert second.changes == (RETENTION_LINE,)
    assert second.language == "en"
    assert second.recorded_at == DAY_TWO.astimezone(dt.UTC)
    assert second.effective_date == dt.date(2027, 2, 21)  # the UTC date of DAY_TWO

    third = record_version(store, demo(), now=DAY_THREE)
    assert third.number == 3
    assert third.digest == list_versions(store)[0].digest
    assert third.changes == (
        "Retention of Customer accounts: 2 years from last contact -> 3 years from last contact",
    )
    assert [v.number for v in list_versions(store)] == [1, 2, 3]
    assert get_version(store, 2) == second
    assert latest_version(store) == third


def test_last_updated_is_the_date_of_the_latest_version_with_that_meaning(store: Store) -> None:
    assert last_updated(store, demo()) is None
    record_version(store, demo(), now=DAY_ONE)
    assert last_updated(store, demo()) == dt.date(2026, 11, 1)
    assert last_updated(store, demo(SHORTER_RETENTION)) is None
    record_version(store, demo(SHORTER_RETENTION), now=DAY_TWO)
    record_version(store, demo(), now=DAY_THREE)
    assert last_updated(store, demo()) == DAY_THREE.date()
    assert last_updated(store, demo(SHORTER_RETENTION)) == dt.date(2027, 2, 21)


def test_an_unknown_version_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="no notice version 4") as caught:
        get_version(store, 4)
    assert caught.value.hint == "no version is recorded yet"
    record_version(store, demo(), now=DAY_ONE)
    with pytest.raises(NotFound) as caught:
        get_version(store, 4)
    assert caught.value.hint == "versions 1 to 1 exist"


def test_a_moment_without_a_time_zone_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="time zone"):
        record_version(store, demo(), now=dt.datetime(2027, 1, 1, 12, 0))


def test_versions_survive_closing_and_reopening_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with open_store(url) as first:
        record_version(first, demo(), now=DAY_ONE)
        record_version(first, demo(SHORTER_RETENTION), now=DAY_TWO)
    with open_store(url) as again:
        assert [v.changes for v in list_versions(again)] == [(), (RETENTION_LINE,)]


def _all_at_once(jobs: Sequence[Callable[[], NoticeVersion]]) -> list[NoticeVersion]:
    """Run the jobs in threads released together; re-raise the first failure."""
    barrier = threading.Barrier(len(jobs))
    results: list[NoticeVersion] = []
    errors: list[BaseException] = []

    def run(job: Callable[[], NoticeVersion]) -> None:
        barrier.wait()
        try:
            results.append(job())
        except BaseException as exc:  # re-raised in the test's own thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def test_recording_the_same_change_at_once_makes_one_version(store_url: str) -> None:
    stores = [open_store(store_url) for _ in range(4)]
    try:
        record_version(stores[0], demo(), now=DAY_ONE)
        changed = demo(SHORTER_RETENTION)
        results = _all_at_once([partial(record_version, s, changed) for s in stores])
        assert {version.number for version in results} == {2}
        assert [v.number for v in list_versions(stores[0])] == [1, 2]
    finally:
        for opened in stores:
            opened.close()


def test_recording_different_changes_at_once_gives_distinct_numbers(store_url: str) -> None:
    variants: list[Declaration] = [
        demo(("    duration: 3 years\n", f"    duration: {years} years\n"))
        for years in range(4, 12)
    ]
    stores = [open_store(store_url) for _ in range(4)]
    try:

        def record_some(store: Store, mine: list[Declaration]) -> NoticeVersion:
            last = None
            for variant in mine:
                last = record_version(store, variant)
            assert last is not None
            return last

        jobs = [partial(record_some, s, variants[i::4]) for i, s in enumerate(stores)]
        _all_at_once(jobs)
        recorded = list_versions(stores[0])
    finally:
        for opened in stores:
            opened.close()
    assert [v.number for v in recorded] == list(range(1, 9))
    assert sorted(v.digest for v in recorded) == sorted(meaning_digest(v) for v in variants)
    for before, after in pairwise(recorded):
        assert len(after.changes) == 1
        assert after.changes[0].startswith("Retention of Customer accounts: ")
        assert before.recorded_at <= after.recorded_at
