from __future__ import annotations

from tests.mail.smtp_server import smtp_server
from tests.store.postgres import postgres_url, store_url

__all__ = ["postgres_url", "smtp_server", "store_url"]
