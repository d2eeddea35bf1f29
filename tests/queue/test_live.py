"""The live sockets: /queue/live and /queue/session/{token}/live, over a real server."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.factories import Member, admin, create_track, member
from tests.helpers import API
from tests.queue.support import (
    add,
    new_session,
    put_queue,
    queue_socket,
    receive,
    session_add,
    session_socket,
    token_of,
)
from veza.queue.live import queue_channel


async def test_the_owners_other_device_hears_every_change_of_the_queue(
    app: FastAPI, client: httpx.AsyncClient, server: str
) -> None:
    artist = await member(app)
    listener = await member(app)
    track = await create_track(app, artist)

    async with queue_socket(server, listener) as device:
        snapshot = await receive(device)
        assert snapshot["type"] == "snapshot"
        assert snapshot["items"] == [] and snapshot["version"] == 0

        response = await add(client, listener, track.id)
        started = time.perf_counter()
        added = await receive(device)
        latency = time.perf_counter() - started
        assert added["type"] == "item_added"
        assert added["item"] == response.json()["data"]["item"]
        assert added["version"] == 1 and added["server_time"].endswith("Z")
        assert latency < 1.0

        second = (await add(client, listener, track.id)).json()["data"]["item"]
        await receive(device)
        first = added["item"]["id"]
        await put_queue(client, listener, item_order=[second["id"], first], is_playing=True)
        order = await receive(device)
        assert order["type"] == "order" and order["item_ids"] == [second["id"], first]
        state = await receive(device)
        assert state["type"] == "state" and state["queue"]["is_playing"] is True

        await client.delete(f"{API}/queue/items/{first}", headers=listener.headers)
        removed = await receive(device)
        assert removed == {**removed, "type": "item_removed", "item_id": first}
        await client.delete(f"{API}/queue", headers=listener.headers)
        assert (await receive(device))["type"] == "cleared"


async def test_a_change_reaches_the_other_device_within_100_ms(
    app: FastAPI, client: httpx.AsyncClient, server: str
) -> None:
    listener = await member(app)

    async with queue_socket(server, listener) as device:
        await receive(device)
        delays = []
        for volume in range(5):
            started = time.perf_counter()
            response = await put_queue(client, listener, volume=volume)
            assert response.status_code == 200
            await receive(device)
            delays.append(time.perf_counter() - started)

    # From the request's start (its database write included) to the message on the socket.
    assert sorted(delays)[2] < 0.1, delays


async def test_another_users_changes_are_not_heard(
    app: FastAPI, client: httpx.AsyncClient, server: str
) -> None:
    artist = await member(app)
    alice, bob = await member(app), await member(app)
    track = await create_track(app, artist)

    async with queue_socket(server, alice) as device:
        await receive(device)
        await add(client, bob, track.id)
        with pytest.raises(TimeoutError):
            await receive(device, within=0.3)


async def test_a_socket_without_a_valid_token_is_closed(app: FastAPI, server: str) -> None:
    listener = await member(app)
    for who, headers in ((None, {}), (listener, {"Authorization": "Bearer not-a-token"})):
        async with queue_socket(server, None, additional_headers=headers) as device:
            with pytest.raises(ConnectionClosed) as closed:
                await receive(device)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401, who


async def test_a_stream_token_opens_a_socket(
    app: FastAPI, client: httpx.AsyncClient, server: str
) -> None:
    listener = await member(app)
    response = await client.post(f"{API}/auth/stream-token", headers=listener.headers)
    assert response.status_code == 200, response.text
    stream_token = response.json()["token"]

    async with connect_with(server, f"/queue/live?token={stream_token}") as device:
        assert (await receive(device))["type"] == "snapshot"


def connect_with(server: str, path: str, **options: object):  # type: ignore[no-untyped-def]
    from websockets.asyncio.client import connect

    return connect(f"ws://{server}{API}{path}", **options)


async def test_a_page_of_another_origin_is_refused_before_the_handshake(
    app: FastAPI, server: str
) -> None:
    listener = await member(app)

    with pytest.raises(InvalidStatus) as refused:
        async with queue_socket(server, listener, origin="https://evil.example"):
            pass
    assert refused.value.response.status_code == 403
    async with queue_socket(server, listener, origin="http://localhost:5173") as device:
        assert (await receive(device))["type"] == "snapshot"


async def test_a_quiet_socket_gets_heartbeats(app: FastAPI, server: str) -> None:
    app.state.settings.queue.heartbeat_seconds = 0.05
    listener = await member(app)

    async with queue_socket(server, listener) as device:
        await receive(device)
        ping = await asyncio.wait_for(device.recv(), 1.0)
        assert '"ping"' in str(ping)


async def _silent_client(server: str, who: Member) -> asyncio.StreamWriter:
    """A WebSocket handshake over a plain socket with a tiny receive buffer, then no reading."""
    host, port = server.split(":")
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.setblocking(False)
    await asyncio.get_running_loop().sock_connect(raw, (host, int(port)))
    reader, writer = await asyncio.open_connection(sock=raw)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET {API}/queue/live?token={token_of(who)} HTTP/1.1\r\nHost: {server}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    assert b" 101 " in await reader.readuntil(b"\r\n\r\n")
    return writer


async def _flood_until_dropped(broker: Any, channel: str, *, attempts: int, pause: float) -> None:
    """Once the silent client is subscribed, publish large messages until the server drops it
    (or ``attempts`` run out)."""
    for _ in range(100):
        if broker.hub.count(channel) == 1:
            break
        await asyncio.sleep(0.02)
    big = '{"type": "state", "pad": "' + "x" * 64_000 + '"}'
    for _ in range(attempts):
        if broker.hub.count(channel) == 0:
            return
        await broker.publish(channel, big)
        await asyncio.sleep(pause)


async def test_a_client_that_does_not_read_is_dropped(app: FastAPI, server: str) -> None:
    app.state.settings.queue.send_buffer_messages = 4
    app.state.settings.queue.send_timeout_seconds = 30  # the buffer, not the timeout, drops it
    listener = await member(app)
    broker = app.state.broker
    channel = queue_channel(listener.id)
    writer = await _silent_client(server, listener)
    await _flood_until_dropped(broker, channel, attempts=2000, pause=0.001)

    assert broker.hub.count(channel) == 0  # dropped: its mailbox is gone, memory bounded
    writer.close()


async def test_a_slow_reader_gets_every_message_in_order(app: FastAPI, server: str) -> None:
    """Writes that must wait for the socket, and the messages queued behind them, keep the
    order they were published in."""
    listener = await member(app)
    broker = app.state.broker
    channel = queue_channel(listener.id)

    async with queue_socket(server, listener, max_queue=1, max_size=None) as device:
        await receive(device)
        for number in range(60):
            await broker.publish(
                channel, f'{{"type": "state", "n": {number}, "pad": "{"x" * 64_000}"}}'
            )
        numbers = []
        for _ in range(60):
            numbers.append((await receive(device))["n"])
            await asyncio.sleep(0.005)

    assert numbers == list(range(60))


async def test_a_client_slower_than_the_send_timeout_is_dropped(app: FastAPI, server: str) -> None:
    app.state.settings.queue.send_timeout_seconds = 0.2
    listener = await member(app)
    broker = app.state.broker
    channel = queue_channel(listener.id)
    writer = await _silent_client(server, listener)
    await _flood_until_dropped(broker, channel, attempts=400, pause=0.01)

    assert broker.hub.count(channel) == 0
    writer.close()


async def test_every_listener_follows_the_hosts_playback_and_the_items(
    app: FastAPI, client: httpx.AsyncClient, server: str
) -> None:
    host, guest, other = await member(app), await member(app), await member(app)
    track = await create_track(app, host)
    token = (await new_session(client, host))["share_token"]
    url = f"{API}/queue/session/{token}"

    async with (
        session_socket(server, token, guest) as first,
        session_socket(server, token, other) as second,
        session_socket(server, token, host) as hosting,
    ):
        for socket in (first, second, hosting):
            assert (await receive(socket))["type"] == "snapshot"

        await session_add(client, guest, token, track.id)
        for socket in (first, second, hosting):
            assert (await receive(socket))["item"]["track_id"] == str(track.id)

        body = {"current_track_id": str(track.id), "current_position": 5000, "is_playing": True}
        await client.put(url, headers=host.headers, json=body)
        for socket in (first, second):
            state = await receive(socket)
            assert state["type"] == "state"
            assert state["session"]["is_playing"] is True
            assert state["session"]["current_position"] == 5000
            assert state["session"]["state_changed_at"].endswith("Z")
        await receive(hosting)

        # The host may also send its state over the socket; a listener may not.
        await hosting.send('{"type": "state", "is_playing": false, "current_position": 9000}')
        for socket in (first, second, hosting):
            paused = await receive(socket)
            assert paused["session"]["is_playing"] is False
            assert paused["session"]["current_position"] == 9000
        await first.send('{"type": "state", "is_playing": true}')
        refusal = await receive(first)
        assert refusal["type"] == "error" and refusal["code"] == "NOT_SESSION_HOST"

        await client.delete(url, headers=host.headers)
        for socket in (first, second, hosting):
            assert (await receive(socket))["type"] == "session_ended"
            with pytest.raises(ConnectionClosed) as closed:
                await receive(socket)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000


async def test_an_unknown_or_ended_session_closes_the_socket(app: FastAPI, server: str) -> None:
    listener = await member(app)

    async with session_socket(server, "no-such-token", listener) as socket:
        with pytest.raises(ConnectionClosed) as closed:
            await receive(socket)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404


async def test_banning_the_host_ends_the_session_for_every_listener(
    app: FastAPI, client: httpx.AsyncClient, server: str
) -> None:
    host, guest, root = await member(app), await member(app), await admin(app)
    token = (await new_session(client, host))["share_token"]

    async with session_socket(server, token, guest) as listening:
        await receive(listening)
        banned = await client.put(
            f"{API}/users/{host.id}", headers=root.headers, json={"is_banned": True}
        )
        assert banned.status_code == 200, banned.text

        assert (await receive(listening))["type"] == "session_ended"
    assert (await client.get(f"{API}/queue/session/{token}")).status_code == 404
