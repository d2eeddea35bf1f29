"""HTTP and WebSocket routes of the queue domain. Static paths first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, WebSocket

from veza.auth.dependencies import CurrentUser
from veza.kit.dependencies import DbSession
from veza.kit.envelope import Envelope, ok
from veza.queue import schemas, service, sessions, sockets
from veza.queue.dependencies import Tools
from veza.queue.schemas import QueueItemId, SessionToken

router = APIRouter()


@router.delete("/queue", tags=["Queue"], summary="Clear queue")
async def delete_queue(session: DbSession, user: CurrentUser) -> Envelope[schemas.Message]:
    return ok(await service.clear_queue(session, user))


@router.get("/queue", tags=["Queue"], summary="Get user playback queue")
async def get_queue(
    session: DbSession, user: CurrentUser, tools: Tools
) -> Envelope[schemas.QueueData]:
    return ok(await service.get_queue(session, user, tools=tools))


@router.put("/queue", tags=["Queue"], summary="Update user playback queue")
async def put_queue(
    session: DbSession,
    user: CurrentUser,
    tools: Tools,
    body: Annotated[schemas.UpdateQueueRequest, Body(description="Queue update payload")],
) -> Envelope[schemas.QueueData]:
    return ok(await service.update_queue(session, user, body, tools=tools))


@router.post("/queue/items", tags=["Queue"], summary="Add track to queue", status_code=201)
async def post_queue_items(
    session: DbSession,
    user: CurrentUser,
    tools: Tools,
    body: Annotated[schemas.AddQueueItemRequest, Body(description="Track to enqueue")],
) -> Envelope[schemas.QueueItemData]:
    return ok(await service.add_item(session, user, body, tools=tools))


@router.delete("/queue/items/{id}", tags=["Queue"], summary="Remove queue item")
async def delete_queue_items_id(
    session: DbSession, user: CurrentUser, item_id: QueueItemId
) -> Envelope[schemas.Message]:
    return ok(await service.remove_item(session, user, item_id))


@router.websocket("/queue/live")
async def queue_live(websocket: WebSocket) -> None:
    """The caller's own queue, live (docs/REALTIME.md)."""
    await sockets.follow_queue(websocket)


@router.post(
    "/queue/session", tags=["Queue"], summary="Create collaborative queue session", status_code=201
)
async def post_queue_session(
    session: DbSession, user: CurrentUser, tools: Tools
) -> Envelope[schemas.CreatedSession]:
    return ok(await sessions.create_session(session, user, tools=tools))


@router.delete("/queue/session/{token}", tags=["Queue"], summary="Delete queue session")
async def delete_queue_session_token(
    session: DbSession, user: CurrentUser, token: SessionToken
) -> Envelope[schemas.Message]:
    return ok(await sessions.delete_session(session, user, token))


@router.get("/queue/session/{token}", tags=["Queue"], summary="Get queue session by share token")
async def get_queue_session_token(
    session: DbSession, tools: Tools, token: SessionToken
) -> Envelope[schemas.SessionData]:
    return ok(await sessions.get_session(session, token, tools=tools))


@router.put(
    "/queue/session/{token}",
    tags=["Queue"],
    summary="Update the session host's playback state",
    description=(
        "The host's current track, position (ms) and playing flag, which every listener "
        "follows. Only the host (403 for others, 404 for an unknown or ended token). An "
        "addition to the contract (docs/CONFORMANCE.md)."
    ),
)
async def put_queue_session_token(
    session: DbSession,
    user: CurrentUser,
    tools: Tools,
    token: SessionToken,
    body: Annotated[schemas.UpdateSessionStateRequest, Body(description="Playback state")],
) -> Envelope[schemas.SessionData]:
    return ok(await sessions.update_state(session, user, token, body, tools=tools))


@router.websocket("/queue/session/{token}/live")
async def queue_session_live(websocket: WebSocket, token: str) -> None:
    """A listening session, live (docs/REALTIME.md)."""
    await sockets.follow_session(websocket, token)


@router.post(
    "/queue/session/{token}/items",
    tags=["Queue"],
    summary="Add track to queue session",
    status_code=201,
)
async def post_queue_session_token_items(
    session: DbSession,
    user: CurrentUser,
    tools: Tools,
    token: SessionToken,
    body: Annotated[schemas.AddToSessionRequest, Body(description="Track to enqueue")],
) -> Envelope[schemas.SessionData]:
    return ok(await sessions.add_to_session(session, user, token, body, tools=tools))


@router.delete(
    "/queue/session/{token}/items/{id}", tags=["Queue"], summary="Remove item from queue session"
)
async def delete_queue_session_token_items_id(
    session: DbSession, user: CurrentUser, token: SessionToken, item_id: QueueItemId
) -> Envelope[schemas.Message]:
    return ok(await sessions.remove_from_session(session, user, token, item_id))
