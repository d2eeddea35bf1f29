"""Chunked, resumable uploads: initiate, chunk, resume, complete, expiry and restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from tests.audio import AudioSamples
from tests.helpers import Uploader, md5hex, split
from veza.app import create_app
from veza.kit.jobs import run_task
from veza.models import UploadSession
from veza.uploads.tasks import EXPIRE_UPLOADS


async def test_chunks_in_any_order_assemble_into_the_track(
    owner: Uploader, audio: AudioSamples
) -> None:
    content = audio.read("flac")
    parts = split(content, 4)
    initiated = await owner.initiate(len(content), 4, title="Chunked", is_public=False)
    assert initiated.status_code == 200
    data = initiated.json()["data"]
    upload_id = data["upload_id"]
    assert data["chunk_size"] == len(parts[0])
    assert data["message"] == "Upload session created"
    for number in (3, 1, 4):
        response = await owner.send_chunk(upload_id, number, parts[number - 1], 4, len(content))
        assert response.status_code == 200, response.text
    reply = response.json()["data"]
    assert reply["received_chunks"] == 3
    assert reply["received_chunk_numbers"] == [1, 3, 4]
    assert reply["progress"] == 75.0
    resume = await owner.client.get(f"/api/v1/tracks/resume/{upload_id}", headers=owner.headers)
    state = resume.json()["data"]
    assert state["chunks_received"] == 3
    assert state["received_chunks"] == [1, 3, 4]
    assert state["missing_chunks"] == [2]
    assert state["status"] == "active"
    await owner.send_chunk(upload_id, 2, parts[1], 4, len(content))
    completed = await owner.complete(upload_id)
    assert completed.status_code == 201, completed.text
    body = completed.json()["data"]
    assert body["md5"] == md5hex(content)
    assert body["track"]["title"] == "Chunked"
    assert body["track"]["is_public"] is False
    assert body["track"]["file_size"] == len(content)
    await owner.app.state.jobs.drain()
    stream = await owner.client.get(
        f"/api/v1/tracks/{body['track']['id']}/stream", headers=owner.headers
    )
    assert stream.content == content
    after = await owner.client.get(f"/api/v1/tracks/resume/{upload_id}", headers=owner.headers)
    assert after.json()["data"]["status"] == "completed"
    assert after.json()["data"]["track_id"] == body["track"]["id"]
    parts_dir = owner.app.state.storage.local_path(f"uploads/{upload_id}")
    assert not parts_dir.exists()  # the parts are removed once assembled


async def test_resending_a_chunk_is_harmless(owner: Uploader, audio: AudioSamples) -> None:
    content = audio.read("mp3")
    parts = split(content, 2)
    upload_id = (await owner.initiate(len(content), 2, "a.mp3")).json()["data"]["upload_id"]
    for _ in range(2):
        response = await owner.send_chunk(upload_id, 1, parts[0], 2, len(content), "a.mp3")
        assert response.json()["data"]["received_chunks"] == 1
    await owner.send_chunk(upload_id, 2, parts[1], 2, len(content), "a.mp3")
    completed = await owner.complete(upload_id)
    assert completed.json()["data"]["md5"] == md5hex(content)


async def test_a_second_complete_is_refused_without_harm(
    owner: Uploader, audio: AudioSamples
) -> None:
    upload_id = await owner.chunked_upload_id(audio.read("wav"), 3)
    first = await owner.complete(upload_id)
    assert first.status_code == 201
    second = await owner.complete(upload_id)
    assert second.status_code == 400
    assert second.json()["error"]["code"] == "UPLOAD_ALREADY_COMPLETED"
    quota = await owner.client.get("/api/v1/tracks/quota/me", headers=owner.headers)
    assert quota.json()["data"]["quota"]["track_count"] == 1
    late_chunk = await owner.send_chunk(upload_id, 1, b"x", 3, len(audio.read("wav")))
    assert late_chunk.status_code == 400


async def test_complete_with_missing_chunks_is_400_and_can_be_retried(
    owner: Uploader, audio: AudioSamples
) -> None:
    content = audio.read("mp3")
    parts = split(content, 3)
    upload_id = (await owner.initiate(len(content), 3)).json()["data"]["upload_id"]
    await owner.send_chunk(upload_id, 1, parts[0], 3, len(content))
    refused = await owner.complete(upload_id)
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["message"] == "missing chunks: 2, 3"
    for number in (2, 3):
        await owner.send_chunk(upload_id, number, parts[number - 1], 3, len(content))
    assert (await owner.complete(upload_id)).status_code == 201


async def test_complete_of_a_non_audio_file_is_400(owner: Uploader) -> None:
    upload_id = await owner.chunked_upload_id(b"plain text, not audio" * 100, 2)
    response = await owner.complete(upload_id)
    assert response.status_code == 400
    assert "unsupported file type" in response.json()["error"]["details"][0]["message"]


async def test_upload_sessions_belong_to_their_user(
    owner: Uploader, other: Uploader, audio: AudioSamples
) -> None:
    content = audio.read("mp3")
    upload_id = await owner.chunked_upload_id(content, 2)
    resume = await other.client.get(f"/api/v1/tracks/resume/{upload_id}", headers=other.headers)
    assert resume.status_code == 404
    chunk = await other.send_chunk(upload_id, 1, b"abc", 2, len(content))
    assert chunk.status_code == 400
    assert chunk.json()["error"]["code"] == "UPLOAD_NOT_FOUND"
    complete = await other.complete(upload_id)
    assert complete.status_code == 400
    assert (await owner.complete(upload_id)).status_code == 201


async def test_unknown_or_malformed_upload_ids(owner: Uploader) -> None:
    for raw in ("nope", "00000000-0000-0000-0000-000000000000"):
        assert (
            await owner.client.get(f"/api/v1/tracks/resume/{raw}", headers=owner.headers)
        ).status_code == 404
        assert (await owner.complete(raw)).status_code == 400
        assert (await owner.send_chunk(raw, 1, b"x", 1, 1)).status_code == 400


async def test_chunk_fields_are_checked(owner: Uploader) -> None:
    upload_id = (await owner.initiate(10, 2)).json()["data"]["upload_id"]
    out_of_range = await owner.send_chunk(upload_id, 3, b"12345", 2, 10)
    assert out_of_range.json()["error"]["details"][0]["field"] == "chunk_number"
    zero = await owner.send_chunk(upload_id, 0, b"12345", 2, 10)
    assert zero.status_code == 400
    mismatch = await owner.send_chunk(upload_id, 1, b"12345", 3, 10)
    assert mismatch.status_code == 400
    too_much = await owner.send_chunk(upload_id, 1, b"x" * 11, 2, 10)
    assert too_much.status_code == 400
    not_a_number = await owner.client.post(
        "/api/v1/tracks/chunk",
        headers=owner.headers,
        files={"chunk": ("b", b"x")},
        data={
            "upload_id": upload_id,
            "chunk_number": "one",
            "total_chunks": "2",
            "total_size": "10",
            "filename": "f",
        },
    )
    assert not_a_number.json()["error"]["details"][0]["field"] == "chunk_number"
    no_file = await owner.client.post(
        "/api/v1/tracks/chunk",
        headers=owner.headers,
        data={
            "upload_id": upload_id,
            "chunk_number": "1",
            "total_chunks": "2",
            "total_size": "10",
            "filename": "f",
        },
    )
    assert no_file.status_code == 400


async def test_a_chunk_over_the_chunk_limit_is_413(owner: Uploader) -> None:
    owner.app.state.settings.media.max_chunk_bytes = 8
    upload_id = (await owner.initiate(16, 2)).json()["data"]["upload_id"]
    response = await owner.send_chunk(upload_id, 1, b"x" * 9, 2, 16)
    assert response.status_code == 413


async def test_initiate_checks_size_chunks_and_quota(owner: Uploader) -> None:
    media = owner.app.state.settings.media
    too_big = await owner.initiate(media.max_file_bytes + 1, 100)
    assert too_big.status_code == 400
    assert too_big.json()["error"]["details"][0]["field"] == "total_size"
    chunks_too_big = await owner.initiate(media.max_file_bytes, 1)
    assert chunks_too_big.json()["error"]["details"][0]["field"] == "total_chunks"
    more_chunks_than_bytes = await owner.initiate(3, 4)
    assert more_chunks_than_bytes.status_code == 400
    invalid = await owner.client.post(
        "/api/v1/tracks/initiate", headers=owner.headers, json={"filename": "a", "total_size": 0}
    )
    assert invalid.status_code == 400
    media.user_quota_bytes = 1000
    assert (await owner.initiate(600, 1)).status_code == 200
    over = await owner.initiate(600, 1)  # the first session's 600 bytes are reserved
    assert over.status_code == 403
    assert over.json()["error"]["message"] == "Quota exceeded"


async def test_initiate_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/tracks/initiate", json={"filename": "a", "total_size": 1, "total_chunks": 1}
    )
    assert response.status_code == 401


async def _expire(uploader: Uploader, upload_id: str) -> None:
    async with uploader.app.state.db.writer() as session, session.begin():
        await session.execute(
            update(UploadSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )


async def test_an_expired_session_is_refused_and_swept(
    owner: Uploader, audio: AudioSamples
) -> None:
    content = audio.read("mp3")
    parts = split(content, 2)
    upload_id = (await owner.initiate(len(content), 2)).json()["data"]["upload_id"]
    await owner.send_chunk(upload_id, 1, parts[0], 2, len(content))
    parts_dir = owner.app.state.storage.local_path(f"uploads/{upload_id}")
    assert parts_dir.is_dir()
    await _expire(owner, upload_id)
    late = await owner.send_chunk(upload_id, 2, parts[1], 2, len(content))
    assert late.json()["error"]["code"] == "UPLOAD_EXPIRED"
    resume = await owner.client.get(f"/api/v1/tracks/resume/{upload_id}", headers=owner.headers)
    assert resume.json()["data"]["status"] == "expired"
    await run_task(owner.app.state.jobs.context, EXPIRE_UPLOADS)
    assert not parts_dir.exists()
    gone = await owner.client.get(f"/api/v1/tracks/resume/{upload_id}", headers=owner.headers)
    assert gone.status_code == 404


async def test_an_upload_survives_a_server_restart(owner: Uploader, audio: AudioSamples) -> None:
    content = audio.read("flac")
    parts = split(content, 3)
    upload_id = (await owner.initiate(len(content), 3)).json()["data"]["upload_id"]
    await owner.send_chunk(upload_id, 1, parts[0], 3, len(content))
    await owner.send_chunk(upload_id, 2, parts[1], 3, len(content))
    # The server is killed; a new process starts on the same data directory and database.
    await owner.app.state.db.dispose()
    restarted = create_app(owner.app.state.settings)
    transport = httpx.ASGITransport(app=restarted)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            resumed = Uploader(restarted, client, owner.user, owner.headers)
            state = await client.get(f"/api/v1/tracks/resume/{upload_id}", headers=owner.headers)
            assert state.json()["data"]["received_chunks"] == [1, 2]
            await resumed.send_chunk(upload_id, 3, parts[2], 3, len(content))
            completed = await resumed.complete(upload_id)
            assert completed.status_code == 201
            assert completed.json()["data"]["md5"] == md5hex(content)
            await restarted.state.jobs.drain()
    finally:
        await restarted.state.db.dispose()
