"""The plan Pledge would run for a request's person, explained, or why it cannot be built.

Building it reads the company databases' schemas as they are now, so it is made only when
staff ask for it. A source that cannot be reached is named, with the database's own first
line of complaint (never the statement or its values, which may be personal data).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError, StatementError

from pledge.declaration.model import Declaration
from pledge.errors import PledgeError
from pledge.rights.subject_rows import build_request_plan
from pledge.services import Services
from pledge.sources.plan_explain import explain
from pledge.store.tables import RequestRow


@dataclass(frozen=True)
class PlanOutcome:
    text: str  # the explained plan; "" when it could not be built
    problem: str = ""
    hint: str = ""


def plan_for(services: Services, declaration: Declaration, row: RequestRow) -> PlanOutcome:
    try:
        return PlanOutcome(explain(build_request_plan(services, declaration, row)))
    except PledgeError as exc:
        return PlanOutcome("", exc.message, exc.hint)
    except SQLAlchemyError as exc:
        unreachable = _unreachable(services)
        if unreachable:
            return PlanOutcome(
                "",
                "; ".join(unreachable),
                "check that the database is up and that its URL (the source's url_env"
                " variable) points at it",
            )
        return PlanOutcome(
            "",
            f"reading the sources' schemas failed: {_first_line(exc)}",
            "the server log may say more",
        )


def _unreachable(services: Services) -> list[str]:
    """One line per source whose database does not answer."""
    found = []
    for name, engine in services.engines().items():
        try:
            with engine.connect():
                pass
        except SQLAlchemyError as exc:
            found.append(f"source '{name}' could not be reached: {_first_line(exc)}")
    return found


def _first_line(exc: SQLAlchemyError) -> str:
    inner: BaseException = exc
    if isinstance(exc, StatementError) and exc.orig is not None:
        inner = exc.orig
    lines = str(inner).strip().splitlines()
    return f"{type(inner).__name__}: {lines[0] if lines else ''}"
