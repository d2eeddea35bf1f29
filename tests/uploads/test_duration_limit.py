"""The longest audio accepted (VEZA_MEDIA__MAX_DURATION_SECONDS): refused at the probe of a
single upload, a chunked upload and a new version (400 naming the field), and by processing
when the audio turns out longer than its header said, or than a lowered limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.audio import AudioSamples, make_tone
from tests.helpers import Uploader, data

TOO_LONG = "the audio is longer than the maximum duration (1 s)"


@pytest.fixture
def one_second_limit(owner: Uploader) -> None:
    owner.app.state.settings.media.max_duration_seconds = 1


async def _quota(uploader: Uploader) -> dict[str, Any]:
    response = await uploader.client.get("/api/v1/tracks/quota/me", headers=uploader.headers)
    quota: dict[str, Any] = data(response)["quota"]
    return quota


def _refused(response: Any, field: str, message: str = TOO_LONG) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"][0]["field"] == field
    assert error["details"][0]["message"] == message


async def test_a_single_upload_longer_than_the_limit_is_400_on_file(
    owner: Uploader, audio: AudioSamples, one_second_limit: None
) -> None:
    _refused(await owner.upload(audio.read("take2.mp3")), "file")  # two seconds
    quota = await _quota(owner)
    assert (quota["used"], quota["track_count"]) == (0, 0)
    accepted = await owner.upload(audio.read("flac"))  # one second: at the limit, not over
    assert accepted.status_code == 201, accepted.text


async def test_a_chunked_upload_longer_than_the_limit_is_400_on_upload_id(
    owner: Uploader, audio: AudioSamples, one_second_limit: None
) -> None:
    upload_id = await owner.chunked_upload_id(audio.read("take2.mp3"), 2, "take2.mp3")
    _refused(await owner.complete(upload_id), "upload_id")
    assert (await _quota(owner))["track_count"] == 0


async def test_a_new_version_longer_than_the_limit_is_400_on_upload_id(
    owner: Uploader, audio: AudioSamples
) -> None:
    track = await owner.upload_track(audio.read("flac"))
    owner.app.state.settings.media.max_duration_seconds = 1
    _refused(await owner.new_version(track["id"], audio.read("take2.mp3")), "upload_id")
    versions = await owner.client.get(
        f"/api/v1/tracks/{track['id']}/versions", headers=owner.headers
    )
    assert len(data(versions)["versions"]) == 1


def _flac_with_a_short_header(path: Path, seconds: float, announced: int) -> bytes:
    """A FLAC of ``seconds`` of audio whose STREAMINFO announces ``announced`` samples."""
    make_tone(path, "flac", "flac", 8000, {}, seconds=seconds)
    content = bytearray(path.read_bytes())
    # STREAMINFO follows "fLaC" and its 4-byte block header; the total sample count is its
    # last 36 bits before the MD5, from the low nibble of data byte 13 on.
    start = 8 + 13
    content[start] = (content[start] & 0xF0) | (announced >> 32)
    content[start + 1 : start + 5] = (announced & 0xFFFFFFFF).to_bytes(4, "big")
    return bytes(content)


async def test_audio_longer_than_its_header_says_fails_processing_at_the_limit(
    owner: Uploader, tmp_path: Path
) -> None:
    owner.app.state.settings.media.max_duration_seconds = 2
    content = _flac_with_a_short_header(tmp_path / "long.flac", 6.0, announced=8000)
    track = await owner.upload_track(content, filename="long.flac")  # the probe sees 1 s
    status = data(
        await owner.client.get(f"/api/v1/tracks/{track['id']}/status", headers=owner.headers)
    )
    assert status["status"] == "failed"
    assert status["status_message"] == "the audio is longer than the maximum duration (2 s)"
    assert (await _quota(owner))["derived"] == 0  # nothing derived is kept or counted


async def test_restoring_audio_over_a_lowered_limit_fails_processing(
    owner: Uploader, audio: AudioSamples
) -> None:
    track = await owner.upload_track(audio.read("take2.mp3"))
    assert data(await owner.new_version(track["id"], audio.read("flac")), 201)
    await owner.app.state.jobs.drain()
    owner.app.state.settings.media.max_duration_seconds = 1
    restored = await owner.client.post(
        f"/api/v1/tracks/{track['id']}/versions/{track['file_id']}/restore",
        headers=owner.headers,
    )
    assert restored.status_code == 200, restored.text
    await owner.app.state.jobs.drain()
    status = data(
        await owner.client.get(f"/api/v1/tracks/{track['id']}/status", headers=owner.headers)
    )
    assert (status["status"], status["status_message"]) == ("failed", TOO_LONG)
