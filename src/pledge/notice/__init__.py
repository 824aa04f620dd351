"""The published privacy notice: built from the declaration, rendered as HTML or Markdown.

`build_notice` (content.py) decides what the notice says, in one language; `render_notice`
(render.py) lays it out with the Jinja2 templates in templates/. Translations live in
locales/<lang>/LC_MESSAGES/pledge.po (see i18n.py).
"""

from __future__ import annotations

from pledge.notice.content import build_notice
from pledge.notice.content_model import Notice
from pledge.notice.render import render_notice

__all__ = ["Notice", "build_notice", "render_notice"]
