"""The jobs that move requests along; each takes a request's reference and nothing else."""

from __future__ import annotations

from pledge.errors import NotFound
from pledge.jobs.registry import JobContext, job
from pledge.rights.acknowledgement import acknowledge
from pledge.rights.requests import ACKNOWLEDGE_JOB


# A reference with no request behind it will not appear by trying again: fail at once. A
# request moved by someone else meanwhile (RequestChanged) is retried, and the next run
# reads the state afresh.
@job(ACKNOWLEDGE_JOB, throws=(NotFound,))
def acknowledge_request(ctx: JobContext, ref: str) -> None:
    """Record that receipt was acknowledged, then start the identity step (or run an opt-out)."""
    acknowledge(ctx.session, ref, actor=ctx.actor, now=ctx.now)
