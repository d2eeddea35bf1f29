"""One error hierarchy: every refusal the API makes is a VezaError subclass.

A subclass carries its HTTP status and a stable machine-readable code; the single handler in
``kit.handlers`` renders it as the contract's error envelope.
"""

from __future__ import annotations

from typing import Any


class VezaError(Exception):
    status_code: int = 500
    code: str = "INTERNAL_ERROR"
    message: str = "Internal server error"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.details = details or []
        self.headers = headers or {}
        super().__init__(self.message)


class BadRequest(VezaError):
    status_code = 400
    code = "BAD_REQUEST"
    message = "Bad request"


class ValidationFailed(BadRequest):
    code = "VALIDATION_ERROR"
    message = "Validation failed"

    @classmethod
    def field(cls, field: str, message: str, value: Any = None) -> ValidationFailed:
        """A validation failure on one field, for checks made after schema validation."""
        shown = "" if value is None else str(value)
        return cls(message, details=[{"field": field, "message": message, "value": shown}])


class Unauthorized(VezaError):
    status_code = 401
    code = "UNAUTHORIZED"
    message = "Authentication required"

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(message, **kwargs)


class Forbidden(VezaError):
    status_code = 403
    code = "FORBIDDEN"
    message = "You are not allowed to do this"


class NotFound(VezaError):
    status_code = 404
    code = "NOT_FOUND"
    message = "Resource not found"


class MethodNotAllowed(VezaError):
    status_code = 405
    code = "METHOD_NOT_ALLOWED"
    message = "Method not allowed"


class Conflict(VezaError):
    status_code = 409
    code = "CONFLICT"
    message = "Resource already exists"


class Gone(VezaError):
    status_code = 410
    code = "GONE"
    message = "Resource is no longer available"


class PayloadTooLarge(VezaError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"
    message = "Request body is too large"


class UnsupportedMediaType(VezaError):
    status_code = 415
    code = "UNSUPPORTED_MEDIA_TYPE"
    message = "Unsupported media type"


class RangeNotSatisfiable(VezaError):
    status_code = 416
    code = "RANGE_NOT_SATISFIABLE"
    message = "Requested range not satisfiable"


class RateLimited(VezaError):
    status_code = 429
    code = "RATE_LIMITED"
    message = "Too many requests"

    def __init__(self, retry_after: int, message: str | None = None, **kwargs: Any) -> None:
        self.retry_after = max(1, int(retry_after))
        kwargs.setdefault("headers", {"Retry-After": str(self.retry_after)})
        super().__init__(message, **kwargs)


class NotImplementedYet(VezaError):
    """An operation of the contract that is routed and declared but not built (501)."""

    status_code = 501
    code = "NOT_IMPLEMENTED"
    message = "This operation is not implemented yet"


class ServiceUnavailable(VezaError):
    status_code = 503
    code = "SERVICE_UNAVAILABLE"
    message = "Service unavailable"


class KeepChanges(Exception):
    """Refuse with ``error``, but commit what the request wrote first.

    For refusals that must leave a trace: a failed login keeps its audit row, a reused refresh
    token keeps its family revoked, although both answer 401. The session dependency
    (``veza.kit.db.get_db_session``) commits, then reports ``error``.
    """

    def __init__(self, error: VezaError) -> None:
        super().__init__(error.message)
        self.error = error


def first_line(exc: BaseException) -> str:
    """What an exception says, in one line (its type's name when it says nothing)."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
