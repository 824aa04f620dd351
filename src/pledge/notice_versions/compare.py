"""Comparing two recorded versions, or a recorded version with the declaration as it is now."""

from __future__ import annotations

from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.notice_versions.changes import describe_changes
from pledge.notice_versions.meaning import published
from pledge.notice_versions.registry import get_version, latest_version
from pledge.store import Store

_PUBLISH_HINT = "record one with `pledge publish PATH`"


def diff_versions(
    store: Store,
    a: int | None,
    b: int | None,
    declaration: Declaration | None,
    lang: str = "en",
) -> list[str]:
    """The changes from version `a` to version `b`, in words.

    Without `b`, the newer side is `declaration` (the file as it is now) or, without one,
    the latest version. Without `a`, the older side is the version before `b`, or the
    latest version when the newer side is the declaration.
    """
    if b is not None:
        newer = get_version(store, b).declaration()
    elif declaration is not None:
        newer = published(declaration)
    else:
        latest = latest_version(store)
        if latest is None:
            raise PledgeError("no notice version is recorded yet", _PUBLISH_HINT)
        newer, b = latest.declaration(), latest.number
    if a is None:
        a = _before(store, b)
    return describe_changes(get_version(store, a).declaration(), newer, lang)


def _before(store: Store, b: int | None) -> int:
    if b is None:
        latest = latest_version(store)
        if latest is None:
            raise PledgeError("no notice version is recorded yet", _PUBLISH_HINT)
        return latest.number
    if b <= 1:
        raise PledgeError(
            f"version {b} is the first one: there is nothing before it to compare with",
            "give --from and --to, e.g. --from 1 --to 2",
        )
    return b - 1
