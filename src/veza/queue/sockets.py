"""The live sockets: the caller's own queue, and a listening session (docs/REALTIME.md).

A socket is opened in four steps: its Origin is checked against the CORS setting (a browser
page of another site is refused before the handshake completes); the caller is authenticated
(an access token or a stream token, from the Authorization header or the ``token`` query
parameter); the channel is subscribed to; then the snapshot is read and sent. Subscribing
before reading means no change is missed between the two (the version in each message tells a
client what the snapshot already holds). No database connection is held while the socket is
open.

Then two loops run until either ends: one sends what the channel carries (and a heartbeat
when it carried nothing for a while), the other reads what the client sends (the host's
playback state in a session). A client whose mailbox overflows, or that does not take a
message within the send timeout, is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from pydantic import ValidationError
from starlette.websockets import WebSocketState

from veza.auth.dependencies import authenticate_token
from veza.kit.db import Database, write_transaction
from veza.kit.errors import VezaError
from veza.kit.fanout import Broker, Subscription
from veza.kit.tokens import ACCESS_TOKEN_TYPE, STREAM_AUDIENCE, STREAM_TOKEN_TYPE
from veza.models import User
from veza.queue import live, schemas, service, sessions
from veza.queue.access import session_for_token
from veza.queue.dependencies import tools_for

log = structlog.get_logger(__name__)

# Close codes (docs/REALTIME.md). 1000 ends a session normally.
CLOSE_ENDED = 1000
CLOSE_POLICY = 1008  # Origin refused (before the handshake: HTTP 403)
CLOSE_UNAUTHORIZED = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_SLOW = 4408

# How an encoded session_ended message begins (live.encode puts the type first).
ENDED_PREFIX = live.encode(live.SESSION_ENDED).split(",")[0]

Snapshot = Callable[[], Awaitable[dict[str, Any]]]


def origin_allowed(app: FastAPI, origin: str | None) -> bool:
    """No Origin (not a browser), one of the CORS origins, or this API's own public URL."""
    if origin is None:
        return True
    server = app.state.settings.server
    allowed = {value.rstrip("/") for value in server.cors_origins}
    return "*" in allowed or origin.rstrip("/") in allowed | {server.public_url}


def _token(websocket: WebSocket) -> str:
    header = websocket.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return websocket.query_params.get("token", "").strip()


async def _caller(websocket: WebSocket, database: Database) -> User | None:
    token = _token(websocket)
    if not token:
        return None
    codec = websocket.app.state.tokens
    async with database.reader() as session:
        for typ, audience in ((ACCESS_TOKEN_TYPE, None), (STREAM_TOKEN_TYPE, STREAM_AUDIENCE)):
            try:
                caller = await authenticate_token(session, codec, token, typ=typ, audience=audience)
            except VezaError:
                continue
            return caller.user
    return None


async def _opened(websocket: WebSocket) -> User | None:
    """The authenticated caller once the socket is accepted; None when it was refused."""
    if not origin_allowed(websocket.app, websocket.headers.get("origin")):
        await websocket.close(code=CLOSE_POLICY)
        return None
    user = await _caller(websocket, websocket.app.state.db)
    await websocket.accept()
    if user is None:
        await websocket.close(code=CLOSE_UNAUTHORIZED, reason="authentication required")
    return user


# Following a channel -------------------------------------------------------------------------


async def _send_loop(websocket: WebSocket, subscription: Subscription, app: FastAPI) -> None:
    """Send what the channel carries, in order; stop after ``session_ended``. A message that
    takes longer than the send timeout to be written drops the client."""
    timeout = app.state.settings.queue.send_timeout_seconds
    while True:
        message = await subscription.next()
        try:
            async with asyncio.timeout(timeout):
                await websocket.send_text(message)
        except TimeoutError:
            await _close(websocket, CLOSE_TOO_SLOW, "client too slow")
            return
        if message.startswith(ENDED_PREFIX):
            await _close(websocket, CLOSE_ENDED, "session ended")
            return


