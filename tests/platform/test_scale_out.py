"""Scale-out for real: two ``veza serve`` processes and one ``veza worker`` over PostgreSQL,
Redis and S3 (moto in server mode). An upload through one process is processed by the worker;
its status, its stream, notifications, rate limits and a live socket are read through the other.

Skipped unless VEZA_TEST_DATABASE_URL (PostgreSQL) and VEZA_TEST_REDIS_URL are set (CI sets
both).
"""

from __future__ import annotations

import asyncio
import io
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.audio import AudioSamples
from tests.factories import PASSWORD, Member, member
from tests.helpers import API
from tests.processes import deployment, shared_env
from tests.queue.support import queue_socket, receive
from tests.s3 import moto_s3
from veza.config import Settings

REDIS_URL = os.environ.get("VEZA_TEST_REDIS_URL", "")
ON_POSTGRES = os.environ.get("VEZA_TEST_DATABASE_URL", "").startswith("postgresql")
pytestmark = [
    pytest.mark.skipif(
        not (REDIS_URL and ON_POSTGRES),
        reason="needs VEZA_TEST_DATABASE_URL (PostgreSQL) and VEZA_TEST_REDIS_URL",
    ),
    pytest.mark.timeout(90),
]
BUCKET = "veza-scale-out"
LOGIN_FAILURES = 3  # per account, across every process


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_s3(BUCKET) as endpoint:
        yield endpoint


@dataclass(frozen=True)
class Deployed:
    first: str  # host:port of each API process
    second: str
    s3_endpoint: str
    s3_prefix: str


@pytest.fixture
async def deployed(
    app: FastAPI, settings: Settings, tmp_path: Path, s3_endpoint: str
) -> AsyncIterator[Deployed]:
    prefix = uuid.uuid4().hex
    env = shared_env(
        settings.effective_database_url,
        REDIS_URL,
        VEZA_STORAGE__BACKEND="s3",
        VEZA_STORAGE__S3_BUCKET=BUCKET,
        VEZA_STORAGE__S3_ENDPOINT_URL=s3_endpoint,
        VEZA_STORAGE__S3_PREFIX=prefix,
        VEZA_STORAGE__S3_ACCESS_KEY_ID="test",
        VEZA_STORAGE__S3_SECRET_ACCESS_KEY="test",
        VEZA_RATE_LIMIT__LOGIN_FAILURES_PER_ACCOUNT=f"{LOGIN_FAILURES} per 15 minutes",
    )
    async with deployment(env, tmp_path, servers=2, workers=1) as (first, second):
        yield Deployed(first, second, s3_endpoint, prefix)


async def _processed(client: httpx.AsyncClient, owner: Member, track_id: str) -> dict[str, Any]:
    """The track's status once the worker has finished with it (30 s at most, on a loaded
    machine)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        response = await client.get(f"{API}/tracks/{track_id}/status", headers=owner.headers)
        assert response.status_code == 200, response.text
        status: dict[str, Any] = response.json()["data"]
        if status["status"] in {"completed", "failed"}:
            return status
        await asyncio.sleep(0.1)
    raise AssertionError(f"the worker did not process the track: {status}")


async def _login(client: httpx.AsyncClient, who: Member, password: str) -> httpx.Response:
    return await client.post(
        f"{API}/auth/login", json={"email": who.user.email, "password": password}
    )


def _stored_keys(endpoint: str, prefix: str) -> list[str]:
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    listing = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/")
    return [entry["Key"].removeprefix(f"{prefix}/") for entry in listing.get("Contents", [])]


async def test_two_api_processes_and_a_worker_share_everything(
    app: FastAPI, deployed: Deployed, audio: AudioSamples
) -> None:
    """One scenario, so the three processes start once (the test must stay short in CI)."""
    artist, listener = await member(app), await member(app)
    async with (
        httpx.AsyncClient(base_url=f"http://{deployed.first}") as one,
        httpx.AsyncClient(base_url=f"http://{deployed.second}") as other,
    ):
        # Uploaded through one process, processed by the worker, its status read on the other.
        uploaded = await one.post(
            f"{API}/tracks",
            headers=artist.headers,
            files={"file": ("tone.mp3", io.BytesIO(audio.read("mp3")), "audio/mpeg")},
            data={"title": "Scaled out", "is_public": "true"},
        )
        assert uploaded.status_code == 201, uploaded.text
        track_id = uploaded.json()["data"]["track"]["id"]
        status = await _processed(other, artist, track_id)
        assert status["status"] == "completed", status
        assert status["progress"] == 100
        # What the worker made (HLS renditions) is in the shared bucket, beside the original.
        keys = _stored_keys(deployed.s3_endpoint, deployed.s3_prefix)
        assert any(key.startswith(f"hls/{track_id}/") for key in keys), keys
        assert any(key.startswith("tracks/") for key in keys), keys

        # The other process redirects the stream to a presigned URL of the same bucket.
        stream = await other.get(f"{API}/tracks/{track_id}/stream", headers=listener.headers)
        assert stream.status_code == 302, stream.text
        presigned = stream.headers["location"]
        assert presigned.startswith(f"{deployed.s3_endpoint}/{BUCKET}/{deployed.s3_prefix}/")
        async with httpx.AsyncClient() as s3:
            stored = await s3.get(presigned)
        assert stored.status_code == 200
        assert stored.content == audio.read("mp3")

        # A follow through one process is in the followed user's notifications on the other.
        followed = await one.post(f"{API}/users/{artist.id}/follow", headers=listener.headers)
        assert followed.status_code in {200, 201}, followed.text
        notes = await other.get(f"{API}/notifications", headers=artist.headers)
        assert notes.status_code == 200, notes.text
        items = notes.json()["data"]["notifications"]
        assert [(n["kind"], n["actor"]["id"]) for n in items] == [("follow", str(listener.id))]

        # A socket on one process hears the processed track queued through the other.
        async with queue_socket(deployed.second, listener) as live:
            assert (await receive(live))["type"] == "snapshot"
            queued = await one.post(
                f"{API}/queue/items", headers=listener.headers, json={"track_id": track_id}
            )
            assert queued.status_code == 201, queued.text
            heard = await receive(live, within=5)
            assert heard["type"] == "item_added"
            assert heard["item"]["track_id"] == track_id

        # Failed logins count across processes: neither alone reaches the limit, together they
        # do, and then even the right password waits, with Retry-After.
        for client in (one, other, one)[:LOGIN_FAILURES]:
            assert (await _login(client, artist, "not the password at all")).status_code == 401
        limited = await _login(other, artist, PASSWORD)
        assert limited.status_code == 429, limited.text
        assert limited.json()["error"]["code"] == "RATE_LIMITED"
        assert 1 <= int(limited.headers["Retry-After"]) <= 900
