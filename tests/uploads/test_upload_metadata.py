"""Upload metadata (POST /tracks form fields, chunked initiate and complete) follows the rules of
PUT /tracks/{id}: the same normalised genre, tags and musical key, the same 400s."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from tests.audio import AudioSamples
from tests.helpers import Uploader
from veza.models import UploadSession

# (as typed, as stored) on every path
KEYS = [("a minor", "Am"), ("f#", "F#"), ("8a", "8A"), ("Bb maj", "Bb"), (" c♯ min ", "C#m")]


def _field_error(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"]["code"] == "VALIDATION_ERROR"
    field: str = body["error"]["details"][0]["field"]
    return field


async def _put(owner: Uploader, track_id: str, **fields: Any) -> httpx.Response:
    return await owner.client.put(f"/api/v1/tracks/{track_id}", headers=owner.headers, json=fields)


@pytest.mark.parametrize(("typed", "stored"), KEYS)
async def test_upload_stores_the_musical_key_as_put_does(
    owner: Uploader, audio: AudioSamples, typed: str, stored: str
) -> None:
    response = await owner.upload(audio.read("wav"), musical_key=typed)
    assert response.status_code == 201, response.text
    track = response.json()["data"]["track"]
    assert track["musical_key"] == stored
    edited = await _put(owner, track["id"], musical_key=typed)
    assert edited.json()["data"]["track"]["musical_key"] == stored


async def test_upload_trims_genre_and_drops_duplicate_tags_like_put(
    owner: Uploader, audio: AudioSamples
) -> None:
    response = await owner.upload(audio.read("wav"), genre="  Jazz ", tags="night, Night , ,day")
    assert response.status_code == 201, response.text
    track = response.json()["data"]["track"]
    assert (track["genre"], track["tags"]) == ("Jazz", ["night", "day"])
    edited = await _put(owner, track["id"], genre="  Jazz ", tags=["night", "Night ", " ", "day"])
    assert edited.status_code == 200
    assert (edited.json()["data"]["track"]["genre"], edited.json()["data"]["track"]["tags"]) == (
        "Jazz",
        ["night", "day"],
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"musical_key": "H"}, "musical_key"),
        ({"musical_key": "Cmajor7"}, "musical_key"),
        ({"genre": "x" * 101}, "genre"),
        ({"tags": ",".join(f"t{n}" for n in range(11))}, "tags"),
        ({"tags": "y" * 31}, "tags"),
        ({"title": "   "}, "title"),
    ],
)
async def test_bad_upload_metadata_is_400_naming_the_field(
    owner: Uploader, audio: AudioSamples, fields: dict[str, str], field: str
) -> None:
    assert _field_error(await owner.upload(audio.read("wav"), **fields)) == field


async def test_chunked_upload_stores_the_normalised_key_and_tags(
    owner: Uploader, audio: AudioSamples
) -> None:
    content = audio.read("flac")
    initiated = await owner.initiate(
        len(content), 1, "a.flac", musical_key="f# minor", genre=" Rock ", tags=["x", "X", "y"]
    )
    assert initiated.status_code == 200, initiated.text
    upload_id = initiated.json()["data"]["upload_id"]
    assert (await owner.send_chunk(upload_id, 1, content, 1, len(content), "a.flac")).is_success
    completed = await owner.complete(upload_id)
    assert completed.status_code == 201, completed.text
    track = completed.json()["data"]["track"]
    assert (track["musical_key"], track["genre"], track["tags"]) == ("F#m", "Rock", ["x", "y"])


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"musical_key": "Q minor"}, "musical_key"), ({"tags": ["z" * 31]}, "tags")],
)
async def test_chunked_initiate_with_bad_metadata_is_400_naming_the_field(
    owner: Uploader, fields: dict[str, Any], field: str
) -> None:
    assert _field_error(await owner.initiate(1000, 1, "a.flac", **fields)) == field


async def test_complete_of_a_session_holding_an_unknown_key_is_400(
    owner: Uploader, audio: AudioSamples
) -> None:
    """A session opened before the rules applied to uploads: checked again at complete."""
    content = audio.read("flac")
    upload_id = await owner.chunked_upload_id(content, 1, "a.flac")
    async with owner.app.state.db.writer() as session, session.begin():
        await session.execute(
            update(UploadSession)
            .where(UploadSession.id == uuid.UUID(upload_id))
            .values(track_metadata={"musical_key": "not a key"})
        )
    assert _field_error(await owner.complete(upload_id)) == "musical_key"
    listed = await owner.client.get("/api/v1/tracks?limit=5", headers=owner.headers)
    assert listed.json()["data"]["tracks"] == []
