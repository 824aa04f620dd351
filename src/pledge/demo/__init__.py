"""Maple & Finch, the demo company: its shop and CRM databases, generated at any scale.

`create_demo(shop_engine, crm_engine, scale=..., seed=..., as_of=...)` creates both databases
and fills them; `pledge demo create` is its command. The demo declaration
(examples/demo/pledge.yaml) maps every table and column in its `sources`, and reads the
databases' URLs from `SHOP_URL_ENV` and `CRM_URL_ENV`. Jane Doe (`DEMO_PERSON`) is always
there, with her partner John, for a first request.
"""

from pledge.demo.load import MIN_SCALE, DemoReport, TableLoad, create_demo
from pledge.demo.people import JANE_EMAIL, JOHN_EMAIL

SHOP_URL_ENV = "PLEDGE_DEMO_SHOP_URL"
CRM_URL_ENV = "PLEDGE_DEMO_CRM_URL"
DEMO_PERSON = JANE_EMAIL

__all__ = [
    "CRM_URL_ENV",
    "DEMO_PERSON",
    "JANE_EMAIL",
    "JOHN_EMAIL",
    "MIN_SCALE",
    "SHOP_URL_ENV",
    "DemoReport",
    "TableLoad",
    "create_demo",
]
