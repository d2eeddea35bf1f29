"""Single upload (POST /tracks), format recognition, limits and the quota."""

from __future__ import annotations

import pytest

from tests.audio import AudioSamples
from tests.helpers import Uploader, md5hex
from veza.kit.staging import LOCK_NAME

FORMATS = {
    "mp3": ("mp3", "mp3"),
    "flac": ("flac", "flac"),
    "wav": ("wav", "pcm_s16le"),
    "ogg": ("ogg", "vorbis"),
    "opus": ("ogg", "opus"),
    "m4a": ("m4a", "aac"),
    "aac": ("aac", "aac"),
}


@pytest.mark.parametrize("kind", sorted(FORMATS))
async def test_each_accepted_format_is_uploaded_and_processed(
    owner: Uploader, audio: AudioSamples, kind: str
) -> None:
    content = audio.read(kind)
    response = await owner.upload(content, filename="whatever.bin")  # the name is not trusted
    assert response.status_code == 201, response.text
    track = response.json()["data"]["track"]
    assert track["status"] == "processing"
    assert track["file_size"] == len(content)
    assert "md5" not in track  # hashed by processing, not while receiving
    assert track["format"] == FORMATS[kind][0]
    assert track["creator_id"] == str(owner.user.id)
    await owner.app.state.jobs.drain()
    status = await owner.client.get(f"/api/v1/tracks/{track['id']}/status", headers=owner.headers)
    assert status.json()["data"] == {
        "track_id": track["id"],
        "status": "completed",
        "progress": 100,
        "stream_status": "ready",
    }
    processed = await owner.client.get(f"/api/v1/tracks/{track['id']}", headers=owner.headers)
    assert processed.json()["data"]["track"]["md5"] == md5hex(content)
    versions = await owner.client.get(
        f"/api/v1/tracks/{track['id']}/versions", headers=owner.headers
    )
    assert versions.json()["data"]["versions"][0]["md5"] == md5hex(content)


async def test_upload_answers_201_with_the_contract_track_fields(
    owner: Uploader, audio: AudioSamples
) -> None:
    response = await owner.upload(
        audio.read("wav"),
        filename="My Song.wav",
        title="Hello",
        genre="Jazz",
        is_public="false",
        tags="a, b",
    )
    body = response.json()
    assert body["success"] is True
    track = body["data"]["track"]
    assert track["title"] == "Hello"
    assert track["genre"] == "Jazz"
    assert track["is_public"] is False
    assert track["tags"] == ["a", "b"]
    assert track["stream_status"] == "pending"
    assert track["file_path"].startswith(f"tracks/{owner.user.id}/{track['id']}/")
    assert track["created_at"].endswith("Z")
    assert None not in track.values()


async def test_title_defaults_to_the_file_name_and_tags_fill_empty_fields(
    owner: Uploader, audio: AudioSamples
) -> None:
    track = await owner.upload_track(audio.read("tagged.mp3"), filename="tagged.mp3", genre="Rock")
    status = await owner.client.get(f"/api/v1/tracks/{track['id']}/history", headers=owner.headers)
    filled = next(
        e for e in status.json()["data"]["history"] if e["action"] == "metadata_from_tags"
    )
    changes = filled["changes"]
    assert changes["title"] == "Tagged Title"
    assert changes["artist"] == "Tagged Artist"
    assert changes["album"] == "Tagged Album"
    assert changes["year"] == 2021
    assert changes["bpm"] == 128
    assert changes["musical_key"] == "Am"
    assert "genre" not in changes  # the uploader's genre is kept
    assert changes["cover_art_path"].endswith(".png")


async def test_flac_vorbis_comments_and_picture_are_read(
    owner: Uploader, audio: AudioSamples
) -> None:
    track = await owner.upload_track(audio.read("tagged.flac"), filename="x.flac", title="Mine")
    history = await owner.client.get(f"/api/v1/tracks/{track['id']}/history", headers=owner.headers)
    changes = history.json()["data"]["history"][0]["changes"]
    assert "title" not in changes  # the uploader gave one
    assert changes["artist"] == "Flac Artist"
    assert changes["year"] == 1999
    assert changes["musical_key"] == "C#m"
    assert (
        owner.app.state.storage.local_path(changes["cover_art_path"])
        .read_bytes()
        .startswith(b"\x89PNG")
    )


