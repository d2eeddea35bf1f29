"""Storage: the local backend and the S3 backend (against moto's S3 server on loopback)."""

from __future__ import annotations

import fcntl
import io
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.audio import make_tone
from tests.conftest import make_settings
from tests.factories import auth_headers, create_user
from tests.s3 import moto_s3
from veza.app import create_app
from veza.config import Settings, StorageSettings
from veza.kit.staging import LOCK_NAME
from veza.kit.storage import (
    LocalStorage,
    ObjectNotFound,
    S3Storage,
    Storage,
    content_disposition,
    create_storage,
    validate_key,
)

BUCKET = "veza-test"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_s3(BUCKET) as endpoint:
        yield endpoint


def s3_settings(endpoint: str, prefix: str) -> StorageSettings:
    return StorageSettings(
        backend="s3",
        s3_bucket=BUCKET,
        s3_endpoint_url=endpoint,
        s3_prefix=prefix,
        s3_access_key_id="test",
        s3_secret_access_key="test",
    )


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "media")
    endpoint: str = request.getfixturevalue("s3_endpoint")
    settings = make_settings(
        tmp_path, "sqlite+aiosqlite://", storage=s3_settings(endpoint, tmp_path.name)
    )
    return create_storage(settings)


def _staged(storage: Storage, data: bytes) -> Path:
    path = storage.new_staging_path()
    path.write_bytes(data)
    return path


async def test_put_get_stat_list_and_delete(storage: Storage, tmp_path: Path) -> None:
    source = _staged(storage, b"audio bytes")
    await storage.put_file("tracks/u/t/a.mp3", source, content_type="audio/mpeg")
    assert not source.exists()  # consumed
    assert await storage.get_bytes("tracks/u/t/a.mp3") == b"audio bytes"
    info = await storage.stat("tracks/u/t/a.mp3")
    assert info.size == 11 and info.modified_at.tzinfo is not None
    await storage.put_bytes("tracks/u/t/w.json", b"{}")
    assert await storage.list_keys("tracks/u") == ["tracks/u/t/a.mp3", "tracks/u/t/w.json"]
    copy = tmp_path / "copy"
    await storage.download_to("tracks/u/t/a.mp3", copy)
    assert copy.read_bytes() == b"audio bytes"
    await storage.delete("tracks/u/t/a.mp3")
    assert not await storage.exists("tracks/u/t/a.mp3")
    await storage.delete("tracks/u/t/a.mp3")  # deleting twice is fine
    await storage.delete_prefix("tracks/u")
    assert await storage.list_keys("tracks/u") == []


async def test_missing_objects_raise_object_not_found(storage: Storage, tmp_path: Path) -> None:
    with pytest.raises(ObjectNotFound):
        await storage.get_bytes("nope/x")
    with pytest.raises(ObjectNotFound):
        await storage.stat("nope/x")
    with pytest.raises(ObjectNotFound):
        await storage.download_to("nope/x", tmp_path / "x")


def test_staging_paths_are_in_a_folder_this_process_holds_locked(storage: Storage) -> None:
    """The staging sweep leaves a folder alone while its lock is held (kit/staging.py)."""
    first, second = storage.new_staging_path(".a"), storage.new_staging_path(".b")
    assert first.parent == second.parent and first.parent.parent == storage.staging_dir
    assert first.parent.name.startswith(f"p{os.getpid()}-")
    probe = os.open(first.parent / LOCK_NAME, os.O_RDWR)
    try:
        with pytest.raises(BlockingIOError):
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(probe)


@pytest.mark.parametrize(
    "key",
    ["../etc/passwd", "/abs/path", "a/../b", "a//b", "a/./b", "", "a\\b", "a/b\x00", ".hidden"],
)
def test_keys_that_could_escape_are_refused(key: str) -> None:
    with pytest.raises(ValueError):
        validate_key(key)


async def test_local_backend_never_writes_outside_its_root(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "media")
    with pytest.raises(ValueError):
        await storage.put_bytes("../outside", b"x")
    assert not (tmp_path / "outside").exists()
    assert await storage.presigned_url("a/b", ttl_seconds=60) is None


