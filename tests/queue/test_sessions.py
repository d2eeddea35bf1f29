"""POST /queue/session, GET/PUT/DELETE /queue/session/{token}, its items: listening sessions."""

from __future__ import annotations

import hashlib
import uuid

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tests.factories import create_track, member, set_track_fields, set_user_fields
from tests.helpers import API, error_code
from tests.queue.support import new_session, session, session_add
from veza.models import ListeningSession


async def test_a_session_is_made_with_the_caller_as_host_and_a_share_link(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    host = await member(app)

    created = await new_session(client, host)

    token = created["share_token"]
    assert len(token) >= 43  # 256 random bits, URL-safe
    assert (
        created["share_url"]
        == f"{app.state.settings.server.public_url}/api/v1/queue/session/{token}"
    )
    assert created["session"]["host_id"] == str(host.id)
    assert created["session"]["host"]["username"] == host.user.username
    assert created["session"]["is_playing"] is False
    async with app.state.db.reader() as db:
        stored = await db.scalar(select(ListeningSession.token_hash))
    assert stored == hashlib.sha256(token.encode()).hexdigest()  # only the digest is kept


async def test_the_share_url_opens_the_web_app_when_it_is_configured(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    app.state.settings.server.frontend_url = "https://app.example.org/"
    host = await member(app)

    created = await new_session(client, host)

    assert created["share_url"] == f"https://app.example.org/queue/session/{created['share_token']}"


async def test_anyone_with_the_token_reads_the_session_without_signing_in(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    host, guest = await member(app), await member(app)
    artist = await member(app)
    track = await create_track(app, artist)
    token = (await new_session(client, host))["share_token"]
    assert (await session_add(client, guest, token, track.id)).status_code == 201

    data = await session(client, token)

    assert data["session"]["host_id"] == str(host.id)
    assert [item["track_id"] for item in data["items"]] == [str(track.id)]
    assert data["items"][0]["added_by"] == str(guest.id)
    assert data["items"][0]["track"]["title"] == track.title


async def test_an_unknown_token_is_not_found_and_a_blank_one_is_a_400(
    client: httpx.AsyncClient,
) -> None:
    for token in ("nope", "x" * 300):
        response = await client.get(f"{API}/queue/session/{token}")
        assert error_code(response, 404) == "SESSION_NOT_FOUND"
    blank = await client.get(f"{API}/queue/session/%20")
    assert error_code(blank, 400) == "VALIDATION_ERROR"
    assert blank.json()["error"]["details"][0]["field"] == "token"


async def test_only_tracks_everyone_may_read_are_added(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    host = await member(app)
    own_private = await create_track(app, host, is_public=False)
    token = (await new_session(client, host))["share_token"]

    response = await session_add(client, host, token, own_private.id)
    assert error_code(response, 404) == "TRACK_NOT_FOUND"
    assert (
        error_code(await session_add(client, host, token, uuid.uuid4()), 404) == "TRACK_NOT_FOUND"
    )
    bad = await session_add(client, host, token, "nope")
    assert bad.status_code == 400
    assert bad.json()["error"]["details"][0]["field"] == "track_id"
    unknown = await session_add(client, host, "unknown-token", own_private.id)
    assert error_code(unknown, 404) == "SESSION_NOT_FOUND"


async def test_adding_needs_a_signed_in_user(app: FastAPI, client: httpx.AsyncClient) -> None:
    host = await member(app)
    track = await create_track(app, host)
    token = (await new_session(client, host))["share_token"]

    response = await client.post(
        f"{API}/queue/session/{token}/items", json={"track_id": str(track.id)}
    )

    assert response.status_code == 401


async def test_a_track_that_becomes_private_is_left_out(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    host = await member(app)
    track = await create_track(app, host)
    token = (await new_session(client, host))["share_token"]
    await session_add(client, host, token, track.id)

    await set_track_fields(app, track.id, is_public=False)

    assert (await session(client, token))["items"] == []


async def test_the_host_or_the_adder_removes_an_item_and_no_one_else(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    host, adder, stranger = await member(app), await member(app), await member(app)
    track = await create_track(app, host)
    token = (await new_session(client, host))["share_token"]
    items = []
    for who in (adder, adder, host):
        response = await session_add(client, who, token, track.id)
        items.append(response.json()["data"]["items"][-1]["id"])

    def remove(who, item_id):  # type: ignore[no-untyped-def]
        return client.delete(f"{API}/queue/session/{token}/items/{item_id}", headers=who.headers)

    assert error_code(await remove(stranger, items[0]), 403) == "FORBIDDEN"
    assert error_code(await remove(adder, items[2]), 403) == "FORBIDDEN"
    assert (await remove(adder, items[0])).status_code == 200
    assert (await remove(host, items[1])).status_code == 200
    assert error_code(await remove(host, items[1]), 404) == "SESSION_ITEM_NOT_FOUND"
    assert error_code(await remove(host, uuid.uuid4()), 404) == "SESSION_ITEM_NOT_FOUND"
    response = await client.delete(
        f"{API}/queue/session/unknown/items/{items[2]}", headers=host.headers
    )
    assert error_code(response, 404) == "SESSION_NOT_FOUND"
    remaining = (await session(client, token))["items"]
    assert [(item["id"], item["position"]) for item in remaining] == [(items[2], 0)]


async def test_only_the_host_ends_the_session(app: FastAPI, client: httpx.AsyncClient) -> None:
    host, guest = await member(app), await member(app)
    token = (await new_session(client, host))["share_token"]

    refused = await client.delete(f"{API}/queue/session/{token}", headers=guest.headers)
    assert error_code(refused, 403) == "NOT_SESSION_HOST"
    ended = await client.delete(f"{API}/queue/session/{token}", headers=host.headers)
    assert ended.status_code == 200, ended.text

    assert error_code(await client.get(f"{API}/queue/session/{token}"), 404) == "SESSION_NOT_FOUND"
    again = await client.delete(f"{API}/queue/session/{token}", headers=host.headers)
    assert error_code(again, 404) == "SESSION_NOT_FOUND"
    anonymous = await client.delete(f"{API}/queue/session/{token}")
    assert anonymous.status_code == 401


async def test_a_session_caps_its_items(app: FastAPI, client: httpx.AsyncClient) -> None:
    app.state.settings.queue.session_max_items = 1
    host = await member(app)
    track = await create_track(app, host)
    token = (await new_session(client, host))["share_token"]
    await session_add(client, host, token, track.id)

    assert error_code(await session_add(client, host, token, track.id), 400) == "SESSION_FULL"


async def test_one_user_adding_too_fast_is_told_when_to_retry(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    app.state.settings.queue.session_adds_per_user = "2 per minute"
    host, other = await member(app), await member(app)
    track = await create_track(app, host)
    token = (await new_session(client, host))["share_token"]
    for _ in range(2):
        assert (await session_add(client, host, token, track.id)).status_code == 201

    refused = await session_add(client, host, token, track.id)

    assert error_code(refused, 429) == "RATE_LIMITED"
    assert int(refused.headers["Retry-After"]) >= 1
    assert (await session_add(client, other, token, track.id)).status_code == 201


async def test_the_host_sets_the_playback_state_others_may_not(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    host, guest = await member(app), await member(app)
    track = await create_track(app, host)
    private = await create_track(app, host, is_public=False)
    token = (await new_session(client, host))["share_token"]
    url = f"{API}/queue/session/{token}"

    response = await client.put(
        url,
        headers=host.headers,
        json={"current_track_id": str(track.id), "current_position": 12_000, "is_playing": True},
    )

    assert response.status_code == 200, response.text
    state = (await session(client, token))["session"]
    assert state["current_track_id"] == str(track.id)
    assert state["is_playing"] is True
    assert state["current_position"] == 12_000
    assert state["state_changed_at"].endswith("Z")
    # Paused without a position: the offset the playback had reached is kept.
    paused = await client.put(url, headers=host.headers, json={"is_playing": False})
    assert paused.json()["data"]["session"]["current_position"] >= 12_000
    refused = await client.put(url, headers=guest.headers, json={"is_playing": True})
    assert error_code(refused, 403) == "NOT_SESSION_HOST"
    private_track = await client.put(
        url, headers=host.headers, json={"current_track_id": str(private.id)}
    )
    assert private_track.status_code == 400
    assert private_track.json()["error"]["details"][0]["field"] == "current_track_id"
    negative = await client.put(url, headers=host.headers, json={"current_position": -5})
    assert negative.status_code == 400
    unknown = await client.put(f"{API}/queue/session/nope", headers=host.headers, json={})
    assert error_code(unknown, 404) == "SESSION_NOT_FOUND"


async def test_creating_a_session_needs_a_signed_in_user(client: httpx.AsyncClient) -> None:
    assert (await client.post(f"{API}/queue/session")).status_code == 401


async def test_a_session_ends_with_its_hosts_account(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    host = await member(app)
    token = (await new_session(client, host))["share_token"]

    await set_user_fields(app, host.id, is_banned=True)

    assert error_code(await client.get(f"{API}/queue/session/{token}"), 404) == "SESSION_NOT_FOUND"


async def test_changing_a_session_needs_a_signed_in_user_and_a_well_formed_item_id(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    host = await member(app)
    token = (await new_session(client, host))["share_token"]

    removal = await client.delete(f"{API}/queue/session/{token}/items/{uuid.uuid4()}")
    state = await client.put(f"{API}/queue/session/{token}", json={"is_playing": True})
    malformed = await client.delete(
        f"{API}/queue/session/{token}/items/not-a-uuid", headers=host.headers
    )

    assert removal.status_code == 401
    assert state.status_code == 401
    assert malformed.status_code == 400
