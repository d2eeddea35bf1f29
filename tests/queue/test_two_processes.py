"""Live sync across API processes: two real ``veza serve`` processes over PostgreSQL and Redis;
a client connected to one sees a change made through the other.

Skipped unless VEZA_TEST_DATABASE_URL and VEZA_TEST_REDIS_URL are set (CI sets both).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import create_track, member
from tests.helpers import API
from tests.processes import deployment, shared_env
from tests.queue.support import queue_socket, receive, session_socket
from veza.config import Settings

REDIS_URL = os.environ.get("VEZA_TEST_REDIS_URL", "")
ON_POSTGRES = os.environ.get("VEZA_TEST_DATABASE_URL", "").startswith("postgresql")
pytestmark = pytest.mark.skipif(
    not (REDIS_URL and ON_POSTGRES),
    reason="needs VEZA_TEST_DATABASE_URL (PostgreSQL) and VEZA_TEST_REDIS_URL",
)


@pytest.fixture
async def two_servers(
    app: FastAPI, settings: Settings, tmp_path: Path
) -> AsyncIterator[tuple[str, str]]:
    """``host:port`` of two API processes sharing the test's database and Redis."""
    env = shared_env(settings.effective_database_url, REDIS_URL)
    async with deployment(env, tmp_path, servers=2) as (first, second):
        yield first, second


async def test_a_change_through_one_process_reaches_a_socket_on_the_other(
    app: FastAPI, two_servers: tuple[str, str]
) -> None:
    first, second = two_servers
    host, listener = await member(app), await member(app)
    track = await create_track(app, host)

    async with httpx.AsyncClient(base_url=f"http://{second}") as through_second:
        created = await through_second.post(f"{API}/queue/session", headers=host.headers)
        assert created.status_code == 201, created.text
        token = created.json()["data"]["share_token"]

        async with (
            queue_socket(first, listener) as own_queue,
            session_socket(first, token, listener) as shared,
        ):
            assert (await receive(own_queue))["type"] == "snapshot"
            assert (await receive(shared))["type"] == "snapshot"

            queued = await through_second.post(
                f"{API}/queue/items", headers=listener.headers, json={"track_id": str(track.id)}
            )
            assert queued.status_code == 201, queued.text
            heard = await receive(own_queue, within=5)
            assert heard["type"] == "item_added"
            assert heard["item"]["id"] == queued.json()["data"]["item"]["id"]

            state = {"current_track_id": str(track.id), "current_position": 0, "is_playing": True}
            put = await through_second.put(
                f"{API}/queue/session/{token}", headers=host.headers, json=state
            )
            assert put.status_code == 200, put.text
            followed = await receive(shared, within=5)
            assert followed["type"] == "state" and followed["session"]["is_playing"] is True

            ended = await through_second.delete(
                f"{API}/queue/session/{token}", headers=host.headers
            )
            assert ended.status_code == 200, ended.text
            assert (await receive(shared, within=5))["type"] == "session_ended"
