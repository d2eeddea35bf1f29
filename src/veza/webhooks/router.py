"""HTTP routes of the webhooks domain (static paths first)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from veza.auth.dependencies import CurrentUser
from veza.kit.dependencies import AppSettings, DbSession, Paging
from veza.kit.envelope import Envelope, ok
from veza.webhooks import schemas, service
from veza.webhooks.schemas import AttemptId, WebhookId

router = APIRouter()


@router.get("/webhooks", tags=["Webhook"], summary="List webhooks")
async def get_webhooks(session: DbSession, user: CurrentUser) -> Envelope[schemas.WebhookList]:
    return ok(await service.list_webhooks(session, user))


@router.post("/webhooks", tags=["Webhook"], summary="Register webhook", status_code=201)
async def post_webhooks(
    session: DbSession,
    user: CurrentUser,
    settings: AppSettings,
    body: Annotated[schemas.CreateWebhookRequest, Body(description="Webhook registration data")],
) -> Envelope[schemas.WebhookCreated]:
    return ok(await service.create_webhook(session, user, body, settings=settings))


@router.get("/webhooks/stats", tags=["Webhook"], summary="Get webhook statistics")
async def get_webhooks_stats(
    session: DbSession, user: CurrentUser, settings: AppSettings
) -> Envelope[schemas.WebhookStats]:
    return ok(await service.stats(session, user, settings=settings))


@router.delete("/webhooks/{id}", tags=["Webhook"], summary="Delete webhook")
async def delete_webhooks_id(
    session: DbSession, user: CurrentUser, webhook_id: WebhookId
) -> Envelope[schemas.Message]:
    return ok(await service.delete_webhook(session, user, webhook_id))


@router.post(
    "/webhooks/{id}/regenerate-key", tags=["Webhook"], summary="Regenerate webhook API key"
)
async def post_webhooks_id_regenerate_key(
    session: DbSession, user: CurrentUser, settings: AppSettings, webhook_id: WebhookId
) -> Envelope[schemas.RegeneratedKey]:
    return ok(await service.regenerate_key(session, user, webhook_id, settings=settings))


@router.post("/webhooks/{id}/test", tags=["Webhook"], summary="Test webhook")
async def post_webhooks_id_test(
    session: DbSession, user: CurrentUser, settings: AppSettings, webhook_id: WebhookId
) -> Envelope[schemas.TestResult]:
    return ok(await service.test_webhook(session, user, webhook_id, settings=settings))


@router.get(
    "/webhooks/{id}/deliveries",
    tags=["Webhook"],
    summary="Delivery log of a webhook (every attempt, newest first)",
)
async def get_webhooks_id_deliveries(
    session: DbSession, user: CurrentUser, webhook_id: WebhookId, paging: Paging
) -> Envelope[schemas.AttemptPage]:
    return ok(await service.delivery_log(session, user, webhook_id, paging))


@router.post(
    "/webhooks/{id}/deliveries/{attempt_id}/redeliver",
    tags=["Webhook"],
    summary="Send the message of one logged attempt again",
)
async def post_webhooks_id_deliveries_attempt_id_redeliver(
    session: DbSession, user: CurrentUser, webhook_id: WebhookId, attempt_id: AttemptId
) -> Envelope[schemas.Redelivered]:
    return ok(await service.redeliver_attempt(session, user, webhook_id, attempt_id))


@router.post(
    "/webhooks/{id}/redeliver",
    tags=["Webhook"],
    summary="Send again every failed message since a time",
)
async def post_webhooks_id_redeliver(
    session: DbSession,
    user: CurrentUser,
    webhook_id: WebhookId,
    body: Annotated[schemas.RedeliverRequest, Body(description="Since when")],
) -> Envelope[schemas.Redelivered]:
    return ok(await service.redeliver_failed(session, user, webhook_id, body))
