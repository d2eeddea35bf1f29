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
import time
from collections.abc import Awaitable, Callable, Coroutine, Generator
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
from veza.queue.access import is_host, session_for_token
from veza.queue.dependencies import tools_for
from veza.queue.errors import NotSessionHost

log = structlog.get_logger(__name__)

# Close codes (docs/REALTIME.md). 1000 ends a session normally.
CLOSE_ENDED = 1000
CLOSE_POLICY = 1008  # Origin refused (before the handshake: HTTP 403)
CLOSE_UNAUTHORIZED = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_SLOW = 4408
CLOSE_UNAVAILABLE = 1011  # the fan-out (Redis) cannot be reached

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


async def _send_loop(websocket: WebSocket, subscription: Subscription) -> None:
    """Send what waits in the mailbox, in order; stop after ``session_ended``."""
    while True:
        message = await subscription.next()
        subscription.busy = True  # no direct write may pass this message
        if subscription.in_flight is not None:
            await asyncio.shield(subscription.in_flight)
        subscription.sending_since = time.monotonic()
        await websocket.send_text(message)
        subscription.sending_since = None
        subscription.busy = subscription.waiting > 0
        if message.startswith(ENDED_PREFIX):
            await _close(websocket, CLOSE_ENDED, "session ended")
            return


class _Reyield:
    """Hands a future that a coroutine yielded on to the task now running that coroutine."""

    def __init__(self, future: object) -> None:
        self.future = future

    def __await__(self) -> Generator[object, None, None]:
        yield self.future


async def _resume(coroutine: Coroutine[object, None, None], future: object) -> None:
    """Run the rest of a coroutine that suspended on ``future`` while driven by hand."""
    while True:
        try:
            await _Reyield(future)
        except BaseException as exc:  # cancelled while waiting: the coroutine hears it
            try:
                future = coroutine.throw(exc)
            except StopIteration:
                return
            continue
        try:
            future = coroutine.send(None)
        except StopIteration:
            return


def _direct_sender(
    websocket: WebSocket, subscription: Subscription, sender: asyncio.Future[None]
) -> Callable[[str], None]:
    """Write a message at once: the send runs in the publisher's turn, to its end when the
    socket's buffer takes it (the usual case), else the rest runs in a task of its own while
    later messages wait in the mailbox. ``session_ended`` goes through the sender, which
    closes the socket after it."""

    def send(message: str) -> None:
        if message.startswith(ENDED_PREFIX):
            subscription.direct = None
            subscription.offer(message)
            return
        coroutine = websocket.send_text(message)
        try:
            future = coroutine.send(None)
        except StopIteration:
            return
        except Exception:
            sender.cancel()  # the socket is gone: the handler ends and cleans up
            return
        subscription.sending_since = time.monotonic()
        rest = subscription.in_flight = asyncio.ensure_future(_resume(coroutine, future))

        def finished(task: asyncio.Future[None]) -> None:
            subscription.sending_since = None
            subscription.in_flight = None
            if task.cancelled() or task.exception() is not None:
                sender.cancel()

        rest.add_done_callback(finished)

    return send


async def _watch(
    subscription: Subscription, sender: asyncio.Future[None], heartbeat: float, limit: float
) -> None:
    """A ping in the mailbox whenever a whole period went by with nothing waiting or sent, and
    the sender stopped when one message takes longer than ``limit`` seconds to be written (a timer
    here rather than one per message: the fan-out path stays short)."""
    tick = min(heartbeat, limit) / 2
    quiet_since = time.monotonic()
    delivered = subscription.delivered
    while True:
        await asyncio.sleep(tick)
        now = time.monotonic()
        started = subscription.sending_since
        if started is not None and now - started > limit:
            subscription.too_slow = True
            sender.cancel()
            return
        if subscription.delivered != delivered or subscription.waiting:
            delivered, quiet_since = subscription.delivered, now
        elif now - quiet_since >= heartbeat:
            subscription.offer(live.encode(live.PING))
            quiet_since = now


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
    try:
        subscription = await broker.subscribe(channel, settings.send_buffer_messages)
    except (TimeoutError, OSError):
        log.warning("live_subscribe_failed", channel=channel)
        await websocket.close(code=CLOSE_UNAVAILABLE, reason="live updates unavailable")
        return
    try:
        try:
            first = await snapshot()
        except VezaError:
            await websocket.close(code=CLOSE_NOT_FOUND, reason="not found")
            return
        await websocket.send_text(live.encode(live.SNAPSHOT, **first))
        sender = asyncio.ensure_future(_send_loop(websocket, subscription))
        subscription.on_overflow = sender.cancel
        subscription.direct = _direct_sender(websocket, subscription, sender)
        watch = _watch(
            subscription, sender, settings.heartbeat_seconds, settings.send_timeout_seconds
        )
        loops = {
            sender,
            asyncio.ensure_future(_receive_loop(websocket, handle)),
            asyncio.ensure_future(watch),
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
        subscription.direct = None
        if subscription.in_flight is not None:
            subscription.in_flight.cancel()
        subscription.close()
        if subscription.overflowed or subscription.too_slow:
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

    hosting = is_host(user, listening)

    async def handle(message: dict[str, Any]) -> None:
        if message.get("type") != live.STATE:
            return
        if not hosting:  # refused without a database round trip, however often it is sent
            refusal = NotSessionHost()
            await websocket.send_text(
                live.encode("error", code=refusal.code, message=refusal.message)
            )
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
            await sessions.change_state(session, user, token, body)
    except ValidationError as exc:
        await websocket.send_text(
            live.encode("error", code="VALIDATION_ERROR", message=str(exc.errors()[0]["msg"]))
        )
    except VezaError as exc:
        await websocket.send_text(live.encode("error", code=exc.code, message=exc.message))
