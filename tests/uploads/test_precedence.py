"""Uploads give way to the requests being answered (kit/precedence.py), for a bounded time only:
an upload still completes while another request is held open, and the count of requests being
answered goes back to zero whatever the answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from tests.audio import AudioSamples
from tests.helpers import Uploader


async def test_an_upload_completes_while_another_request_is_being_answered(
    owner: Uploader, audio: AudioSamples, monkeypatch: pytest.MonkeyPatch
) -> None:
    from veza.uploads import receiver

    monkeypatch.setattr(receiver, "GIVE_WAY_SECONDS", 0.001)
    precedence = owner.app.state.precedence
    reading, release = asyncio.Event(), asyncio.Event()

    async def held_body() -> AsyncIterator[bytes]:
        yield b'{"type": "LoginRequest", '
        reading.set()
        await release.wait()  # the request stays "being answered" until then
        yield b'"data": {"email": "a@example.com", "password": "x"}}'

    held = asyncio.ensure_future(
        owner.client.post(
            "/api/v1/validate", content=held_body(), headers={"content-type": "application/json"}
        )
    )
    await reading.wait()
    response = await owner.upload(audio.read("mp3"), filename="a.mp3")
    assert response.status_code == 201, response.text
    assert precedence.answering == 1  # the held request, still not answered
    release.set()
    assert (await held).status_code == 200
    assert precedence.answering == 0


async def test_the_count_of_requests_being_answered_returns_to_zero(
    owner: Uploader, audio: AudioSamples
) -> None:
    precedence = owner.app.state.precedence
    client, headers = owner.client, owner.headers
    assert (await client.get("/health")).status_code == 200
    assert (await client.get("/api/v1/tracks/nope", headers=headers)).status_code in (400, 404)
    too_big = str(owner.app.state.settings.server.max_body_bytes + 1)
    refused = await client.post(
        "/api/v1/validate", content=b"{}", headers={"content-length": too_big}
    )
    assert refused.status_code == 413
    assert (await client.get("/api/v1/tracks%00")).status_code == 400
    uploaded = await owner.upload(audio.read("mp3"), filename="a.mp3")
    assert uploaded.status_code == 201
    track_id = uploaded.json()["data"]["track"]["id"]
    streamed = await client.get(f"/api/v1/tracks/{track_id}/download", headers=headers)
    assert streamed.status_code == 200
    bad_upload = await client.post(
        "/api/v1/tracks", headers=headers, content=json.dumps({"a": 1}).encode()
    )
    assert bad_upload.status_code == 400
    assert precedence.answering == 0
