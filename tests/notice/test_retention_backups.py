"""The notice says restored backups are erased again only where Pledge erases: in declared
sources, whose erasures are journaled and replayed with `pledge replay-erasures`."""

from __future__ import annotations

from typing import Literal

import pytest

from pledge.notice.content import build_notice
from pledge.notice.content_model import RetentionSection
from pledge.notice.render import render_notice
from tests.notice.helpers import MINIMAL, declare, one

BILINGUAL = MINIMAL.replace("jurisdictions: [uk]", "jurisdictions: [uk]\n  languages: [en, fr]")

RETENTION = """
retention:
  accounts:
    name: Accounts
    duration: 2 years
    trigger: last_contact
"""
SOURCES = """
sources:
  shop:
    url_env: SHOP_URL
    tables:
      customers:
        subject: customer
        activities: [orders]
        columns:
          email: {category: contact.email, identity: email}
        timestamps: {last_contact: last_seen_at}
        retention: [accounts]
"""
SAID = {
    "en": "If we have to restore our systems from a backup, the restored information is kept "
    "apart until everything we had deleted or anonymised",
    "fr": "Si nous devons restaurer nos systèmes à partir d'une sauvegarde, les données "
    "restaurées sont tenues à l'écart",
}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_restored_backups_are_said_to_be_erased_again_where_pledge_erases(
    lang: str, fmt: Literal["md", "html"]
) -> None:
    with_sources = declare(RETENTION + SOURCES, BILINGUAL)
    section = one(build_notice(with_sources, lang).sections, RetentionSection)
    assert section.backups.startswith(SAID[lang])
    rendered = render_notice(with_sources, fmt=fmt, lang=lang)
    assert SAID[lang].replace("'", "&#39;" if fmt == "html" else "'") in rendered
    without = declare(RETENTION, BILINGUAL)
    assert one(build_notice(without, lang).sections, RetentionSection).backups == ""
    assert SAID[lang][:40] not in render_notice(without, fmt=fmt, lang=lang)
