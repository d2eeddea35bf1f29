"""Versions (replace, list, restore), history, the internal stream callback, account deletion."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from tests.audio import AudioSamples
from tests.helpers import Uploader
from veza.kit import events
from veza.kit.files import SWEEP_FILES
from veza.kit.jobs import run_task
from veza.models import StorageDeletion, Track


async def _new_version(uploader: Uploader, track_id: str, content: bytes) -> httpx.Response:
    upload_id = await uploader.chunked_upload_id(content, 2, "take2.mp3")
    return await uploader.client.post(
        f"/api/v1/tracks/{track_id}/versions",
        headers=uploader.headers,
        json={"upload_id": upload_id},
    )


@pytest.fixture
async def track(owner: Uploader, audio: AudioSamples) -> dict[str, Any]:
    return await owner.upload_track(audio.read("mp3"), title="First")


async def test_replacing_the_audio_keeps_the_previous_file_as_a_version(
    owner: Uploader, track: dict[str, Any], audio: AudioSamples
) -> None:
    take2 = audio.read("take2.mp3")
    response = await _new_version(owner, track["id"], take2)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["version"]["version_number"] == 2
    assert data["version"]["is_current"] is True
    assert data["track"]["status"] == "processing"
    assert data["track"]["file_size"] == len(take2)
    await owner.app.state.jobs.drain()
    stream = await owner.client.get(f"/api/v1/tracks/{track['id']}/stream")
    assert stream.content == take2
    waveform = (await owner.client.get(f"/api/v1/tracks/{track['id']}/waveform")).json()
    assert waveform["length"] == -(-2 * 44100 // 256)  # the two-second take
    listing = await owner.client.get(
        f"/api/v1/tracks/{track['id']}/versions", headers=owner.headers
    )
    versions = listing.json()["data"]["versions"]
    assert [(v["version_number"], v["is_current"]) for v in versions] == [(2, True), (1, False)]
    quota = (await owner.client.get("/api/v1/tracks/quota/me", headers=owner.headers)).json()
    used = quota["data"]["quota"]["used"] - quota["data"]["quota"]["derived"]  # audio only
    assert used == len(take2) + track["file_size"]


async def test_restore_switches_back_and_writes_history(
    owner: Uploader, track: dict[str, Any], audio: AudioSamples
) -> None:
    await _new_version(owner, track["id"], audio.read("take2.mp3"))
    await owner.app.state.jobs.drain()
    first = track["file_id"]
    response = await owner.client.post(
        f"/api/v1/tracks/{track['id']}/versions/{first}/restore", headers=owner.headers
    )
    assert response.status_code == 200
    assert response.json()["data"]["message"] == "Version 1 restored"
    await owner.app.state.jobs.drain()
    stream = await owner.client.get(f"/api/v1/tracks/{track['id']}/stream")
    assert stream.content == audio.read("mp3")
    history = await owner.client.get(f"/api/v1/tracks/{track['id']}/history", headers=owner.headers)
    data = history.json()["data"]
    actions = [entry["action"] for entry in data["history"]]
    assert actions[:2] == ["version_restored", "version_uploaded"]
    assert actions[-1] == "created"
    assert data["total"] == len(actions) and data["limit"] == 50 and data["offset"] == 0
    assert data["history"][0]["changes"]["version_id"] == first
    again = await owner.client.post(
        f"/api/v1/tracks/{track['id']}/versions/{first}/restore", headers=owner.headers
    )
    assert again.json()["data"]["message"] == "This version is already the current one"


async def test_only_the_owner_restores(
    owner: Uploader, other: Uploader, admin_uploader: Uploader, track: dict[str, Any]
) -> None:
    url = f"/api/v1/tracks/{track['id']}/versions/{track['file_id']}/restore"
    assert (await other.client.post(url, headers=other.headers)).status_code == 403
    assert (
        await admin_uploader.client.post(url, headers=admin_uploader.headers)
    ).status_code == 403
    assert (await other.client.post(url)).status_code == 401


async def test_restore_of_an_unknown_version_or_hidden_track_is_404(
    owner: Uploader, other: Uploader, audio: AudioSamples, track: dict[str, Any]
) -> None:
    unknown = await owner.client.post(
        f"/api/v1/tracks/{track['id']}/versions/{uuid.uuid4()}/restore", headers=owner.headers
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "VERSION_NOT_FOUND"
    private = await owner.upload_track(audio.read("wav"), is_public="false")
    hidden = await other.client.post(
        f"/api/v1/tracks/{private['id']}/versions/{private['file_id']}/restore",
        headers=other.headers,
    )
    assert hidden.status_code == 404
    # A version of another track is not a version of this one.
    cross = await owner.client.post(
        f"/api/v1/tracks/{track['id']}/versions/{private['file_id']}/restore", headers=owner.headers
    )
    assert cross.status_code == 404


async def test_only_the_owner_uploads_a_version(
    owner: Uploader, other: Uploader, track: dict[str, Any], audio: AudioSamples
) -> None:
    response = await _new_version(other, track["id"], audio.read("take2.mp3"))
    assert response.status_code == 403


async def test_history_pages_by_limit_and_offset(
    owner: Uploader, track: dict[str, Any], audio: AudioSamples
) -> None:
    await _new_version(owner, track["id"], audio.read("take2.mp3"))
    await owner.app.state.jobs.drain()
    url = f"/api/v1/tracks/{track['id']}/history"
    everything = (await owner.client.get(url, headers=owner.headers)).json()["data"]
    page = (
        await owner.client.get(url, headers=owner.headers, params={"limit": 1, "offset": 1})
    ).json()["data"]
    assert page["limit"] == 1 and page["offset"] == 1 and page["total"] == everything["total"]
    assert page["history"] == everything["history"][1:2]
    assert (
        await owner.client.get(url, headers=owner.headers, params={"limit": 0})
    ).status_code == 400
    assert (
        await owner.client.get(url, headers=owner.headers, params={"offset": -1})
    ).status_code == 400
    capped = await owner.client.get(url, headers=owner.headers, params={"limit": 1000})
    assert capped.json()["data"]["limit"] == 100


async def test_history_is_for_the_owner_and_admins(
    owner: Uploader, other: Uploader, admin_uploader: Uploader, track: dict[str, Any]
) -> None:
    url = f"/api/v1/tracks/{track['id']}/history"
    assert (await other.client.get(url, headers=other.headers)).status_code == 404
    assert (await other.client.get(url)).status_code == 404
    assert (await admin_uploader.client.get(url, headers=admin_uploader.headers)).status_code == 200


# Internal stream callback --------------------------------------------------------------------

KEY = "internal-key-for-tests-0123456789"


async def test_stream_ready_needs_the_internal_key(owner: Uploader, track: dict[str, Any]) -> None:
    url = f"/api/v1/internal/tracks/{track['id']}/stream-ready"
    body = {"status": "completed", "manifest_url": "https://cdn.example/x/master.m3u8"}
    disabled = await owner.client.post(url, json=body, headers={"X-Internal-API-Key": KEY})
    assert disabled.status_code == 401  # no key configured: the internal API is off
    owner.app.state.settings.auth.internal_api_key = SecretStr(KEY)
    assert (await owner.client.post(url, json=body)).status_code == 401
    wrong = await owner.client.post(url, json=body, headers={"X-Internal-API-Key": KEY + "x"})
    assert wrong.status_code == 401
    user_token = await owner.client.post(url, json=body, headers=owner.headers)
    assert user_token.status_code == 401


async def test_stream_ready_updates_the_stream_status(
    owner: Uploader, track: dict[str, Any]
) -> None:
    owner.app.state.settings.auth.internal_api_key = SecretStr(KEY)
    url = f"/api/v1/internal/tracks/{track['id']}/stream-ready"
    headers = {"X-Internal-API-Key": KEY}
    processing = await owner.client.post(url, json={"status": "processing"}, headers=headers)
    assert processing.status_code == 200
    assert processing.json() == {"message": "Stream status updated"}
    status = await owner.client.get(f"/api/v1/tracks/{track['id']}/status", headers=owner.headers)
    assert status.json()["data"]["stream_status"] == "processing"
    manifest = "https://cdn.example/hls/master.m3u8"
    done = await owner.client.post(
        url, json={"status": "completed", "manifest_url": manifest}, headers=headers
    )
    assert done.status_code == 200
    async with owner.app.state.db.reader() as session:
        row = await session.get(Track, uuid.UUID(track["id"]))
        assert row is not None
        assert row.stream_status == "ready" and row.stream_manifest_url == manifest
    failed = await owner.client.post(
        url, json={"status": "failed", "error": "disk"}, headers=headers
    )
    assert failed.status_code == 200
    history = await owner.client.get(f"/api/v1/tracks/{track['id']}/history", headers=owner.headers)
    assert history.json()["data"]["history"][0]["changes"]["error"] == "disk"


async def test_stream_ready_refuses_bad_input(owner: Uploader, track: dict[str, Any]) -> None:
    owner.app.state.settings.auth.internal_api_key = SecretStr(KEY)
    headers = {"X-Internal-API-Key": KEY}
    url = f"/api/v1/internal/tracks/{track['id']}/stream-ready"
    no_manifest = await owner.client.post(url, json={"status": "completed"}, headers=headers)
    assert no_manifest.status_code == 400
    bad_manifest = await owner.client.post(
        url, json={"status": "completed", "manifest_url": "javascript:alert(1)"}, headers=headers
    )
    assert bad_manifest.status_code == 400
    bad_status = await owner.client.post(url, json={"status": "done"}, headers=headers)
    assert bad_status.status_code == 400
    unknown = await owner.client.post(
        f"/api/v1/internal/tracks/{uuid.uuid4()}/stream-ready",
        json={"status": "processing"},
        headers=headers,
    )
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "TRACK_NOT_FOUND"


# Account deletion ----------------------------------------------------------------------------


@pytest.mark.parametrize("keep_public", [False, True])
async def test_a_deleted_users_tracks_and_files_are_removed(
    owner: Uploader, audio: AudioSamples, keep_public: bool
) -> None:
    public = await owner.upload_track(audio.read("mp3"))
    private = await owner.upload_track(audio.read("wav"), is_public="false")
    pending = await owner.initiate(100, 1)
    assert pending.status_code == 200
    storage = owner.app.state.storage
    async with owner.app.state.db.writer() as session, session.begin():
        await events.publish(
            session, events.USER_DELETED, user_id=owner.user.id, keep_public_tracks=keep_public
        )
    await run_task(owner.app.state.jobs.context, SWEEP_FILES)
    async with owner.app.state.db.reader() as session:
        assert await session.get(Track, uuid.UUID(private["id"])) is None
        kept = await session.get(Track, uuid.UUID(public["id"]))
        assert (kept is not None) is keep_public
        assert (await session.scalars(select(StorageDeletion))).all() == []
    assert not storage.local_path(private["file_path"]).exists()
    assert storage.local_path(public["file_path"]).exists() is keep_public
    assert storage.local_path(f"hls/{private['id']}").exists() is False
