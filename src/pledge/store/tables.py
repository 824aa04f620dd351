"""The store's tables, as typed SQLAlchemy models.

Constraint names follow one convention so that migrations can name (and later drop or
alter) every constraint the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, Dialect, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A moment, always in UTC: SQLite keeps no time zone, so one is put back on reading."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime cannot be stored: {value!r} (give it a time zone)")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class NoticeVersionRow(Base):
    """One published meaning of the declaration; `number` counts 1, 2, 3... with no gaps."""

    __tablename__ = "notice_versions"
    __table_args__ = (CheckConstraint("number >= 1", name="number_positive"),)

    # The primary key doubles as the unique constraint that stops two writers
    # recording the same number at once: the loser retries with the next one.
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    digest: Mapped[str] = mapped_column(String(64), index=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    effective_date: Mapped[dt.date] = mapped_column(Date)
    # Kept as the exact canonical text, so sha256(declaration) == digest can be re-checked.
    declaration: Mapped[str] = mapped_column(Text)
    changes: Mapped[list[str]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8))
