"""What is processed, about whom, why, on what basis, for how long, and with whom."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, Field, ValidationInfo, WithJsonSchema, field_validator

from pledge.declaration.model.common import ANY_LANGUAGE, DurationField, Strict, Text

CcpaLetter = Literal["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K"]

Basis = Literal[
    "consent",
    "contract",
    "pre_contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
    "express_consent",
    "implied_consent",
]
BASES: tuple[str, ...] = get_args(Basis)

Trigger = Literal[
    "collected",
    "last_contact",
    "application",
    "recorded",
    "issued",
    "contract_end",
    "relationship_end",
    "account_closed",
    "request_resolved",
    "consent_withdrawn",
    "objection",
]
TRIGGERS: tuple[str, ...] = get_args(Trigger)


class Category(Strict):
    """A category of personal data the built-in taxonomy lacks (or a renamed one)."""

    name: Text
    description: Text | None = None
    ccpa: CcpaLetter | None = None
    special: bool = False
    sensitive: bool = False


class Subject(Strict):
    name: Text
    description: Text | None = None
    children: bool = Field(default=False, description="this group may include children")


class Origin(Strict):
    """Where data comes from when not from the person directly."""

    name: Text
    description: Text | None = None


def _to_bases(value: Any) -> Any:
    # "contract", [consent, contract] or {uk: consent, ca: [implied_consent]}
    if isinstance(value, str):
        return {ANY_LANGUAGE: [value]}
    if isinstance(value, list):
        return {ANY_LANGUAGE: value}
    if isinstance(value, dict):
        return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
    return value


BasesField = Annotated[
    dict[str, list[Basis]],
    BeforeValidator(_to_bases),
    WithJsonSchema(
        {
            "description": "A basis, a list, or one per jurisdiction: {uk: consent, ca: ...}",
            "anyOf": [
                {"type": "string", "enum": list(BASES)},
                {"type": "array", "items": {"type": "string", "enum": list(BASES)}},
                {"type": "object", "additionalProperties": True},
            ],
        }
    ),
]


class Activity(Strict):
    """One purpose of processing (a line of the record of processing)."""

    name: Text
    description: Text | None = None
    subjects: list[str] = Field(min_length=1)
    categories: list[str] = Field(min_length=1)
    collected_from: list[str] = ["subject"]
    legal_basis: BasesField
    legitimate_interests: Text | None = None
    legal_obligation: Text | None = None
    direct_marketing: bool = False
    soft_opt_in: bool = Field(
        default=False,
        description="marketing to existing customers about similar products, with an "
        "opt-out in every message (PECR reg. 22(3), CPCE L.34-5)",
    )
    withdraw: list[str] = Field(default=[], description="channels to withdraw consent")
    opt_out: list[str] = Field(default=[], description="channels to object or unsubscribe")
    recipients: list[str] = []
    retention: list[str] = []
    sale: bool = False
    share: bool = False
    automated_decisions: Text | None = None
    requirement: Literal["contractual", "statutory", "contract_precondition"] | None = None
    consequences: Text | None = None
    security: list[Text] = []


class RetentionRule(Strict):
    """How long records are kept, counted from which event, and what happens then."""

    name: Text
    duration: DurationField | None = None
    trigger: Trigger | None = None
    criteria: Text | None = None
    action: Literal["delete", "anonymise"] = "delete"
    ends_on_objection: bool = False
    required_by: Text | None = Field(
        default=None, description="the law that requires keeping it: a legal hold"
    )
    justification: Text | None = Field(
        default=None,
        description="why the period is right, weighed against the amount, nature and "
        "sensitivity of the data, its purposes and whether they could be met another way",
    )
    categories: list[str] = []
    # Last, so that its check sees every other key of the rule.
    archive: DurationField | None = Field(
        default=None,
        description="after `duration` (the active base), how long records stay in a "
        "restricted archive, readable by the role legal only, before they are deleted",
    )

    @field_validator("archive")
    @classmethod
    def _archive_fits(cls, archive: Any, info: ValidationInfo) -> Any:
        # An archive follows an active period that ends, and ends in deletion: a rule that
        # keeps records in place (anonymised, or for a law) has no such phase.
        if archive is None:
            return archive
        rule = info.data
        if "duration" in rule and rule["duration"] is None:  # absent, not misspelt
            raise ValueError(
                "an archive follows the active period, and this rule gives no 'duration': "
                "add how long the records stay in the active base"
            )
        if rule.get("action") == "anonymise":
            raise ValueError(
                "a rule that anonymises keeps its records in place, while an archive moves "
                "them out and deletes them: remove 'archive', or 'action: anonymise'"
            )
        if rule.get("required_by") is not None:
            raise ValueError(
                "a legal hold keeps records for the period its law sets: write that whole "
                "period as 'duration' and remove 'archive'"
            )
        return archive


SafeguardKind = Literal[
    "adequacy", "scc", "uk_idta", "uk_addendum", "dpf", "bcr", "consent", "derogation"
]


class Notification(Strict):
    """How a recipient is told of an erasure, rectification or restriction (Art. 19)."""

    email: str | None = None
    webhook_env: str | None = Field(
        default=None, description="name of the environment variable holding the webhook URL"
    )


class Recipient(Strict):
    name: Text
    kind: Literal["processor", "third_party", "authority", "joint_controller", "staff", "advisers"]
    purpose: Text | None = None
    categories: list[str] = []
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    safeguards: list[SafeguardKind] = []
    condition: Text | None = None
    address: Text | None = None
    sale: bool = False
    share: bool = False
    third_party_marketing: bool = False
    notify: Notification | None = None


class TransferPolicy(Strict):
    """Where data may go: `allowed` lists regions (home, eea, uk, adequate) or countries."""

    storage: list[str] = []
    allowed: list[str] = ["home", "adequate"]
    statement: Text | None = None
