"""Rendering the staff console's HTML pages (templates/admin/), with their own headers.

Staff pages post forms back to this site, which the notice's policy (`form-action 'none'`)
forbids: they carry a policy of their own, which the security middleware leaves in place.
They show personal data and differ per account, so no cache may keep them.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

ADMIN_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PRIVATE_HEADERS = {"Content-Security-Policy": ADMIN_POLICY, "Cache-Control": "no-store"}

_ENVIRONMENT = Environment(
    loader=PackageLoader("pledge.web", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
    undefined=StrictUndefined,
)


def admin_page(
    template: str,
    context: Mapping[str, object],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """`templates/admin/<template>` rendered, with the staff pages' policy and no caching.

    The context should hold `staff` (or None): the layout names the account from it.
    """
    html = _ENVIRONMENT.get_template(f"admin/{template}").render(context)
    return HTMLResponse(html, status_code=status, headers={**PRIVATE_HEADERS, **(headers or {})})
