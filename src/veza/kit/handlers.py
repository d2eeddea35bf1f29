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

from veza.kit.envelope import error_body, printable
from veza.kit.errors import VezaError
from veza.kit.schemas import UNREADABLE_TEXT

log = structlog.get_logger("veza.errors")

# Values of these fields are never echoed back in validation details nor logged.
_SECRET_FIELD_MARKERS = ("password", "secret", "token", "code", "key", "credential")

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


def _field_name(loc: tuple[Any, ...]) -> str:
    # FastAPI prefixes the location with where the value came from (body, query, path, header).
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    return printable(".".join(parts) or "body")


def _shown_value(field: str, value: Any) -> str:
    if any(marker in field.lower() for marker in _SECRET_FIELD_MARKERS):
        return "[redacted]"
    if value is None or isinstance(value, dict | list):
        return ""
    text = printable(str(value))
    return text if len(text) <= 200 else text[:200] + "..."


def validation_details(errors: Any) -> list[dict[str, str]]:
    """Pydantic's errors as the envelope's details, every string of them encodable (they are
    sent in 400s and in the 200 of POST /validate)."""
    details = []
    for err in errors:
        loc, shown = tuple(err.get("loc", ())), err.get("input")
        if err.get("type") == UNREADABLE_TEXT:  # name and show the very string in the field
            where = err.get("ctx", {})
            if where.get("at"):
                loc = (*loc, where["at"])
            shown = where.get("text")
        field = _field_name(loc)
        # A validator's message may quote the input: printable, as the value is.
        message = printable(str(err.get("msg", "Invalid value")))
        if err.get("type") == "missing":
            message = "field required"
        details.append({"field": field, "message": message, "value": _shown_value(field, shown)})
    return details


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
