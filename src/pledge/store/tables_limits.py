"""Recent tries counted by the rate limits (pledge.store.recent_tries): whose, and when."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pledge.store.base import Base, UtcDateTime


class RateTryRow(Base):
    """One try counted by a window: its scope, an HMAC of who tried (never the address or
    name itself) and when. Rows leave once they are older than their window."""

    __tablename__ = "rate_tries"
    __table_args__ = (
        Index("ix_rate_tries_scope_key_digest_moment", "scope", "key_digest", "moment"),
        Index("ix_rate_tries_moment", "moment"),
    )

    # Tries come and go by the million: a 32-bit id could run out on PostgreSQL. SQLite
    # numbers its rows itself only for a column typed INTEGER.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    scope: Mapped[str] = mapped_column(String(32))
    key_digest: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256, hex
    moment: Mapped[dt.datetime] = mapped_column(UtcDateTime)
