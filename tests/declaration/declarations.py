"""A compact, valid, lint-clean declaration that tests change one section at a time.

`declaration(activities=...)` replaces the `activities` section of the base, keeping the
others; passing None drops a section. Sections are written in a fixed order, so a test can
find where a key landed with `where(text, needle)` and assert an exact `file:line:col`.
"""

from __future__ import annotations

import textwrap

FILE = "pledge.yaml"

ORDER = (
    "pledge",
    "organisation",
    "categories",
    "subjects",
    "origins",
    "activities",
    "retention",
    "recipients",
    "transfers",
    "channels",
    "rights",
    "children",
    "signals",
    "california",
    "cookies",
    "security",
    "sources",
    "notice",
)

BASE: dict[str, str] = {
    "pledge": "1",
    "organisation": """
        name: Acme
        country: GB
        email: privacy@acme.example
        jurisdictions: [uk]
    """,
    "subjects": """
        customer:
          name: Customers
    """,
    "activities": """
        orders:
          name: Orders
          subjects: [customer]
          categories: [identity.name, contact.email]
          legal_basis: contract
          retention: [accounts]
    """,
    "retention": """
        accounts:
          name: Customer accounts
          duration: 3 years
          trigger: last_contact
          justification: Long enough for repeat orders and returns.
    """,
    "channels": """
        privacy_email:
          kind: email
          address: privacy@acme.example
    """,
    "rights": """
        channels: [privacy_email]
    """,
    "notice": """
        last_updated: 2026-01-01
    """,
}


def declaration(**sections: str | None) -> str:
    """The base declaration with some sections replaced (a string) or removed (None).

    A section's text is its body, without the top-level key. A scalar or a flow collection
    is written after the key (`pledge: 2`, `transfers: {allowed: [home]}`); anything else
    is indented below it.
    """
    unknown = set(sections) - set(ORDER)
    if unknown:
        raise ValueError(f"not a declaration section: {sorted(unknown)}")
    merged = {**BASE, **sections}
    parts: list[str] = []
    for name in ORDER:
        body = merged.get(name)
        if body is None:
            continue
        body = textwrap.dedent(body).strip("\n")
        if _inline(body):
            parts.append(f"{name}: {body.strip()}")
        else:
            parts.append(f"{name}:\n" + textwrap.indent(body, "  "))
    return "\n".join(parts) + "\n"


def _inline(body: str) -> bool:
    # A scalar or a flow collection fits after the key; a block mapping or list goes below it.
    one_line = body.strip()
    return "\n" not in body and (one_line.startswith(("{", "[")) or ": " not in one_line)


def where(text: str, needle: str, *, after: str = "") -> str:
    """`pledge.yaml:line:col` of the first `needle` in `text` (after `after`, if given)."""
    start = text.index(after) + len(after) if after else 0
    index = text.index(needle, start)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{FILE}:{line}:{column}"
