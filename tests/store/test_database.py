from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from pledge.errors import PledgeError
from pledge.store import open_store
from pledge.store.base import Base
from pledge.store.database import alembic_config
from pledge.store.tables import NoticeVersionRow


def _row(number: int, digest: str = "d" * 64) -> NoticeVersionRow:
    return NoticeVersionRow(
        number=number,
        digest=digest,
        recorded_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        effective_date=dt.date(2026, 1, 2),
        declaration="{}",
        changes=["one", "two"],
        language="en",
    )


def _head() -> str:
    with open_store("sqlite://") as store, store.engine.connect() as connection:
        head = ScriptDirectory.from_config(alembic_config(connection)).get_current_head()
    assert head is not None
    return head


def test_open_store_migrates_to_head_and_twice_is_harmless(store_url: str) -> None:
    with open_store(store_url) as store, store.session() as session:
        session.add(_row(1))
    with open_store(store_url) as again, again.session() as session:
        assert session.scalars(select(NoticeVersionRow.number)).all() == [1]
        revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert revision == _head()


def test_the_migration_creates_exactly_the_models_tables(store_url: str) -> None:
    with open_store(store_url) as store, store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        names = inspect(connection).get_unique_constraints("notice_versions")
        checks = {c["name"] for c in inspect(connection).get_check_constraints("notice_versions")}
        primary = inspect(connection).get_pk_constraint("notice_versions")["name"]
    assert differences == []
    assert names == []  # the primary key is the unique number
    assert checks == {"ck_notice_versions_number_positive"}
    assert primary == "pk_notice_versions"


def test_the_migration_downgrades_and_upgrades_cleanly(store_url: str) -> None:
    with open_store(store_url) as store:
        with store.engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
            assert "notice_versions" not in inspect(connection).get_table_names()
        with store.engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
            assert "notice_versions" in inspect(connection).get_table_names()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as store, store.session() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


def test_a_session_commits_on_success_and_rolls_back_on_error(store_url: str) -> None:
    with open_store(store_url) as store:
        with store.session() as session:
            session.add(_row(1))
        with pytest.raises(RuntimeError), store.session() as session:
            session.add(_row(2))
            session.flush()
            raise RuntimeError("stop")
        with pytest.raises(IntegrityError), store.session(write=True) as session:
            session.add(_row(1))  # the number is taken
        with store.session() as session:
            assert session.scalars(select(NoticeVersionRow.number)).all() == [1]


def test_moments_come_back_in_utc(store_url: str) -> None:
    paris = dt.timezone(dt.timedelta(hours=2))
    row = _row(1)
    row.recorded_at = dt.datetime(2026, 6, 1, 12, 0, tzinfo=paris)
    with open_store(store_url) as store:
        with store.session() as session:
            session.add(row)
        with store.session() as session:
            stored = session.scalars(select(NoticeVersionRow.recorded_at)).one()
    assert stored == dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)
    assert stored.utcoffset() == dt.timedelta(0)


def test_a_naive_moment_is_refused(tmp_path: Path) -> None:
    row = _row(1)
    row.recorded_at = dt.datetime(2026, 6, 1, 12, 0)
    with (
        open_store(f"sqlite:///{tmp_path / 's.db'}") as store,
        pytest.raises(Exception, match="naive datetime"),
        store.session() as session,
    ):
        session.add(row)


def test_two_processes_opening_a_new_store_at_once_both_succeed(store_url: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def open_it() -> None:
        barrier.wait()
        try:
            open_store(store_url).close()
        except BaseException as exc:  # reported below, with the thread's own error
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_an_in_memory_store_is_one_database_for_every_thread() -> None:
    with open_store("sqlite://") as store:
        with store.session() as session:
            session.add(_row(1))

        def count() -> None:
            with store.session() as session:
                found.append(len(session.scalars(select(NoticeVersionRow)).all()))

        found: list[int] = []
        worker = threading.Thread(target=count)
        worker.start()
        worker.join()
    assert found == [1]


def test_a_plain_postgresql_url_uses_psycopg(postgres_url: str) -> None:
    assert postgres_url.startswith("postgresql://")
    with open_store(postgres_url) as store:
        assert store.engine.url.drivername == "postgresql+psycopg"
        assert store.dialect == "postgresql"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "is not a database URL"),
        ("nosuchdb://x", "cannot use the store URL"),
        ("postgresql://postgres@127.0.0.1:1/none", "cannot open the store"),
    ],
)
def test_bad_store_urls_are_explained(url: str, message: str) -> None:
    with pytest.raises(PledgeError, match=message) as caught:
        open_store(url)
    assert caught.value.hint


def test_a_store_migrated_by_a_newer_pledge_is_explained(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with open_store(url) as store, store.session() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(PledgeError, match="cannot migrate the store") as caught:
        open_store(url)
    assert "newer Pledge" in caught.value.hint


def test_a_missing_folder_for_the_sqlite_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(PledgeError, match="cannot open the store") as caught:
        open_store(f"sqlite:///{tmp_path / 'missing' / 'store.db'}")
    assert "folder" in caught.value.hint


def test_the_url_hides_a_password(postgres_url: str) -> None:
    with open_store(postgres_url) as store:
        assert "***" not in store.url
    for url in ("postgresql://someone:secret@127.0.0.1:1/none", "nosuchdb://someone:secret@x/y"):
        with pytest.raises(PledgeError) as caught:
            open_store(url)
        assert "secret" not in str(caught.value)
