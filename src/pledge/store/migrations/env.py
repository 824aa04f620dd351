"""Alembic's entry point, run by `pledge.store.database.migrate` (there is no alembic.ini).

The caller hands over an open connection inside a transaction, so the whole upgrade
commits or rolls back as one, and a lock taken by the caller covers it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from pledge.store.base import Base


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite alters tables by copying them; batch mode does that for later migrations.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if not isinstance(_connection, Connection):
    raise RuntimeError(
        "Pledge's migrations run through pledge.store.open_store(url), which passes a connection"
    )
run_migrations(_connection)
