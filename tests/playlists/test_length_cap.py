"""The length cap (VEZA_PLAYLISTS__MAX_TRACKS), here set to 2."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import create_playlist, create_track, member
from tests.helpers import API, data, error_code
from tests.playlists.support import add_track
from veza.config import PlaylistSettings, Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.playlists = PlaylistSettings(max_tracks=2)
    return settings


async def test_a_setting_caps_the_length(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app)
    a, b, c = [await create_track(app, owner) for _ in range(3)]
    playlist = await create_playlist(app, owner, tracks=[a])
    assert (await add_track(client, owner, playlist.id, b.id)).status_code == 200
    assert error_code(await add_track(client, owner, playlist.id, c.id), 400) == "PLAYLIST_FULL"
    imported = await client.post(
        f"{API}/playlists/import",
        headers=owner.headers,
        json={"playlist": {"title": "Big"}, "tracks": [{"id": str(t.id)} for t in (a, b, c)]},
    )
    body = data(imported, 201)
    assert body["added"] == 2
    assert [(s["id"], s["reason"]) for s in body["skipped"]] == [(str(c.id), "playlist_full")]
