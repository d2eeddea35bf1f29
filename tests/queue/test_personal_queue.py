"""GET/PUT/DELETE /queue, POST /queue/items, DELETE /queue/items/{id}: the caller's own queue."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.factories import create_track, member, set_track_fields
from tests.helpers import API, block, delete_own_account, error_code
from tests.queue.support import add, added, put_queue, queue, track_ids
from veza.models import PlayQueue, QueueItem


async def test_a_new_user_has_an_empty_queue_with_default_playback_state(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    listener = await member(app)

    data = await queue(client, listener)

    assert data["items"] == []
    state = data["queue"]
    assert state["user_id"] == str(listener.id)
    assert state["current_track_id"] is None
    assert state["current_position"] == 0
    assert state["is_playing"] is False
    assert state["repeat_mode"] == "off"
    assert state["shuffle"] is False
    assert state["volume"] == 100
    assert state["updated_at"].endswith("Z")


async def test_items_come_back_in_position_order_with_their_tracks(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    artist = await member(app)
    listener = await member(app)
    first, second = await create_track(app, artist), await create_track(app, artist)

    one = await added(client, listener, first.id)
    two = await added(client, listener, second.id)
    again = await added(client, listener, first.id)  # the same track may be queued twice

    data = await queue(client, listener)
    assert [item["id"] for item in data["items"]] == [one["id"], two["id"], again["id"]]
    assert [item["position"] for item in data["items"]] == [0, 1, 2]
    assert track_ids(data) == [str(first.id), str(second.id), str(first.id)]
    assert data["items"][1]["track"]["title"] == second.title
    assert (
        "play_count" not in data["items"][0]["track"]
        or data["items"][0]["track"]["play_count"] is None
    )
    assert one["id"] != again["id"]


async def test_the_queue_is_the_callers_alone(app: FastAPI, client: httpx.AsyncClient) -> None:
    artist = await member(app)
    alice, bob = await member(app), await member(app)
    track = await create_track(app, artist)
    item = await added(client, alice, track.id)

    assert (await queue(client, bob))["items"] == []
    response = await client.delete(f"{API}/queue/items/{item['id']}", headers=bob.headers)
    assert error_code(response, 404) == "QUEUE_ITEM_NOT_FOUND"
    assert len((await queue(client, alice))["items"]) == 1


async def test_a_track_the_caller_may_not_read_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    artist = await member(app)
    listener = await member(app)
    private = await create_track(app, artist, is_public=False)
    blocked_artist = await member(app)
    hidden = await create_track(app, blocked_artist)
    await block(client, listener, blocked_artist)

    assert error_code(await add(client, listener, private.id), 404) == "TRACK_NOT_FOUND"
    assert error_code(await add(client, listener, uuid.uuid4()), 404) == "TRACK_NOT_FOUND"
    assert error_code(await add(client, listener, hidden.id), 404) == "TRACK_NOT_FOUND"
    # The creator may queue their own private track.
    assert (await add(client, artist, private.id)).status_code == 201
    assert (await queue(client, listener))["items"] == []


async def test_a_malformed_or_missing_track_id_is_a_400_with_the_field(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    listener = await member(app)

    for body in ({"track_id": "nope"}, {}):
        response = await client.post(f"{API}/queue/items", headers=listener.headers, json=body)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["details"][0]["field"] == "track_id"


async def test_a_track_that_becomes_private_or_deleted_is_left_out(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    artist = await member(app)
    listener = await member(app)
    kept, hidden, deleted = [await create_track(app, artist) for _ in range(3)]
    for track in (kept, hidden, deleted):
        await added(client, listener, track.id)
    assert (await put_queue(client, listener, current_track_id=str(hidden.id))).status_code == 200

    await set_track_fields(app, hidden.id, is_public=False)
    await client.delete(f"{API}/tracks/{deleted.id}", headers=artist.headers)

    data = await queue(client, listener)
    assert track_ids(data) == [str(kept.id)]
    assert data["queue"]["current_track_id"] is None
    # Made public again, it is back in its place.
    await set_track_fields(app, hidden.id, is_public=True)
    assert track_ids(await queue(client, listener)) == [str(kept.id), str(hidden.id)]


async def test_the_queue_is_capped(app: FastAPI, client: httpx.AsyncClient) -> None:
    app.state.settings.queue.max_items = 2
    artist = await member(app)
    listener = await member(app)
    track = await create_track(app, artist)
    await added(client, listener, track.id)
    await added(client, listener, track.id)

    assert error_code(await add(client, listener, track.id), 400) == "QUEUE_FULL"
    assert len((await queue(client, listener))["items"]) == 2


async def test_removing_an_item_keeps_positions_dense(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    artist = await member(app)
    listener = await member(app)
    tracks = [await create_track(app, artist) for _ in range(3)]
    items = [await added(client, listener, track.id) for track in tracks]

    response = await client.delete(f"{API}/queue/items/{items[1]['id']}", headers=listener.headers)

    assert response.status_code == 200, response.text
    assert response.json()["data"]["message"]
    data = await queue(client, listener)
    assert [item["id"] for item in data["items"]] == [items[0]["id"], items[2]["id"]]
    assert [item["position"] for item in data["items"]] == [0, 1]
    again = await client.delete(f"{API}/queue/items/{items[1]['id']}", headers=listener.headers)
    assert error_code(again, 404) == "QUEUE_ITEM_NOT_FOUND"
    malformed = await client.delete(f"{API}/queue/items/not-a-uuid", headers=listener.headers)
    assert malformed.status_code == 400


async def test_clear_empties_the_queue_and_keeps_the_settings(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    artist = await member(app)
    listener = await member(app)
    track = await create_track(app, artist)
    await added(client, listener, track.id)
    await put_queue(client, listener, current_track_id=str(track.id), volume=40, is_playing=True)

    response = await client.delete(f"{API}/queue", headers=listener.headers)

    assert response.status_code == 200, response.text
    data = await queue(client, listener)
    assert data["items"] == []
    assert data["queue"]["current_track_id"] is None
    assert data["queue"]["is_playing"] is False
    assert data["queue"]["volume"] == 40
    assert (await added(client, listener, track.id))["position"] == 0


async def test_put_saves_the_playback_state_for_every_device(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    artist = await member(app)
    listener = await member(app)
    track = await create_track(app, artist)
    await added(client, listener, track.id)

    response = await put_queue(
        client,
        listener,
        current_track_id=str(track.id),
        current_position=61_500,
        is_playing=True,
        repeat_mode="all",
        shuffle=True,
        volume=0,
    )

    assert response.status_code == 200, response.text
    state = (await queue(client, listener))["queue"]
    assert state["current_track_id"] == str(track.id)
    assert state["current_position"] == 61_500
    assert state["is_playing"] is True
    assert state["repeat_mode"] == "all"
    assert state["shuffle"] is True
    assert state["volume"] == 0
    # A field left out is unchanged; null clears the current track.
    await put_queue(client, listener, current_track_id=None)
    state = (await queue(client, listener))["queue"]
    assert state["current_track_id"] is None and state["volume"] == 0


async def test_put_refuses_each_invalid_field_with_its_name(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    artist = await member(app)
    listener = await member(app)
    private = await create_track(app, artist, is_public=False)
    cases = {
        "volume": [101, -1, "loud"],
        "repeat_mode": ["sometimes", 1],
        "current_position": [-1, 2**31, "x"],
        "is_playing": ["maybe"],
        "shuffle": [[]],
        "current_track_id": ["nope", str(uuid.uuid4()), str(private.id)],
        "item_order": ["x", ["nope"], [str(uuid.uuid4())]],
    }
    for field, values in cases.items():
        for value in values:
            response = await put_queue(client, listener, **{field: value})
            assert response.status_code == 400, (field, value, response.text)
            details = response.json()["error"]["details"]
            assert details[0]["field"].split(".")[0] == field, (field, value, details)
    assert (await queue(client, listener))["queue"]["version"] == 0


async def test_item_order_must_be_a_permutation_of_the_queue(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    artist = await member(app)
    listener = await member(app)
    tracks = [await create_track(app, artist) for _ in range(3)]
    a, b, c = [(await added(client, listener, track.id))["id"] for track in tracks]

    for wrong in ([a, b], [a, b, c, c], [a, b, a], [a, b, str(uuid.uuid4())]):
        response = await put_queue(client, listener, item_order=wrong)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["details"][0]["field"] == "item_order"

    response = await put_queue(client, listener, item_order=[c, a, b])
    assert response.status_code == 200, response.text
    data = await queue(client, listener)
    assert [item["id"] for item in data["items"]] == [c, a, b]
    assert [item["position"] for item in data["items"]] == [0, 1, 2]


async def test_reordering_leaves_hidden_items_in_their_places(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    artist = await member(app)
    listener = await member(app)
    tracks = [await create_track(app, artist) for _ in range(3)]
    a, hidden, c = [(await added(client, listener, track.id))["id"] for track in tracks]
    await set_track_fields(app, tracks[1].id, is_public=False)

    response = await put_queue(client, listener, item_order=[c, a])

    assert response.status_code == 200, response.text
    await set_track_fields(app, tracks[1].id, is_public=True)
    data = await queue(client, listener)
    assert [item["id"] for item in data["items"]] == [c, hidden, a]


async def test_every_operation_needs_a_signed_in_caller(client: httpx.AsyncClient) -> None:
    for method, path in (
        ("GET", "/queue"),
        ("PUT", "/queue"),
        ("DELETE", "/queue"),
        ("POST", "/queue/items"),
        ("DELETE", f"/queue/items/{uuid.uuid4()}"),
    ):
        response = await client.request(method, f"{API}{path}", json={})
        assert response.status_code == 401, (method, path, response.text)


async def test_a_deleted_account_takes_its_queue_with_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    artist = await member(app)
    listener = await member(app)
    track = await create_track(app, artist)
    await added(client, listener, track.id)

    assert (await delete_own_account(client, listener)).status_code == 200

    async with app.state.db.reader() as db:
        assert await db.scalar(select(func.count()).select_from(PlayQueue)) == 0
        assert await db.scalar(select(func.count()).select_from(QueueItem)) == 0
