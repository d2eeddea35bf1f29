"""Search never shows what the catalog would not: the same readable-by rules, reused. And the
indexes follow every create, update, visibility change and delete in the same transaction."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from tests.factories import Member, admin, create_track, member, set_track_fields
from tests.helpers import block
from veza.models.playlist import Playlist
from veza.models.track import TRACK_PROCESSING


async def create_playlist(app: FastAPI, owner: Member, **fields: Any) -> Playlist:
    playlist = Playlist(user_id=owner.id, **fields)
    async with app.state.db.writer() as session, session.begin():
        session.add(playlist)
    return playlist


async def _found(
    client: httpx.AsyncClient, q: str, who: Member | None, key: str = "tracks"
) -> list[str]:
    headers = who.headers if who else {}
    response = await client.get("/api/v1/search", params={"q": q}, headers=headers)
    assert response.status_code == 200, response.text
    return [item.get("title") or item.get("username") for item in response.json()["data"][key]]


async def test_private_deleted_and_unfinished_tracks(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner, other, moderator = await member(app), await member(app), await admin(app)
    await create_track(app, owner, title="Zebra private", is_public=False)
    await create_track(app, owner, title="Zebra unfinished", status=TRACK_PROCESSING)
    gone = await create_track(app, owner, title="Zebra gone")
    await set_track_fields(app, gone.id, deleted_at=datetime.now(UTC))
    await create_track(app, owner, title="Zebra public")

    assert await _found(client, "zebra", None) == ["Zebra public"]
    assert await _found(client, "zebra", other) == ["Zebra public"]
    assert sorted(await _found(client, "zebra", owner)) == [
        "Zebra private",
        "Zebra public",
        "Zebra unfinished",
    ]
    assert sorted(await _found(client, "zebra", moderator)) == [
        "Zebra private",
        "Zebra public",
        "Zebra unfinished",
    ]
    for path in ("/api/v1/tracks/search", "/api/v1/search/suggestions"):
        response = await client.get(path, params={"q": "zebra"}, headers=other.headers)
        body = response.json()["data"]
        shown = body.get("tracks") or [s for s in body.get("suggestions", [])]
        assert [t.get("title") or t.get("text") for t in shown] == ["Zebra public"]


async def test_blocks_hide_tracks_users_and_playlists_both_ways(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    blocker = await member(app, username="quokkafan")
    blocked = await member(app, username="quokkahater")
    await create_track(app, blocker, title="Quokka dawn")
    await create_track(app, blocked, title="Quokka dusk")
    await create_playlist(app, blocker, title="Quokka mix", is_public=True)
    await create_playlist(app, blocked, title="Quokka set", is_public=True)
    assert (await block(client, blocker, blocked)).status_code in (200, 201, 204)

    for viewer, own_track, own_user, own_list in (
        (blocker, "Quokka dawn", "quokkafan", "Quokka mix"),
        (blocked, "Quokka dusk", "quokkahater", "Quokka set"),
    ):
        assert await _found(client, "quokka", viewer) == [own_track]
        assert await _found(client, "quokka", viewer, "users") == [own_user]
        assert await _found(client, "quokka", viewer, "playlists") == [own_list]
    assert len(await _found(client, "quokka", None)) == 2


async def test_private_profiles_and_playlists(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app, username="wombatlord", is_public=False)
    other = await member(app)
    await create_playlist(app, owner, title="Wombat secrets", is_public=False)
    await create_playlist(app, owner, title="Wombat hits", is_public=True)

    assert await _found(client, "wombat", other, "users") == []
    assert await _found(client, "wombat", other, "playlists") == ["Wombat hits"]
    assert sorted(await _found(client, "wombat", owner, "playlists")) == [
        "Wombat hits",
        "Wombat secrets",
    ]
    response = await client.get("/api/v1/playlists/search", params={"q": "wombat"})
    assert [p["title"] for p in response.json()["data"]["playlists"]] == ["Wombat hits"]


async def test_the_index_follows_updates_visibility_and_deletes(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner, title="Gnu song")
    assert await _found(client, "gnu", None) == ["Gnu song"]

    response = await client.put(
        f"/api/v1/tracks/{track.id}", json={"title": "Ibex song"}, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    assert await _found(client, "gnu", None) == []
    assert await _found(client, "ibex", None) == ["Ibex song"]

    await client.put(f"/api/v1/tracks/{track.id}", json={"is_public": False}, headers=owner.headers)
    assert await _found(client, "ibex", None) == []
    assert await _found(client, "ibex", owner) == ["Ibex song"]

    response = await client.delete(f"/api/v1/tracks/{track.id}", headers=owner.headers)
    assert response.status_code in (200, 204), response.text
    assert await _found(client, "ibex", owner) == []


async def test_concurrent_edits_sharing_new_words_all_reach_the_index(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owners = [await member(app) for _ in range(4)]
    tracks = [await create_track(app, owner, title=f"Plain {n}") for n, owner in enumerate(owners)]

    async def rename(owner: Member, track_id: object, n: int) -> httpx.Response:
        return await client.put(
            f"/api/v1/tracks/{track_id}",
            json={"title": f"Capybara {n}", "artist": "Shared Newword"},
            headers=owner.headers,
        )

    responses = await asyncio.gather(
        *(
            rename(owner, track.id, n)
            for n, (owner, track) in enumerate(zip(owners, tracks, strict=True))
        )
    )
    assert [r.status_code for r in responses] == [200] * 4
    assert sorted(await _found(client, "capybara newword", None)) == [
        f"Capybara {n}" for n in range(4)
    ]
    assert await _found(client, "newwrod", None) != []  # the new word is in the vocabulary
