"""Signed-in playback of /stream: stream tokens by query and cookie (the rules of HLS), and the
brief per-credential decision that lets the fast lane serve the ranges that follow."""

from __future__ import annotations

from typing import Any

import pytest

from tests.audio import AudioSamples
from tests.helpers import Uploader


@pytest.fixture
async def private_track(owner: Uploader, audio: AudioSamples) -> dict[str, Any]:
    return await owner.upload_track(audio.read("flac"), is_public="false")


async def _stream_token(uploader: Uploader) -> str:
    response = await uploader.client.post("/api/v1/auth/stream-token", headers=uploader.headers)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def _api_refuses_to_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    from veza.playback import service

    async def not_expected(*_: Any, **__: Any) -> None:
        raise AssertionError("the request went through the API")

    monkeypatch.setattr(service, "serve_audio", not_expected)


async def test_a_private_track_streams_with_its_owners_stream_token_only(
    owner: Uploader, other: Uploader, private_track: dict[str, Any]
) -> None:
    url = f"/api/v1/tracks/{private_track['id']}/stream"
    token = await _stream_token(owner)
    by_query = await other.client.get(url, params={"token": token}, headers={"Range": "bytes=0-9"})
    assert by_query.status_code == 206
    assert by_query.headers["cache-control"].startswith("private")
    other.client.cookies.set("stream_token", token)
    assert (await other.client.get(url)).status_code == 200  # by cookie
    other.client.cookies.clear()
    # Someone else's token, no token, a bad one.
    others = await other.client.get(url, params={"token": await _stream_token(other)})
    assert others.status_code == 404
    assert (await other.client.get(url)).status_code == 404
    bad = await other.client.get(url, params={"token": "not-a-token"})
    assert bad.status_code == 401
    # An access token is not a stream token.
    access = owner.headers["Authorization"].removeprefix("Bearer ")
    assert (await other.client.get(url, params={"token": access})).status_code == 401


@pytest.mark.parametrize("carrier", ["query", "cookie", "authorization"])
async def test_the_fast_lane_serves_the_ranges_after_a_granted_one(
    owner: Uploader,
    private_track: dict[str, Any],
    audio: AudioSamples,
    monkeypatch: pytest.MonkeyPatch,
    carrier: str,
) -> None:
    url = f"/api/v1/tracks/{private_track['id']}/stream"
    token = await _stream_token(owner)
    params = {"token": token} if carrier == "query" else None
    headers = {"Range": "bytes=10-99"}
    if carrier == "cookie":
        owner.client.cookies.set("stream_token", token)
    if carrier == "authorization":
        headers |= owner.headers
    through_api = await owner.client.get(url, params=params, headers=headers)
    assert through_api.status_code == 206
    _api_refuses_to_answer(monkeypatch)
    fast = await owner.client.get(url, params=params, headers=headers)
    assert fast.status_code == 206
    assert fast.content == audio.read("flac")[10:100]
    per_request = {"x-request-id", "date"}
    assert {k: v for k, v in fast.headers.items() if k not in per_request} == {
        k: v for k, v in through_api.headers.items() if k not in per_request
    }


async def test_a_grant_is_the_credentials_own_and_ends_with_the_track_change(
    owner: Uploader, other: Uploader, private_track: dict[str, Any]
) -> None:
    url = f"/api/v1/tracks/{private_track['id']}/stream"
    token = await _stream_token(owner)
    assert (await owner.client.get(url, params={"token": token})).status_code == 200
    # Another credential is checked by the API, not served from the owner's grant.
    refused = await other.client.get(url, params={"token": await _stream_token(other)})
    assert refused.status_code == 404
    # A change to the track forgets its grants: a logged-out token is then refused at once.
    logout = await owner.client.post("/api/v1/auth/logout", headers=owner.headers, json={})
    assert logout.status_code == 200
    owner.app.state.playback_cache.forget(private_track["id"])
    ended = await owner.client.get(url, params={"token": token})
    assert ended.status_code == 401
