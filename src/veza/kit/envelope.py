"""The contract's response envelope.

{"success": true, "data": ...} on success, {"success": false, "error": {...}} on failure.
"""

from __future__ import annotations

import math
import uuid
from typing import Any, Generic, TypeVar

import orjson
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
    # Envelope itself: ``Envelope[T]`` is the same class, but pydantic's lookup of it cost
    # ~0.2 ms per call (docs/PERFORMANCE.md, "Hot reads").
    return Envelope(data=data)


def ok_json(data: Any) -> bytes:
    """``{"success": true, "data": ...}`` of JSON-ready ``data`` in one pass, as FastAPI writes
    a response model of it: timestamps in RFC 3339 with a Z, UUIDs as their text (the
    hot reads' presenters build ``data`` without a pydantic model; docs/PERFORMANCE.md)."""
    return orjson.dumps({"success": True, "data": data}, option=orjson.OPT_UTC_Z, default=_text_of)


def _text_of(value: Any) -> str:
    """What orjson does not encode itself: the PostgreSQL driver's UUID (a uuid.UUID subclass)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON data")


def printable(text: str) -> str:
    """``text`` as it can be encoded in UTF-8: lone surrogates become their escape text
    (``\\ud800``), everything else is kept."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def encodable(value: Any) -> Any:
    """``value`` with every string in it (keys too) made ``printable``; anything that is not
    JSON data becomes its printable ``str``, so an error can always be rendered."""
    if isinstance(value, str):
        return printable(value)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {printable(str(key)): encodable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [encodable(item) for item in value]
    return printable(str(value))


def error_body(
    code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The error envelope as a plain dict, for the handlers and the middleware. Whatever the
    message and details echo (a client's value among them), the body can be encoded."""
    body = {
        "success": False,
        "error": {"code": code, "message": message, "details": details or []},
    }
    encoded: dict[str, Any] = encodable(body)
    return encoded
