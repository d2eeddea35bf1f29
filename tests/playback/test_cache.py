"""The playback cache forgets a creator's tracks when the creator is banned, deactivated or
deleted: the next anonymous stream, answered by the fast lane until then, is a 404."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from tests.audio import AudioSamples
from tests.factories import PASSWORD
from tests.helpers import Uploader


class Cached(NamedTuple):
    track_id: str
    url: str
    reached: list[bool]  # one item per later stream that reached the API's handler


@pytest.fixture
async def cached_track(
    owner: Uploader, audio: AudioSamples, monkeypatch: pytest.MonkeyPatch
) -> Cached:
    """A public track of ``owner`` in the playback cache, answered by the fast lane."""
    from veza.playback import service

    track = await owner.upload_track(audio.read("mp3"))
    url = f"/api/v1/tracks/{track['id']}/stream"
    assert (await owner.client.get(url)).status_code == 200  # through the API: fills the cache
    reached: list[bool] = []
    serve_audio = service.serve_audio

    async def counting(*args: Any, **kwargs: Any) -> Any:
        reached.append(True)
        return await serve_audio(*args, **kwargs)

    monkeypatch.setattr(service, "serve_audio", counting)
    assert (await owner.client.get(url)).status_code == 200
    assert reached == []  # the fast lane answered from the cache
    return Cached(track["id"], url, reached)


@pytest.mark.parametrize("change", [{"is_banned": True}, {"is_active": False}])
async def test_a_ban_or_deactivation_by_an_admin_ends_anonymous_playback_at_once(
    owner: Uploader,
    admin_uploader: Uploader,
    cached_track: Cached,
    change: dict[str, bool],
) -> None:
    response = await owner.client.put(
        f"/api/v1/users/{owner.user.id}", headers=admin_uploader.headers, json=change
    )
    assert response.status_code == 200, response.text
    assert (await owner.client.get(cached_track.url)).status_code == 404
    assert cached_track.reached == [True]  # the cache no longer held it


async def test_deletion_by_an_admin_ends_anonymous_playback_at_once(
    owner: Uploader, admin_uploader: Uploader, cached_track: Cached
) -> None:
    response = await owner.client.delete(
        f"/api/v1/users/{owner.user.id}", headers=admin_uploader.headers
    )
    assert response.status_code == 200, response.text
    assert (await owner.client.get(cached_track.url)).status_code == 404


async def test_account_deletion_keeping_public_tracks_ends_anonymous_playback_at_once(
    owner: Uploader, cached_track: Cached
) -> None:
    response = await owner.client.request(
        "DELETE",
        "/api/v1/users/me",
        headers=owner.headers,
        json={"password": PASSWORD, "confirm_text": "DELETE", "keep_public_tracks": True},
    )
    assert response.status_code == 200, response.text
    assert (await owner.client.get(cached_track.url)).status_code == 404


async def test_a_ban_forgets_only_the_banned_creators_tracks(
    owner: Uploader,
    other: Uploader,
    admin_uploader: Uploader,
    audio: AudioSamples,
    cached_track: Cached,
) -> None:
    track = await other.upload_track(audio.read("mp3"))
    others_url = f"/api/v1/tracks/{track['id']}/stream"
    assert (await other.client.get(others_url)).status_code == 200  # cached too
    response = await owner.client.put(
        f"/api/v1/users/{owner.user.id}", headers=admin_uploader.headers, json={"is_banned": True}
    )
    assert response.status_code == 200, response.text
    assert owner.app.state.playback_cache.get(track["id"]) is not None
    assert owner.app.state.playback_cache.get(cached_track.track_id) is None
