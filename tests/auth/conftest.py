from __future__ import annotations

from tests.store.postgres import postgres_url, store_url

__all__ = ["postgres_url", "store_url"]
