"""Fixtures of the tracks tests: tiny audio files made with PyAV once per session, helpers."""

from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest
from fastapi import FastAPI

from tests.factories import auth_headers, create_user
from veza.models import User

# A 1x1 PNG, used as embedded cover art.
PNG_COVER = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

# (file name, container format, codec, sample rate, encoder options)
_AUDIO_SPECS: dict[str, tuple[str, str, str, int, dict[str, str]]] = {
    "mp3": ("tone.mp3", "mp3", "libmp3lame", 44100, {}),
    "flac": ("tone.flac", "flac", "flac", 44100, {}),
    "wav": ("tone.wav", "wav", "pcm_s16le", 44100, {}),
    "ogg": ("tone.ogg", "ogg", "vorbis", 44100, {"strict": "-2"}),
    "opus": ("tone.opus", "ogg", "libopus", 48000, {}),
    "m4a": ("tone.m4a", "ipod", "aac", 44100, {}),
    "aac": ("tone.aac", "adts", "aac", 44100, {}),
}


def make_tone(
    path: Path,
    container: str,
    codec: str,
    rate: int,
    options: dict[str, str],
    seconds: float = 1.0,
    frequency: float = 440.0,
) -> None:
    samples = int(rate * seconds)
    wave = (0.5 * np.sin(2 * np.pi * frequency * np.arange(samples) / rate)).astype(np.float32)
    with av.open(str(path), "w", format=container) as output:
        stream = output.add_stream(codec, rate=rate, layout="stereo", options=options)
        frame = av.AudioFrame.from_ndarray(np.tile(wave, (2, 1)), format="fltp", layout="stereo")
        frame.sample_rate = rate
        frame.pts = 0
        for packet in stream.encode(frame):
            output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)


def _tag_mp3(path: Path) -> None:
    from mutagen.id3 import APIC, ID3, TALB, TBPM, TCON, TDRC, TIT2, TKEY, TPE1

    tags = ID3()
    tags.add(TIT2(encoding=3, text="Tagged Title"))
    tags.add(TPE1(encoding=3, text="Tagged Artist"))
    tags.add(TALB(encoding=3, text="Tagged Album"))
    tags.add(TCON(encoding=3, text="Electronic"))
    tags.add(TDRC(encoding=3, text="2021"))
    tags.add(TBPM(encoding=3, text="128"))
    tags.add(TKEY(encoding=3, text="Am"))
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="cover", data=PNG_COVER))
    tags.save(str(path))


def _tag_flac(path: Path) -> None:
    from mutagen.flac import FLAC, Picture

    audio = FLAC(str(path))
    audio["title"] = "Flac Title"
    audio["artist"] = "Flac Artist"
    audio["date"] = "1999-05-01"
    audio["initialkey"] = "C#m"
    picture = Picture()
    picture.type, picture.mime, picture.data = 3, "image/png", PNG_COVER
    audio.add_picture(picture)
    audio.save()


@dataclass(frozen=True)
class AudioSamples:
    directory: Path

    def path(self, kind: str) -> Path:
        return (
            self.directory / _AUDIO_SPECS[kind][0]
            if kind in _AUDIO_SPECS
            else self.directory / kind
        )

    def read(self, kind: str) -> bytes:
        return self.path(kind).read_bytes()


@pytest.fixture(scope="session")
def audio(tmp_path_factory: pytest.TempPathFactory) -> AudioSamples:
    directory = tmp_path_factory.mktemp("audio")
    for name, container, codec, rate, options in _AUDIO_SPECS.values():
        make_tone(directory / name, container, codec, rate, options)
    # The same tones with tags and cover art, and a second, different take for versions.
    for kind, tagger in (("mp3", _tag_mp3), ("flac", _tag_flac)):
        tagged = directory / f"tagged.{kind}"
        tagged.write_bytes((directory / _AUDIO_SPECS[kind][0]).read_bytes())
        tagger(tagged)
    name, container, codec, rate, options = _AUDIO_SPECS["mp3"]
    make_tone(directory / "take2.mp3", container, codec, rate, options, seconds=2.0, frequency=880)
    return AudioSamples(directory)


