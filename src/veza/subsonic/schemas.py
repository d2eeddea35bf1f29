"""Bodies and answers of the Subsonic access routes (/api/v1/subsonic/..., outside the
contract and the served schema; docs/SUBSONIC.md)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, Field

from veza.kit.schemas import RequestModel, UTCTimestamp
from veza.subsonic.credentials import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

ApiKeyId = Annotated[uuid.UUID, Path(alias="id", description="Subsonic API key ID")]


class SetSubsonicPasswordRequest(RequestModel):
    current_password: str = Field(..., min_length=1, max_length=1024)
    password: str = Field(..., min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)


class CreateApiKeyRequest(RequestModel):
    current_password: str = Field(..., min_length=1, max_length=1024)
    name: str = Field(..., min_length=1, max_length=100)


class ApiKeyView(BaseModel):
    id: uuid.UUID
    name: str
    created_at: UTCTimestamp
    last_used_at: UTCTimestamp | None = None


class NewApiKey(ApiKeyView):
    key: str = Field(description="Shown once: send it as apiKey")


class NewApiKeyData(BaseModel):
    api_key: NewApiKey


class ApiKeyList(BaseModel):
    api_keys: list[ApiKeyView]


class SubsonicAccess(BaseModel):
    has_password: bool
    api_keys: list[ApiKeyView]


class Message(BaseModel):
    message: str
