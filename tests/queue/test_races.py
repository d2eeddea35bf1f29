"""Concurrent changes: positions stay dense and the caps hold (real concurrent requests)."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from tests.factories import create_track, member
from tests.helpers import API
from tests.queue.support import add, new_session, queue, session, session_add


async def test_concurrent_adds_keep_positions_dense_and_the_cap_holds(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    app.state.settings.queue.max_items = 6
    artist = await member(app)
    listener = await member(app)
    track = await create_track(app, artist)

    responses = await asyncio.gather(*(add(client, listener, track.id) for _ in range(10)))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 6 + [400] * 4, [r.text for r in responses]
    data = await queue(client, listener)
    assert [item["position"] for item in data["items"]] == list(range(6))


async def test_concurrent_adds_and_removals_keep_positions_dense(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    artist = await member(app)
    listener = await member(app)
    track = await create_track(app, artist)
    first = [(await add(client, listener, track.id)).json()["data"]["item"]["id"] for _ in range(4)]

    removals = (
        client.delete(f"{API}/queue/items/{item_id}", headers=listener.headers)
        for item_id in first[:3]
    )
    adds = (add(client, listener, track.id) for _ in range(3))
    responses = await asyncio.gather(*removals, *adds)

    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    data = await queue(client, listener)
    assert [item["position"] for item in data["items"]] == list(range(4))
    assert data["queue"]["item_count"] == 4


async def test_concurrent_session_adds_by_many_users_stay_dense_under_the_cap(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    app.state.settings.queue.session_max_items = 5
    host = await member(app)
    guests = [await member(app) for _ in range(8)]
    track = await create_track(app, host)
    token = (await new_session(client, host))["share_token"]

    responses = await asyncio.gather(*(session_add(client, g, token, track.id) for g in guests))

    assert sorted(r.status_code for r in responses) == [201] * 5 + [400] * 3
    data = await session(client, token)
    assert [item["position"] for item in data["items"]] == list(range(5))
    assert data["session"]["item_count"] == 5
