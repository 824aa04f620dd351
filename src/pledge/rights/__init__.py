"""Rights requests: their lifecycle in the store, their legal deadlines, the jobs that advance them.

Importing this package registers its job handlers (pledge.rights.jobs) on `pledge.jobs.JOBS`.
"""

from pledge.rights import jobs as _jobs  # noqa: F401  (registers the handlers)
from pledge.rights import recipients as _recipients  # noqa: F401  (registers its jobs)
from pledge.rights.acknowledgement import acknowledge
from pledge.rights.deadlines import Clock, clock_for, is_due_soon, is_overdue, local_day
from pledge.rights.events import timeline
from pledge.rights.lifecycle import STATES, TRANSITIONS, next_states
from pledge.rights.requests import (
    RequestChanged,
    create_request,
    due_date,
    extend,
    get_request,
    list_requests,
    transition,
)
from pledge.rights.types import HANDLING, REQUEST_TYPES, available_types

__all__ = [
    "HANDLING",
    "REQUEST_TYPES",
    "STATES",
    "TRANSITIONS",
    "Clock",
    "RequestChanged",
    "acknowledge",
    "available_types",
    "clock_for",
    "create_request",
    "due_date",
    "extend",
    "get_request",
    "is_due_soon",
    "is_overdue",
    "list_requests",
    "local_day",
    "next_states",
    "timeline",
    "transition",
]
