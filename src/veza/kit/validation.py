"""Pydantic's validation errors as the error envelope's details: for the 400 handler and for the
services that validate a document themselves (uploads, POST /validate). No web framework here,
so the worker can import those services without FastAPI."""

from __future__ import annotations

from typing import Any

from veza.kit.envelope import printable
from veza.kit.schemas import UNREADABLE_TEXT

# Values of these fields are never echoed back in validation details nor logged.
_SECRET_FIELD_MARKERS = ("password", "secret", "token", "code", "key", "credential")


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
