"""Base models shared by every domain's schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer


class RequestModel(BaseModel):
    """A request body: unknown fields are ignored (clients may be newer), strings are stripped of
    nothing (passwords and content are kept exactly as given)."""

    model_config = ConfigDict(extra="ignore")


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# RFC 3339 in UTC with a Z suffix, whatever zone the value carries.
UTCTimestamp = Annotated[datetime, PlainSerializer(_rfc3339, return_type=str)]
