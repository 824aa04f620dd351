"""Finding a request's person in the company's databases, and what was found.

The plan starts from the identities the request carries: the email it was made with (as
typed and in lower case, since people type their address in any case) and any other
identity kind the sources know (a phone, an account number) the person gave.
"""

from __future__ import annotations

from collections.abc import Mapping

from pledge.declaration.model import Declaration
from pledge.services import Services
from pledge.sources.access import AccessResult, Params, execute_access
from pledge.sources.plan import Plan, build_plan
from pledge.store.tables import RequestRow


def plan_identity(declaration: Declaration, row: RequestRow) -> dict[str, list[str]]:
    kinds = {
        column.identity
        for source in declaration.sources.values()
        for table in source.tables.values()
        for column in table.columns.values()
        if column.identity
    }
    identity: dict[str, list[str]] = {}
    if "email" in kinds:
        identity["email"] = list(dict.fromkeys([row.email, row.email.lower()]))
    for kind, value in row.identity.items():
        if kind in kinds and value.strip():
            identity.setdefault(kind, []).append(value.strip())
    return identity


def build_request_plan(services: Services, declaration: Declaration, row: RequestRow) -> Plan:
    return build_plan(declaration, services.schemas(), plan_identity(declaration, row))


def find_rows(
    services: Services,
    declaration: Declaration,
    row: RequestRow,
    *,
    given: Mapping[str, Params] | None = None,
) -> tuple[Plan, AccessResult]:
    """The plan for the request's person and what it finds, read-only."""
    plan = build_request_plan(services, declaration, row)
    return plan, execute_access(plan, services.engines(), given=given)


def found_anything(result: AccessResult) -> bool:
    return any(table.rows or table.shared for table in result.tables)


def touched(declaration: Declaration, result: AccessResult) -> tuple[list[str], list[str]]:
    """The categories and activities of the tables where the person's own rows are."""
    categories: dict[str, None] = {}
    activities: dict[str, None] = {}
    for table in result.tables:
        if not table.rows:
            continue
        declared = declaration.sources[table.source].tables[table.table]
        categories.update(dict.fromkeys(c for c in table.columns.values() if c))
        activities.update(dict.fromkeys(declared.activities))
    return list(categories), list(activities)
