"""HTTP routes of the webhooks domain."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path

from veza.auth.dependencies import CurrentUser
from veza.kit.errors import NotImplementedYet
from veza.kit.routing import not_implemented
from veza.kit.schemas import JsonObject

router = APIRouter()


@router.get("/webhooks", tags=["Webhook"], summary="List webhooks")
@not_implemented
async def get_webhooks(
    user: CurrentUser,
) -> None:
    raise NotImplementedYet()


@router.post("/webhooks", tags=["Webhook"], summary="Register webhook", status_code=201)
@not_implemented
async def post_webhooks(
    user: CurrentUser,
    body: Annotated[JsonObject, Body(description="Webhook registration data")],
) -> None:
    raise NotImplementedYet()


@router.get("/webhooks/stats", tags=["Webhook"], summary="Get webhook statistics")
@not_implemented
async def get_webhooks_stats(
    user: CurrentUser,
) -> None:
    raise NotImplementedYet()


@router.delete("/webhooks/{id}", tags=["Webhook"], summary="Delete webhook")
@not_implemented
async def delete_webhooks_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Webhook ID")],
) -> None:
    raise NotImplementedYet()


@router.post(
    "/webhooks/{id}/regenerate-key", tags=["Webhook"], summary="Regenerate webhook API key"
)
@not_implemented
async def post_webhooks_id_regenerate_key(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Webhook ID")],
) -> None:
    raise NotImplementedYet()


@router.post("/webhooks/{id}/test", tags=["Webhook"], summary="Test webhook")
@not_implemented
async def post_webhooks_id_test(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Webhook ID")],
) -> None:
    raise NotImplementedYet()
