"""docs/examples/live_queue_client.py, the example client of docs/REALTIME.md, keeps a copy of
a session in step with the server."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import httpx
from fastapi import FastAPI

from tests.factories import PASSWORD, create_track, member
from tests.helpers import API
from tests.queue.support import new_session, session_add

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "live_queue_client.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("live_queue_client", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


async def test_the_example_client_follows_a_session(
    app: FastAPI, client: httpx.AsyncClient, server: str
) -> None:
    example = _example()
    host, guest = await member(app), await member(app)
    tracks = [await create_track(app, host) for _ in range(2)]
    token = (await new_session(client, host))["share_token"]
    await session_add(client, host, token, tracks[0].id)
    # The example signs in with a password and trades the access token for a stream token.
    stream_token = await example.stream_token(f"http://{server}", guest.user.email, PASSWORD)
    url = example.socket_url(f"http://{server}", token)
    copy = example.LiveCopy()

    following = asyncio.create_task(example.follow(url, stream_token, copy, messages=4))
    for _ in range(500):  # until the snapshot is in
        if copy.version >= 0:
            break
        await asyncio.sleep(0.01)
    await session_add(client, guest, token, tracks[1].id)
    body = {"current_track_id": str(tracks[1].id), "current_position": 1000, "is_playing": True}
    await client.put(f"{API}/queue/session/{token}", headers=host.headers, json=body)
    await client.delete(f"{API}/queue/session/{token}", headers=host.headers)
    await asyncio.wait_for(following, 5)

    assert [item["track_id"] for item in copy.items] == [str(t.id) for t in tracks]
    assert copy.state["current_track_id"] == str(tracks[1].id)
    assert copy.position_ms() >= 1000
    assert copy.ended
