"""Request and response models of the platform domain (config, validation, frontend logs)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from veza.kit.schemas import RequestModel

FrontendLogLevel = Literal["debug", "info", "warn", "warning", "error", "fatal"]


class ValidateRequest(RequestModel):
    # The contract documents Go's []byte as an integer array; the original takes a base64 string.
    # We accept a JSON object, a base64 string of JSON, or an array of byte values.
    data: dict[str, Any] | str | list[int] = Field(..., description="The data to validate")
    type: str = Field(..., min_length=1, description='e.g., "RegisterRequest", "LoginRequest"')


class FieldErrorItem(BaseModel):
    field: str
    message: str
    value: str = ""


class ValidateResponse(BaseModel):
    valid: bool
    message: str
    errors: list[FieldErrorItem] = Field(default_factory=list)


class FrontendLogRequest(RequestModel):
    context: dict[str, Any] | None = None
    data: Any | None = None
    level: FrontendLogLevel | None = None
    message: str | None = Field(None, max_length=10_000)
    timestamp: str | None = Field(None, max_length=64)


class FrontendLogReceived(BaseModel):
    received: bool = True


class IceServer(BaseModel):
    urls: list[str]
    username: str | None = None
    credential: str | None = None


class WebRTCConfigResponse(BaseModel):
    iceServers: list[IceServer]
