"""The keys of the rows an erasure deleted or anonymised, to and from the journal of what must
stay gone (journal.py), for every kind of erasure: a request's (cause "request:<ref>") and a
child's (cause "sweep:<run id>"). Rows a legal hold kept for some categories, whose other
columns were erased, go there too, as "part_anonymised" with the columns erased.

`journal_erased` writes them in the caller's transaction, the one that records the erasure,
so the journal has them exactly when the erasure is recorded. `anonymised_keys` reads back
the keys of the rows one erasure anonymised in full in a source: the rows a legal hold kept
may have referred to them, which kept them from being deleted, so finishing the erasure once
nothing holds takes them again (hold_release.py, held_child.py). Rows anonymised in part are
not among them: a retention rule holds them, which a person's hold ending does not change.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

# A module import: the journal seals with pledge.rights, whose jobs import this module (by
# pledge.rights.erasure_run); bound at call time, the cycle does no harm.
from pledge.retention import journal as gone
from pledge.sources.erasure import SourceErasure
from pledge.sources.erasure_sql import batches
from pledge.sources.values_codec import Key
from pledge.store.tables import GoneRowsRow

GONE_BATCH = 1000  # keys per entry of the journal of what must stay gone


def journal_erased(
    session: Session, done: SourceErasure, *, cause: str, key: bytes, now: dt.datetime
) -> None:
    """Record, in `session`'s transaction, the keys of the rows `done` deleted, those it
    anonymised in full, and those it anonymised in part with the columns it erased; `key`
    is Services.keys.package."""
    for table in done.tables:
        erased: list[tuple[gone.Action, tuple[str, ...], tuple[Key, ...]]] = [
            ("deleted", (), table.deleted_keys),
            ("anonymised", (), table.anonymised_keys),
        ]
        erased += [("part_anonymised", p.columns, p.keys) for p in table.anonymised_in_part]
        for action, columns, keys in erased:
            for chunk in batches(keys, GONE_BATCH):
                gone.journal_batch(
                    session,
                    source=done.source,
                    table=table.table,
                    action=action,
                    cause=cause,
                    keys=chunk,
                    key=key,
                    now=now,
                    columns=columns,
                )


def anonymised_keys(
    session: Session, *, source: str, cause: str, key: bytes
) -> dict[str, list[Key]]:
    """Per table of `source`, the keys of the rows the erasure `cause` names anonymised."""
    entries = session.scalars(
        select(GoneRowsRow)
        .where(
            GoneRowsRow.source == source,
            GoneRowsRow.cause == cause,
            GoneRowsRow.action == "anonymised",
        )
        .order_by(GoneRowsRow.id)
    )
    found: dict[str, list[Key]] = {}
    for entry in entries:
        found.setdefault(entry.table_name, []).extend(gone.open_keys(entry, key))
    return found
