"""The one error shape the server answers with, and the handlers that produce it.

Every failure becomes `{"error": {"status": ..., "message": ..., "hint": ...}}`: a
`PledgeError` (status on its class), an HTTP error raised by routing (404, 405), a request
that fails validation (422), and anything unexpected (500, logged with its traceback).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from pledge.errors import PledgeError
from pledge.web.security import security_headers

_HINTS = {
    404: "see /docs for the routes this server offers",
    405: "see /docs for the methods each route accepts",
}


class ErrorDetail(BaseModel):
    status: int
    message: str
    hint: str = ""


class ErrorEnvelope(BaseModel):
    error: ErrorDetail


def error_response(
    status: int, message: str, hint: str = "", headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = ErrorEnvelope(error=ErrorDetail(status=status, message=message, hint=hint))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


async def _pledge_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PledgeError)
    message = f"{exc.where}: {exc.message}" if exc.where else exc.message
    return error_response(exc.status_code, message, exc.hint)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return error_response(
        exc.status_code, str(exc.detail), _HINTS.get(exc.status_code, ""), exc.headers
    )


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [_describe(error) for error in exc.errors()]
    return error_response(422, "; ".join(problems), "see /docs for what this route accepts")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Starlette logs the traceback after this handler answers; the client gets no internals.
    # This answer leaves from outside the middleware stack, so it carries its own headers.
    return error_response(
        500,
        "internal error",
        "this is a bug in Pledge; the server log has the details",
        security_headers(request.url.path),
    )


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()))
    return f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg"))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PledgeError, _pledge_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(Exception, _unexpected)


# For `responses=` on routes, so the OpenAPI schema shows the real error shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorEnvelope, "description": "Not found"},
    422: {"model": ErrorEnvelope, "description": "The request is not valid"},
}
