"""The contract's response envelope.

{"success": true, "data": ...} on success, {"success": false, "error": {...}} on failure.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    success: bool = True
    data: T


class FieldError(BaseModel):
    field: str
    message: str
    value: str = ""


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: list[FieldError] = Field(default_factory=list)


class ErrorEnvelope(BaseModel):
    success: bool = False
    error: ErrorInfo


def ok(data: T) -> Envelope[T]:
    return Envelope[T](data=data)


def error_body(
    code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The error envelope as a plain dict, for the handlers and the middleware."""
    return {
        "success": False,
        "error": {"code": code, "message": message, "details": details or []},
    }
