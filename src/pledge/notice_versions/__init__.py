"""Notice versions: each meaning of the declaration that was published, and what changed."""

from pledge.notice_versions.changes import describe_changes
from pledge.notice_versions.meaning import canonical_json, meaning_digest
from pledge.notice_versions.registry import (
    NoticeVersion,
    get_version,
    last_updated,
    latest_version,
    list_versions,
    record_version,
)

__all__ = [
    "NoticeVersion",
    "canonical_json",
    "describe_changes",
    "get_version",
    "last_updated",
    "latest_version",
    "list_versions",
    "meaning_digest",
    "record_version",
]