@dataclass
class Uploader:
    """A user with headers, and helpers that drive the upload API."""

    app: FastAPI
    client: httpx.AsyncClient
    user: User
    headers: dict[str, str]

    async def upload(
        self, content: bytes, filename: str = "song.mp3", **fields: Any
    ) -> httpx.Response:
        data = {key: str(value) for key, value in fields.items()}
        return await self.client.post(
            "/api/v1/tracks",
            headers=self.headers,
            files={"file": (filename, io.BytesIO(content), "application/octet-stream")},
            data=data,
        )

    async def upload_track(
        self, content: bytes, filename: str = "song.mp3", **fields: Any
    ) -> dict[str, Any]:
        """Upload and wait for processing; the Track as the API returns it after processing."""
        response = await self.upload(content, filename, **fields)
        assert response.status_code == 201, response.text
        await self.app.state.jobs.drain()
        track: dict[str, Any] = response.json()["data"]["track"]
        return track

    async def initiate(
        self, total_size: int, total_chunks: int, filename: str = "big.flac", **extra: Any
    ) -> httpx.Response:
        return await self.client.post(
            "/api/v1/tracks/initiate",
            headers=self.headers,
            json={
                "filename": filename,
                "total_size": total_size,
                "total_chunks": total_chunks,
                **extra,
            },
        )

    async def send_chunk(
        self,
        upload_id: str,
        number: int,
        data: bytes,
        total_chunks: int,
        total_size: int,
        filename: str = "big.flac",
    ) -> httpx.Response:
        return await self.client.post(
            "/api/v1/tracks/chunk",
            headers=self.headers,
            files={"chunk": ("blob", io.BytesIO(data), "application/octet-stream")},
            data={
                "upload_id": upload_id,
                "chunk_number": str(number),
                "total_chunks": str(total_chunks),
                "total_size": str(total_size),
                "filename": filename,
            },
        )

    async def complete(self, upload_id: str) -> httpx.Response:
        return await self.client.post(
            "/api/v1/tracks/complete", headers=self.headers, json={"upload_id": upload_id}
        )

    async def chunked_upload_id(
        self, content: bytes, chunks: int, filename: str = "big.flac"
    ) -> str:
        """Initiate and send every chunk; the upload id, ready to complete."""
        response = await self.initiate(len(content), chunks, filename)
        assert response.status_code == 200, response.text
        upload_id: str = response.json()["data"]["upload_id"]
        for number, part in enumerate(split(content, chunks), start=1):
            sent = await self.send_chunk(upload_id, number, part, chunks, len(content), filename)
            assert sent.status_code == 200, sent.text
        return upload_id


def split(content: bytes, chunks: int) -> list[bytes]:
    size = -(-len(content) // chunks)
    return [content[i : i + size] for i in range(0, len(content), size)]


@pytest.fixture
async def owner(app: FastAPI, client: httpx.AsyncClient) -> Uploader:
    user = await create_user(app)
    return Uploader(app, client, user, await auth_headers(app, user))


@pytest.fixture
async def other(app: FastAPI, client: httpx.AsyncClient) -> Uploader:
    user = await create_user(app)
    return Uploader(app, client, user, await auth_headers(app, user))


@pytest.fixture
async def admin_uploader(app: FastAPI, client: httpx.AsyncClient) -> Uploader:
    """An administrator as an Uploader (the `admin` of tests/users/support.py is a Member)."""
    user = await create_user(app, role="admin", is_admin=True)
    return Uploader(app, client, user, await auth_headers(app, user))


@pytest.fixture(autouse=True)
async def _drain_jobs_at_teardown(app: FastAPI) -> AsyncIterator[None]:
    """No job may outlive its test (the database goes away with the test)."""
    yield
    await app.state.jobs.drain()


def md5hex(content: bytes) -> str:
    return hashlib.md5(content, usedforsecurity=False).hexdigest()
