"""Pledge's own database: what it has published, and later requests, consent and audit."""

from pledge.store.database import Store, create_store_engine, migrate, open_store

__all__ = ["Store", "create_store_engine", "migrate", "open_store"]