async def _heartbeat(subscription: Subscription, seconds: float) -> None:
    """A ping in the mailbox whenever a whole period went by with nothing waiting or sent."""
    while True:
        sent_before = subscription.delivered
        await asyncio.sleep(seconds)
        if subscription.delivered == sent_before and subscription.waiting == 0:
            subscription.offer(live.encode(live.PING))


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    if websocket.application_state == WebSocketState.CONNECTED:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(websocket.close(code=code, reason=reason), 1.0)


Handler = Callable[[dict[str, Any]], Awaitable[None]]


async def _receive_loop(websocket: WebSocket, handle: Handler | None) -> None:
    while True:
        text = await websocket.receive_text()
        if handle is None:
            continue  # heartbeats' answers and anything else are read and dropped
        try:
            message = json.loads(text)
        except ValueError:
            continue
        if isinstance(message, dict):
            await handle(message)


async def _follow(
    websocket: WebSocket, channel: str, snapshot: Snapshot, handle: Handler | None = None
) -> None:
    app: FastAPI = websocket.app
    broker: Broker = app.state.broker
    settings = app.state.settings.queue
    subscription = await broker.subscribe(channel, settings.send_buffer_messages)
    try:
        try:
            first = await snapshot()
        except VezaError:
            await websocket.close(code=CLOSE_NOT_FOUND, reason="not found")
            return
        await websocket.send_text(live.encode(live.SNAPSHOT, **first))
        sender = asyncio.ensure_future(_send_loop(websocket, subscription, app))
        subscription.on_overflow = sender.cancel
        loops = {
            sender,
            asyncio.ensure_future(_receive_loop(websocket, handle)),
            asyncio.ensure_future(_heartbeat(subscription, settings.heartbeat_seconds)),
        }
        done, pending = await asyncio.wait(loops, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in pending | done:
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, Exception):
                await task
    except WebSocketDisconnect:
        pass
    finally:
        subscription.close()
        if subscription.overflowed:
            await _close(websocket, CLOSE_TOO_SLOW, "client too slow")
        await _close(websocket, CLOSE_ENDED, "")


async def follow_queue(websocket: WebSocket) -> None:
    user = await _opened(websocket)
    if user is None:
        return
    app: FastAPI = websocket.app
    tools = tools_for(app)

    async def snapshot() -> dict[str, Any]:
        async with app.state.db.reader() as session:
            data = await service.get_queue(session, user, tools=tools)
        return {"version": data.queue.version, **data.model_dump(mode="json")}

    await _follow(websocket, live.queue_channel(user.id), snapshot)


async def follow_session(websocket: WebSocket, token: str) -> None:
    user = await _opened(websocket)
    if user is None:
        return
    app: FastAPI = websocket.app
    tools = tools_for(app)
    async with app.state.db.reader() as session:
        try:
            listening = await session_for_token(session, token)
        except VezaError:
            await websocket.close(code=CLOSE_NOT_FOUND, reason="session not found")
            return

    async def snapshot() -> dict[str, Any]:
        async with app.state.db.reader() as session:
            data = await sessions.get_session(session, token, tools=tools)
        return {"version": data.session.version, **data.model_dump(mode="json")}

    async def handle(message: dict[str, Any]) -> None:
        if message.get("type") != live.STATE:
            return
        await _host_state(websocket, user, token, message)

    await _follow(websocket, live.session_channel(listening.id), snapshot, handle)


async def _host_state(
    websocket: WebSocket, user: User, token: str, message: dict[str, Any]
) -> None:
    """The host sends its playback state over the socket: the same rule as PUT /queue/session
    /{token}. A refusal is answered on the socket as an ``error`` message."""
    app: FastAPI = websocket.app
    fields = {key: value for key, value in message.items() if key != "type"}
    try:
        body = schemas.UpdateSessionStateRequest.model_validate(fields)
        async with write_transaction(app.state.db) as session:
            await sessions.update_state(session, user, token, body, tools=tools_for(app))
    except ValidationError as exc:
        await websocket.send_text(
            live.encode("error", code="VALIDATION_ERROR", message=str(exc.errors()[0]["msg"]))
        )
    except VezaError as exc:
        await websocket.send_text(live.encode("error", code=exc.code, message=exc.message))
