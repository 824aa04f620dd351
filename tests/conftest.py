"""Fixtures every test folder may use."""

from __future__ import annotations

from tests.company_databases import company_url, mariadb_company_url, postgres_company_url

__all__ = ["company_url", "mariadb_company_url", "postgres_company_url"]
