"""Share links: issued by the owner or an administrator, opened anonymously, read-only,
stored hashed, revocable, optionally expiring; unknown, revoked and expired links are 404."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update

from tests.factories import Member, create_playlist, create_track, member, set_user_fields
from tests.helpers import API, data, error_code
from veza.kit.opaque_tokens import digest
from veza.models import PlaylistShare


async def _share(
    client: httpx.AsyncClient, who: Member, playlist_id: object, **body: str
) -> dict[str, Any]:
    response = await client.post(
        f"{API}/playlists/{playlist_id}/share", headers=who.headers, json=body or None
    )
    share: dict[str, Any] = data(response)["share"]
    return share


async def test_a_link_opens_a_private_playlist_anonymously_with_public_tracks_only(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    public = await create_track(app, owner)
    private = await create_track(app, owner, is_public=False)
    playlist = await create_playlist(app, owner, tracks=[public, private])
    share = await _share(client, owner, playlist.id)
    token = share["token"]
    assert len(token) >= 43 and share["permission"] == "read"
    assert share["url"].endswith(f"/playlists/shared/{token}")
    async with app.state.db.reader() as session:
        stored = await session.scalar(
            select(PlaylistShare).where(PlaylistShare.id == uuid.UUID(share["id"]))
        )
    assert stored is not None and stored.token_hash == digest(token) != token
    opened = await client.get(f"{API}/playlists/shared/{token}")
    playlist_view = data(opened)["playlist"]
    assert playlist_view["id"] == str(playlist.id)
    assert [t["track_id"] for t in playlist_view["tracks"]] == [str(public.id)]
    assert playlist_view["track_count"] == 1
    assert "play_count" not in playlist_view["tracks"][0]["track"]
    await client.get(f"{API}/playlists/shared/{token}")
    figures = await client.get(f"{API}/playlists/{playlist.id}/analytics", headers=owner.headers)
    stats = data(figures)["stats"]
    assert (stats["share_link_count"], stats["share_link_opens"]) == (1, 2)


async def test_unknown_revoked_and_expired_links_are_404(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner, stranger = await member(app), await member(app)
    playlist = await create_playlist(app, owner)
    for token in ("x" * 43, "y" * 500):
        unknown = await client.get(f"{API}/playlists/shared/{token}")
        assert error_code(unknown, 404) == "SHARE_NOT_FOUND"
    revoked = await _share(client, owner, playlist.id)
    url = f"{API}/playlists/{playlist.id}/shares/{revoked['id']}"
    assert (await client.delete(url, headers=stranger.headers)).status_code == 404
    assert data(await client.delete(url, headers=owner.headers))["message"] == "Share link revoked"
    assert (await client.delete(url, headers=owner.headers)).status_code == 200  # twice is fine
    assert (await client.get(f"{API}/playlists/shared/{revoked['token']}")).status_code == 404
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    expiring = await _share(client, owner, playlist.id, expires_at=later)
    assert expiring["expires_at"].endswith("Z")
    assert (await client.get(f"{API}/playlists/shared/{expiring['token']}")).status_code == 200
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(PlaylistShare)
            .where(PlaylistShare.id == uuid.UUID(expiring["id"]))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert (await client.get(f"{API}/playlists/shared/{expiring['token']}")).status_code == 404


async def test_expiry_must_be_a_future_time_with_a_zone(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    playlist = await create_playlist(app, owner)
    for value in ("2020-01-01T00:00:00Z", "2999-01-01T00:00:00", "soon"):
        response = await client.post(
            f"{API}/playlists/{playlist.id}/share",
            headers=owner.headers,
            json={"expires_at": value},
        )
        assert error_code(response, 400) == "VALIDATION_ERROR", value


async def test_a_link_dies_with_its_owners_ban_and_the_favourites_have_none(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    playlist = await create_playlist(app, owner)
    share = await _share(client, owner, playlist.id)
    favorites = data(await client.get(f"{API}/playlists/favoris", headers=owner.headers))
    refused = await client.post(
        f"{API}/playlists/{favorites['playlist']['id']}/share", headers=owner.headers
    )
    assert error_code(refused, 400) == "FAVORITES_PLAYLIST"
    await set_user_fields(app, owner.id, is_banned=True)
    assert (await client.get(f"{API}/playlists/shared/{share['token']}")).status_code == 404
