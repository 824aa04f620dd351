"""The declaration's JSON Schema, so editors (YAML language server) can autocomplete."""

from __future__ import annotations

from typing import Any

from pledge.declaration.model import Declaration

SCHEMA_ID = "https://pledge.dev/schema/declaration-1.json"


def declaration_schema() -> dict[str, Any]:
    schema = Declaration.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
