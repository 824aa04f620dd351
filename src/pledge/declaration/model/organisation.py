"""Who the controller is and how to reach them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from pledge.declaration.model.common import DurationField, Jurisdiction, Language, Strict, Text


class Contact(Strict):
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: Text | None = None
    web_form: str | None = None


class Registration(Strict):
    registry: Text
    number: str


class Authority(Strict):
    name: Text
    address: Text | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None


class Organisation(Strict):
    name: str
    legal_name: str | None = None
    description: Text | None = None
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2, e.g. GB, FR, US")
    address: Text | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    registrations: list[Registration] = []
    dpo: Contact | None = None
    representatives: dict[Jurisdiction, Contact] = {}
    jurisdictions: list[Jurisdiction] = Field(min_length=1)
    authorities: dict[Jurisdiction, Authority] = {}
    languages: list[Language] = Field(default=["en"], min_length=1)
    roles: list[Literal["controller", "processor"]] = ["controller"]
    processor_requests: Text | None = None


class ChangePolicy(Strict):
    statement: Text | None = None
    notify: list[Literal["email", "website", "account", "in_app"]] = []


class NoticeSettings(Strict):
    title: Text | None = None
    url: str | None = None
    introduction: Text | None = None
    last_updated: dt.date | None = None
    maximum_retention: DurationField | None = None
    changes: ChangePolicy = ChangePolicy()
    extra_sections: dict[str, ExtraSection] = {}


class ExtraSection(Strict):
    title: Text
    body: Text


NoticeSettings.model_rebuild()
