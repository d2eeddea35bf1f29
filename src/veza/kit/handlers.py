"""The one place where exceptions become HTTP responses in the contract's error envelope."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from veza.kit.envelope import error_body
from veza.kit.errors import VezaError
from veza.kit.validation import validation_details

log = structlog.get_logger("veza.errors")

_HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
}


def _header_value(value: Any) -> str:
    """A header value the server can send: latin-1 only, no line breaks."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    return text if text.isascii() else text.encode("ascii", "backslashreplace").decode("ascii")


def _response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    """``body`` comes from ``error_body``, whose strings are all encodable."""
    safe_headers = {str(name): _header_value(value) for name, value in (headers or {}).items()}
    return JSONResponse(status_code=status, content=body, headers=safe_headers)


async def handle_veza_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, VezaError)
    return _response(exc.status_code, error_body(exc.code, exc.message, exc.details), exc.headers)


async def handle_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(err.get("type") == "json_invalid" for err in errors):
        return _response(400, error_body("INVALID_JSON", "Request body is not valid JSON"))
    return _response(
        400, error_body("VALIDATION_ERROR", "Validation failed", validation_details(errors))
    )


async def handle_http_exception(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = _HTTP_CODES.get(status, "HTTP_ERROR")
    message = exc.detail if isinstance(exc.detail, str) else "Request failed"
    if status == 404:
        message = "Route not found"
    return _response(status, error_body(code, message), dict(exc.headers or {}))


# Seconds a client is told to wait when the database is saturated: the busy spells seen under
# load last a few seconds (SQLite's one writer, a PostgreSQL pool with every connection out).
DATABASE_BUSY_RETRY_AFTER = 2


def _database_busy(exc: Exception) -> bool:
    """Whether ``exc`` says the database was too busy to take the request, not that it failed:
    SQLite's write lock still held by another writer after the busy timeout, or no pooled
    connection free within the pool's timeout."""
    if isinstance(exc, PoolTimeout):
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


async def handle_database_error(request: Request, exc: Exception) -> JSONResponse:
    if not _database_busy(exc):
        return await handle_unexpected(request, exc)
    log.warning("database_busy", exc_type=type(exc).__name__)
    return _response(
        503,
        error_body("SERVICE_UNAVAILABLE", "The database is busy; try again shortly"),
        {"Retry-After": str(DATABASE_BUSY_RETRY_AFTER)},
    )


async def handle_unexpected(_: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the log only; the client sees a generic message.
    log.exception("unhandled_error", exc_type=type(exc).__name__)
    return _response(500, error_body("INTERNAL_ERROR", "Internal server error"))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(VezaError, handle_veza_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(OperationalError, handle_database_error)
    app.add_exception_handler(PoolTimeout, handle_database_error)
    app.add_exception_handler(Exception, handle_unexpected)
