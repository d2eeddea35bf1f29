"""Helpers of the queue tests: the queue and session API, driven over HTTP."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from tests.factories import Member
from tests.helpers import API


async def add(client: httpx.AsyncClient, who: Member, track_id: uuid.UUID | str) -> httpx.Response:
    return await client.post(
        f"{API}/queue/items", headers=who.headers, json={"track_id": str(track_id)}
    )


async def added(
    client: httpx.AsyncClient, who: Member, track_id: uuid.UUID | str
) -> dict[str, Any]:
    response = await add(client, who, track_id)
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()["data"]["item"]
    return item


async def queue(client: httpx.AsyncClient, who: Member) -> dict[str, Any]:
    response = await client.get(f"{API}/queue", headers=who.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def put_queue(client: httpx.AsyncClient, who: Member, **body: Any) -> httpx.Response:
    return await client.put(f"{API}/queue", headers=who.headers, json=body)


def track_ids(data: dict[str, Any]) -> list[str]:
    return [item["track_id"] for item in data["items"]]


async def new_session(client: httpx.AsyncClient, host: Member) -> dict[str, Any]:
    response = await client.post(f"{API}/queue/session", headers=host.headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def session_add(
    client: httpx.AsyncClient, who: Member, token: str, track_id: uuid.UUID | str
) -> httpx.Response:
    return await client.post(
        f"{API}/queue/session/{token}/items", headers=who.headers, json={"track_id": str(track_id)}
    )


async def session(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await client.get(f"{API}/queue/session/{token}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


# Live sockets ----------------------------------------------------------------------------------


async def receive(socket: ClientConnection, within: float = 5.0) -> dict[str, Any]:
    """The next message that is not a heartbeat."""
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), within))
        if message["type"] != "ping":
            return message


def token_of(who: Member) -> str:
    return who.headers["Authorization"].removeprefix("Bearer ")


def queue_socket(server: str, who: Member | None, **options: Any) -> Any:
    query = f"?token={token_of(who)}" if who is not None else ""
    return connect(f"ws://{server}{API}/queue/live{query}", **options)


def session_socket(server: str, token: str, who: Member, **options: Any) -> Any:
    return connect(
        f"ws://{server}{API}/queue/session/{token}/live",
        additional_headers={"Authorization": f"Bearer {token_of(who)}"},
        **options,
    )