async def test_an_acknowledged_upload_is_whole_and_on_the_disk(
    owner: Uploader, audio: AudioSamples, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written in many blocks at their offsets (a small write buffer here), fsynced before the
    track is created and the 201 sent (the file, then its stored name), and the stored bytes
    are the ones sent."""
    import os

    from veza.uploads import receiver as uploads

    synced: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    monkeypatch.setattr(uploads.os, "fsync", recording_fsync)
    monkeypatch.setattr(uploads, "WRITE_BUFFER_BYTES", 4096)
    content = audio.read("flac")
    response = await owner.upload(content, filename="a.flac")
    assert response.status_code == 201, response.text
    staging = str(owner.app.state.storage.staging_dir)
    assert [path for path in synced if path.startswith(staging)], synced
    stored_at = owner.app.state.storage.local_path(response.json()["data"]["track"]["file_path"])
    assert str(stored_at.parent) in synced  # the stored name, with its directory
    track_id = response.json()["data"]["track"]["id"]
    stored = await owner.client.get(f"/api/v1/tracks/{track_id}/download", headers=owner.headers)
    assert stored.status_code == 200
    assert stored.content == content


async def test_upload_without_token_is_401(owner: Uploader, audio: AudioSamples) -> None:
    owner.headers = {}
    response = await owner.upload(audio.read("mp3"))
    assert response.status_code == 401


async def test_text_file_is_refused_with_the_reason(owner: Uploader) -> None:
    response = await owner.upload(b"hello, this is not audio" * 10, filename="song.mp3")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["details"][0]["field"] == "file"
    assert "unsupported file type" in error["details"][0]["message"]


async def test_right_magic_bytes_but_no_audio_is_refused(owner: Uploader) -> None:
    response = await owner.upload(b"fLaC" + b"\x00" * 2000, filename="a.flac")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_video_file_is_refused(owner: Uploader, tmp_path: object) -> None:
    import io

    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as output:
        stream = output.add_stream("mpeg4", rate=5)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for _ in range(3):
            frame = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    response = await owner.upload(buffer.getvalue(), filename="clip.m4a")
    assert response.status_code == 400


async def test_empty_file_is_refused(owner: Uploader) -> None:
    response = await owner.upload(b"")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["message"] == "the file is empty"


async def test_missing_file_field_is_400(owner: Uploader) -> None:
    response = await owner.client.post(
        "/api/v1/tracks", headers=owner.headers, files={"other": ("a", b"x")}, data={"title": "t"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "file"


async def test_json_body_instead_of_multipart_is_400(owner: Uploader) -> None:
    response = await owner.client.post("/api/v1/tracks", headers=owner.headers, json={"a": 1})
    assert response.status_code == 400


async def test_invalid_form_fields_are_400(owner: Uploader, audio: AudioSamples) -> None:
    response = await owner.upload(audio.read("mp3"), year="1800")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "year"


async def test_file_over_the_size_limit_is_413(owner: Uploader, audio: AudioSamples) -> None:
    owner.app.state.settings.media.max_file_bytes = 1000
    response = await owner.upload(audio.read("wav"))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    staging = owner.app.state.storage.staging_dir
    staged = [p for p in staging.rglob("*") if p.is_file() and p.name != LOCK_NAME]
    assert staged == []  # the partial file is gone


async def test_quota_exceeded_is_403(owner: Uploader, audio: AudioSamples) -> None:
    content = audio.read("mp3")
    owner.app.state.settings.media.user_quota_bytes = len(content)  # no room for its HLS
    response = await owner.upload(content)
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "QUOTA_EXCEEDED",
        "message": "Quota exceeded",
        "details": [],
    }


async def test_admins_have_no_quota(admin_uploader: Uploader, audio: AudioSamples) -> None:
    admin_uploader.app.state.settings.media.user_quota_bytes = 10
    assert (await admin_uploader.upload(audio.read("mp3"))).status_code == 201
    quota = await admin_uploader.client.get(
        "/api/v1/tracks/quota/me", headers=admin_uploader.headers
    )
    data = quota.json()["data"]["quota"]
    assert data["unlimited"] is True
    assert "limit" not in data and "remaining" not in data
    assert data["track_count"] == 1


async def test_quota_reports_used_limit_remaining_and_track_count(
    owner: Uploader, audio: AudioSamples
) -> None:
    content = audio.read("flac")
    await owner.upload_track(content)
    response = await owner.client.get("/api/v1/tracks/quota/me", headers=owner.headers)
    quota = response.json()["data"]["quota"]
    limit = owner.app.state.settings.media.user_quota_bytes
    derived = quota["derived"]  # its waveform and HLS (tests/uploads/test_quota.py)
    assert derived > 0
    assert quota == {
        "user_id": str(owner.user.id),
        "used": len(content) + derived,
        "derived": derived,
        "limit": limit,
        "remaining": limit - len(content) - derived,
        "reserved": 0,
        "track_count": 1,
        "unlimited": False,
    }
    by_id = await owner.client.get(f"/api/v1/tracks/quota/{owner.user.id}", headers=owner.headers)
    assert by_id.json()["data"]["quota"] == quota


async def test_another_users_quota_is_403_for_non_admins(owner: Uploader, other: Uploader) -> None:
    response = await owner.client.get(
        f"/api/v1/tracks/quota/{other.user.id}", headers=owner.headers
    )
    assert response.status_code == 403


async def test_admin_sees_any_users_quota(
    admin_uploader: Uploader, owner: Uploader, audio: AudioSamples
) -> None:
    await owner.upload_track(audio.read("mp3"))
    response = await admin_uploader.client.get(
        f"/api/v1/tracks/quota/{owner.user.id}", headers=admin_uploader.headers
    )
    assert response.status_code == 200
    assert response.json()["data"]["quota"]["track_count"] == 1
    unknown = await admin_uploader.client.get(
        "/api/v1/tracks/quota/00000000-0000-0000-0000-000000000000", headers=admin_uploader.headers
    )
    assert unknown.status_code == 404
    malformed = await admin_uploader.client.get(
        "/api/v1/tracks/quota/not-a-uuid", headers=admin_uploader.headers
    )
    assert malformed.status_code == 400


async def test_quota_requires_authentication(client: object) -> None:
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    response = await client.get("/api/v1/tracks/quota/me")
    assert response.status_code == 401
