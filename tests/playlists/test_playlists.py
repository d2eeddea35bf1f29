"""Playlists themselves: create, list, update, delete, the favourites playlist, collaborators'
rules, recommendations, analytics, and the audit rows and events every change leaves."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tests.factories import create_playlist, create_track, member, set_user_fields
from tests.helpers import API, block, data, error_code, follow, notifications
from veza.kit import events
from veza.models import AuditLog


async def test_create_list_update_and_delete(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner, friend = await member(app), await member(app)
    created = data(
        await client.post(
            f"{API}/playlists",
            headers=owner.headers,
            json={"title": "  Morning  ", "description": "Coffee", "is_public": True},
        ),
        201,
    )["playlist"]
    assert (created["title"], created["is_public"], created["track_count"]) == (
        "Morning",
        True,
        0,
    )
    assert created["is_default_favorites"] is False and created["snapshot_id"] == "1"
    shared_with_me = await create_playlist(app, friend, collaborators={owner.id: "read"})
    await create_playlist(app, friend)  # private, not mine: not listed
    mine = data(await client.get(f"{API}/playlists", headers=owner.headers))
    assert {p["id"] for p in mine["playlists"]} == {created["id"], str(shared_with_me.id)}
    assert mine["pagination"]["total"] == 2
    theirs = data(
        await client.get(
            f"{API}/playlists", headers=friend.headers, params={"user_id": str(owner.id)}
        )
    )
    assert [p["id"] for p in theirs["playlists"]] == [created["id"]]
    assert error_code(
        await client.get(f"{API}/playlists", headers=owner.headers, params={"user_id": "x"}), 400
    ) == ("VALIDATION_ERROR")
    updated = data(
        await client.put(
            f"{API}/playlists/{created['id']}",
            headers=owner.headers,
            json={"description": None, "is_public": False},
        )
    )["playlist"]
    assert "description" not in updated and updated["is_public"] is False
    assert updated["title"] == "Morning" and updated["snapshot_id"] == "2"
    blank = await client.put(
        f"{API}/playlists/{created['id']}", headers=owner.headers, json={"title": "   "}
    )
    assert error_code(blank, 400) == "VALIDATION_ERROR"
    for body in (
        {},
        {"title": ""},
        {"title": "x" * 201},
        {"title": "ok", "description": "x" * 1001},
    ):
        refused = await client.post(f"{API}/playlists", headers=owner.headers, json=body)
        assert error_code(refused, 400) == "VALIDATION_ERROR", body
    deleted = await client.delete(f"{API}/playlists/{created['id']}", headers=owner.headers)
    assert data(deleted)["message"] == "Playlist deleted"
    gone = await client.get(f"{API}/playlists/{created['id']}", headers=owner.headers)
    assert error_code(gone, 404) == "PLAYLIST_NOT_FOUND"


async def test_favourites_are_made_once_and_stay_private(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    first = data(await client.get(f"{API}/playlists/favoris", headers=owner.headers))["playlist"]
    again = data(await client.get(f"{API}/playlists/favoris", headers=owner.headers))["playlist"]
    assert first["id"] == again["id"]
    assert first["is_default_favorites"] is True and first["is_public"] is False
    url = f"{API}/playlists/{first['id']}"
    public = await client.put(url, headers=owner.headers, json={"is_public": True})
    assert error_code(public, 400) == "FAVORITES_PLAYLIST"
    assert error_code(await client.delete(url, headers=owner.headers), 403) == (
        "FAVORITES_PLAYLIST"
    )
    renamed = await client.put(url, headers=owner.headers, json={"title": "Loved"})
    assert data(renamed)["playlist"]["title"] == "Loved"


async def test_adding_a_collaborator_needs_a_reachable_user_and_notifies_them(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner, friend, foe = await member(app), await member(app), await member(app)
    playlist = await create_playlist(app, owner, title="Band practice")
    url = f"{API}/playlists/{playlist.id}/collaborators"

    async def add(user_id: Any, permission: str = "write") -> httpx.Response:
        return await client.post(
            url, headers=owner.headers, json={"user_id": str(user_id), "permission": permission}
        )

    added = data(await add(friend.id))["collaborator"]
    assert (added["user_id"], added["permission"]) == (str(friend.id), "write")
    assert added["user"]["username"] == friend.user.username
    assert data(await add(friend.id, "read"))["collaborator"]["permission"] == "write"
    inbox = await notifications(client, friend)
    assert [n["message"] for n in inbox["notifications"]] == [
        f"{owner.user.username} added you as a collaborator on a playlist"
    ]
    assert error_code(await add(uuid.uuid4()), 404) == "USER_NOT_FOUND"
    await block(client, foe, owner)
    assert error_code(await add(foe.id), 404) == "USER_NOT_FOUND"
    assert error_code(await add(owner.id), 400) == "VALIDATION_ERROR"
    # The friend sees the private playlist now, and may leave it.
    assert (
        await client.get(f"{API}/playlists/{playlist.id}", headers=friend.headers)
    ).status_code == 200
    listed = data(await client.get(url, headers=friend.headers))["collaborators"]
    assert [c["user_id"] for c in listed] == [str(friend.id)]
    left = await client.delete(f"{url}/{friend.id}", headers=friend.headers)
    assert data(left)["message"] == "Collaborator removed"
    assert (
        await client.get(f"{API}/playlists/{playlist.id}", headers=friend.headers)
    ).status_code == 404
    missing = await client.delete(f"{url}/{friend.id}", headers=owner.headers)
    assert error_code(missing, 404) == "COLLABORATOR_NOT_FOUND"
    not_there = await client.put(
        f"{url}/{friend.id}", headers=owner.headers, json={"permission": "read"}
    )
    assert error_code(not_there, 404) == "COLLABORATOR_NOT_FOUND"


async def test_recommendations_follow_declarations_newest_first(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    me = await member(app)
    followed, stranger, blocker = await member(app), await member(app), await member(app)
    await set_user_fields(app, me.id, genres=["jazz"])
    await follow(client, me, followed)
    await follow(client, me, blocker)
    old = await create_playlist(app, followed, is_public=True, title="Old")
    new = await create_playlist(app, followed, is_public=True, title="New")
    await create_playlist(app, followed, is_public=False, title="Private")
    jazz = await create_track(app, stranger, genres=["jazz"])
    rock = await create_track(app, stranger, genres=["rock"])
    by_genre = await create_playlist(app, stranger, is_public=True, tracks=[jazz])
    await create_playlist(app, stranger, is_public=True, tracks=[rock])
    await create_playlist(app, me, is_public=True, tracks=[jazz])  # my own: never
    await create_playlist(app, blocker, is_public=True)
    await block(client, blocker, me)
    shown = data(await client.get(f"{API}/playlists/recommendations", headers=me.headers))
    assert [p["id"] for p in shown["playlists"]] == [str(new.id), str(old.id), str(by_genre.id)]
    one = data(
        await client.get(
            f"{API}/playlists/recommendations", headers=me.headers, params={"limit": 1}
        )
    )
    assert [p["id"] for p in one["playlists"]] == [str(new.id)]


async def test_analytics_count_what_the_caller_may_see(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner, artist, reader = await member(app), await member(app), await member(app)
    own = await create_track(app, owner, duration=100, play_count=7)
    theirs = await create_track(app, artist, duration=50, play_count=40)
    playlist = await create_playlist(
        app, owner, tracks=[own, theirs], collaborators={reader.id: "read"}
    )
    url = f"{API}/playlists/{playlist.id}/analytics"
    stats = data(await client.get(url, headers=owner.headers))["stats"]
    assert stats == {
        "track_count": 2,
        "total_duration": 150,
        "play_count": 7,  # others' play counts are theirs alone
        "follower_count": 0,
        "collaborator_count": 1,
        "share_link_count": 0,
        "share_link_opens": 0,
    }
    assert data(await client.get(url, headers=reader.headers))["stats"]["play_count"] == 0


async def test_every_change_is_audited_and_announced(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner, friend = await member(app), await member(app)
    track = await create_track(app, owner)
    seen: list[tuple[Any, Any]] = []

    async def listen(_: Any, *, playlist_id: Any, actor_id: Any, **__: Any) -> None:
        seen.append((playlist_id, actor_id))

    events.subscribe(events.PLAYLIST_UPDATED, listen)
    try:
        created = data(
            await client.post(
                f"{API}/playlists",
                headers={**owner.headers, "User-Agent": "tests/1"},
                json={"title": "Log"},
            ),
            201,
        )["playlist"]
        url = f"{API}/playlists/{created['id']}"
        await client.put(url, headers=owner.headers, json={"title": "Log 2"})
        await client.post(f"{url}/tracks", headers=owner.headers, json={"track_id": str(track.id)})
        await client.put(
            f"{url}/tracks/reorder", headers=owner.headers, json={"track_ids": [str(track.id)]}
        )
        await client.post(
            f"{url}/collaborators",
            headers=owner.headers,
            json={"user_id": str(friend.id), "permission": "read"},
        )
        await client.put(
            f"{url}/collaborators/{friend.id}", headers=owner.headers, json={"permission": "write"}
        )
        await client.delete(f"{url}/collaborators/{friend.id}", headers=owner.headers)
        await client.delete(f"{url}/tracks/{track.id}", headers=owner.headers)
    finally:
        events._subscribers[events.PLAYLIST_UPDATED].remove(listen)
    playlist_id = uuid.UUID(created["id"])
    assert seen == [(playlist_id, owner.id)] * 8
    async with app.state.db.reader() as session:
        rows = list(
            await session.scalars(
                select(AuditLog)
                .where(AuditLog.resource_id == created["id"])
                .order_by(AuditLog.created_at)
            )
        )
    assert [r.action for r in rows] == [
        "playlist.created",
        "playlist.updated",
        "playlist.track_added",
        "playlist.tracks_reordered",
        "playlist.collaborator_added",
        "playlist.collaborator_updated",
        "playlist.collaborator_removed",
        "playlist.track_removed",
    ]
    assert rows[0].user_agent == "tests/1" and rows[0].user_id == owner.id
