"""Base models shared by every domain's schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer, field_validator


def contains_nul(value: Any) -> bool:
    """True when a string, or a string inside lists and dicts, holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    return False


class RequestModel(BaseModel):
    """A request body: unknown fields are ignored (clients may be newer); strings are kept
    exactly as given (passwords, content), but never hold NUL characters, which no text
    legitimately carries and PostgreSQL refuses to store."""

    model_config = ConfigDict(extra="ignore")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        if contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# RFC 3339 in UTC with a Z suffix, whatever zone the value carries.
UTCTimestamp = Annotated[datetime, PlainSerializer(_rfc3339, return_type=str)]