async def test_s3_presigned_urls_serve_the_object_with_its_name(
    s3_endpoint: str, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, "sqlite+aiosqlite://", storage=s3_settings(s3_endpoint, "p"))
    storage = create_storage(settings)
    assert isinstance(storage, S3Storage)
    await storage.put_bytes("tracks/a.mp3", b"0123456789")
    url = await storage.presigned_url(
        "tracks/a.mp3", ttl_seconds=900, filename="Zoë.mp3", content_type="audio/mpeg"
    )
    assert url is not None and "X-Amz-Expires=900" in url
    async with httpx.AsyncClient() as http:
        response = await http.get(url, headers={"Range": "bytes=2-4"})
    assert response.status_code == 206 and response.content == b"234"
    assert response.headers["content-type"] == "audio/mpeg"
    assert "attachment" in response.headers["content-disposition"]


def test_content_disposition_has_an_ascii_fallback() -> None:
    value = content_disposition('Zoë "x".mp3')
    assert value == "attachment; filename=\"Zo_ _x_.mp3\"; filename*=UTF-8''Zo%C3%AB%20%22x%22.mp3"


# The whole media path on S3 ------------------------------------------------------------------


@pytest.fixture
async def s3_app(s3_endpoint: str, settings: Settings, db_backend: Any) -> AsyncIterator[FastAPI]:
    settings.storage = s3_settings(s3_endpoint, settings.data_dir.name)
    application = create_app(settings)
    yield application
    await application.state.jobs.drain()
    await application.state.db.dispose()
    await db_backend.reset()


async def test_tracks_on_s3_are_processed_and_redirect_to_presigned_urls(
    s3_app: FastAPI, tmp_path: Path
) -> None:
    user = await create_user(s3_app)
    headers = await auth_headers(s3_app, user)
    make_tone(tmp_path / "s.mp3", "mp3", "libmp3lame", 44100, {})
    content = (tmp_path / "s.mp3").read_bytes()
    transport = httpx.ASGITransport(app=s3_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        # A chunked upload: the parts live in the bucket too.
        initiated = await client.post(
            "/api/v1/tracks/initiate",
            headers=headers,
            json={"filename": "s.mp3", "total_size": len(content), "total_chunks": 2},
        )
        upload_id = initiated.json()["data"]["upload_id"]
        half = len(content) // 2 + 1
        for number, part in ((1, content[:half]), (2, content[half:])):
            sent = await client.post(
                "/api/v1/tracks/chunk",
                headers=headers,
                files={"chunk": ("b", io.BytesIO(part))},
                data={
                    "upload_id": upload_id,
                    "chunk_number": str(number),
                    "total_chunks": "2",
                    "total_size": str(len(content)),
                    "filename": "s.mp3",
                },
            )
            assert sent.status_code == 200, sent.text
        completed = await client.post(
            "/api/v1/tracks/complete", headers=headers, json={"upload_id": upload_id}
        )
        assert completed.status_code == 201, completed.text
        track = completed.json()["data"]["track"]
        await s3_app.state.jobs.drain()
        status = await client.get(f"/api/v1/tracks/{track['id']}/status", headers=headers)
        assert status.json()["data"]["status"] == "completed"
        assert (await client.get(f"/api/v1/tracks/{track['id']}/waveform")).status_code == 200
        stream = await client.get(f"/api/v1/tracks/{track['id']}/stream")
        assert stream.status_code == 302
        assert "X-Amz-Expires=900" in stream.headers["location"]
        download = await client.get(f"/api/v1/tracks/{track['id']}/download")
        assert "X-Amz-Expires=1800" in download.headers["location"]
        segment = await client.get(f"/hls/{track['id']}/64k/segment_00000.ts")
        assert segment.status_code == 302
        master = await client.get(f"/hls/{track['id']}/master.m3u8")
        assert master.status_code == 200 and master.text.startswith("#EXTM3U")
    async with httpx.AsyncClient() as http:
        assert (await http.get(stream.headers["location"])).content == content
    assert await s3_app.state.storage.list_keys(f"uploads/{upload_id}") == []
