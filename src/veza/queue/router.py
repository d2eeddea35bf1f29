"""HTTP routes of the queue domain."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path

from veza.auth.dependencies import CurrentUser
from veza.kit.errors import NotImplementedYet
from veza.kit.routing import not_implemented
from veza.queue import schemas

router = APIRouter()


@router.delete("/queue", tags=["Queue"], summary="Clear queue")
@not_implemented
async def delete_queue(
    user: CurrentUser,
) -> None:
    raise NotImplementedYet()


@router.get("/queue", tags=["Queue"], summary="Get user playback queue")
@not_implemented
async def get_queue(
    user: CurrentUser,
) -> None:
    raise NotImplementedYet()


@router.put("/queue", tags=["Queue"], summary="Update user playback queue")
@not_implemented
async def put_queue(
    user: CurrentUser,
    body: Annotated[schemas.UpdateQueueRequest, Body(description="Queue update payload")],
) -> None:
    raise NotImplementedYet()


@router.post("/queue/items", tags=["Queue"], summary="Add track to queue", status_code=201)
@not_implemented
async def post_queue_items(
    user: CurrentUser,
    body: Annotated[schemas.AddQueueItemRequest, Body(description="Track to enqueue")],
) -> None:
    raise NotImplementedYet()


@router.delete("/queue/items/{id}", tags=["Queue"], summary="Remove queue item")
@not_implemented
async def delete_queue_items_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Queue item ID (UUID)")],
) -> None:
    raise NotImplementedYet()


@router.post(
    "/queue/session", tags=["Queue"], summary="Create collaborative queue session", status_code=201
)
@not_implemented
async def post_queue_session(
    user: CurrentUser,
) -> None:
    raise NotImplementedYet()


@router.delete("/queue/session/{token}", tags=["Queue"], summary="Delete queue session")
@not_implemented
async def delete_queue_session_token(
    user: CurrentUser,
    token: Annotated[str, Path(description="Session share token")],
) -> None:
    raise NotImplementedYet()


@router.get("/queue/session/{token}", tags=["Queue"], summary="Get queue session by share token")
@not_implemented
async def get_queue_session_token(
    token: Annotated[str, Path(description="Session share token")],
) -> None:
    raise NotImplementedYet()


@router.post(
    "/queue/session/{token}/items",
    tags=["Queue"],
    summary="Add track to queue session",
    status_code=201,
)
@not_implemented
async def post_queue_session_token_items(
    user: CurrentUser,
    token: Annotated[str, Path(description="Session share token")],
    body: Annotated[schemas.AddToSessionRequest, Body(description="Track to enqueue")],
) -> None:
    raise NotImplementedYet()


@router.delete(
    "/queue/session/{token}/items/{id}", tags=["Queue"], summary="Remove item from queue session"
)
@not_implemented
async def delete_queue_session_token_items_id(
    user: CurrentUser,
    token: Annotated[str, Path(description="Session share token")],
    id: Annotated[UUID, Path(description="Queue item ID (UUID)")],
) -> None:
    raise NotImplementedYet()
