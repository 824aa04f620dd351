"""Work that advances rows of the store: queued in a transaction, run by a `Runner`."""

from pledge.jobs.queue import enqueue
from pledge.jobs.registry import JOBS, JobContext, JobRegistry, job
from pledge.jobs.runner import Runner, RunReport

__all__ = ["JOBS", "JobContext", "JobRegistry", "RunReport", "Runner", "enqueue", "job"]
