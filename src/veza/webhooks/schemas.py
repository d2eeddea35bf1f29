"""Request and response models of the webhooks domain."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Path
from pydantic import AwareDatetime, BaseModel, Field, field_validator

from veza.kit.outbound import OutboundRefused, parse_url
from veza.kit.pagination import Pagination
from veza.kit.schemas import RequestModel, UTCTimestamp
from veza.webhooks.catalogue import EVENT_NAMES

MAX_URL_LENGTH = 2048
MAX_EVENTS = len(EVENT_NAMES)

# The {id} of /webhooks/{id} routes (the handler's parameter is ``webhook_id``).
WebhookId = Annotated[uuid.UUID, Path(alias="id", description="Webhook ID")]
AttemptId = Annotated[uuid.UUID, Path(alias="attempt_id", description="Delivery attempt ID")]


class CreateWebhookRequest(RequestModel):
    url: str = Field(..., min_length=1, max_length=MAX_URL_LENGTH)
    events: list[str] = Field(..., min_length=1, max_length=MAX_EVENTS)
    description: str | None = Field(None, max_length=500)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        try:
            parse_url(value)
        except OutboundRefused as exc:
            raise ValueError(str(exc)) from exc
        return value.strip()

    @field_validator("events")
    @classmethod
    def _known_events(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in EVENT_NAMES]
        if unknown:
            raise ValueError(
                f"unknown event {unknown[0]!r}; known: {', '.join(sorted(EVENT_NAMES))}"
            )
        return sorted(set(value))


class RedeliverRequest(RequestModel):
    since: AwareDatetime = Field(
        ..., description="Failed deliveries created at or after this time (RFC 3339 with a zone)"
    )


class WebhookResponse(BaseModel):
    id: uuid.UUID
    url: str
    events: list[str]
    description: str | None = None
    is_active: bool
    consecutive_failures: int
    disabled_at: UTCTimestamp | None = None
    created_at: UTCTimestamp
    updated_at: UTCTimestamp


class CreatedWebhook(WebhookResponse):
    # Shown once: at creation (here) and at regeneration.
    api_key: str


class WebhookList(BaseModel):
    webhooks: list[WebhookResponse]


class WebhookCreated(BaseModel):
    webhook: CreatedWebhook


class Message(BaseModel):
    message: str


class RegeneratedKey(BaseModel):
    api_key: str
    message: str


class WebhookStatsItem(BaseModel):
    webhook_id: uuid.UUID
    url: str
    is_active: bool
    deliveries: int = Field(description="Attempts made in the log's retention window")
    successes: int
    failures: int
    pending: int = Field(description="Messages waiting for their first try or a retry")
    p50_latency_ms: int | None = None
    p95_latency_ms: int | None = None
    last_error: str | None = None
    last_error_at: UTCTimestamp | None = None
    last_attempt_at: UTCTimestamp | None = None


class WebhookStatsTotals(BaseModel):
    webhooks: int
    active_webhooks: int
    deliveries: int
    successes: int
    failures: int
    pending: int
    per_webhook: list[WebhookStatsItem]


class WebhookStats(BaseModel):
    stats: WebhookStatsTotals


class SentRequest(BaseModel):
    method: str
    url: str
    headers: dict[str, str]
    body: str


class ReceivedAnswer(BaseModel):
    status_code: int
    headers: dict[str, str]
    body: str = Field(description="The first KiB of the answer")
    latency_ms: int


class TestResult(BaseModel):
    message: str
    success: bool
    request: SentRequest
    response: ReceivedAnswer | None = None
    error: str | None = None


class AttemptResponse(BaseModel):
    id: uuid.UUID
    delivery_id: str = Field(description="The webhook-id header of the message")
    event: str
    attempted_at: UTCTimestamp
    succeeded: bool
    status_code: int | None = None
    latency_ms: int
    error: str | None = None
    response_body: str | None = None
    delivery_status: str


class AttemptPage(BaseModel):
    attempts: list[AttemptResponse]
    pagination: Pagination


class Redelivered(BaseModel):
    message: str
    redelivered: int
    delivery_ids: list[str]


JsonPayload = dict[str, Any]
