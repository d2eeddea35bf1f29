"""The anonymous read lane (kit/readlane.py) answers exactly what the API answers.

The lane takes anonymous GETs of /tracks, /tracks/{id} and /users/{id} without a body; a
request with ``Content-Length: 0`` is the same request to the API but one the lane leaves to
it, so the two answers can be compared byte for byte: status, headers (the request id aside)
and body.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import create_track, member, set_user_fields
from veza.kit import readlane

LEFT_TO_THE_API = {"Content-Length": "0"}


@pytest.fixture
def lane_answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths the lane answered itself."""
    answered: list[str] = []
    serve = readlane.AnonymousReadLane._serve

    async def spy(self: Any, route: Any, match: Any, query: Any, scope: Any, send: Any) -> bool:
        done = await serve(self, route, match, query, scope, send)
        if done:
            answered.append(scope["path"])
        return done

    monkeypatch.setattr(readlane.AnonymousReadLane, "_serve", spy)
    return answered


def _comparable(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [(k, v) for k, v in response.headers.multi_items() if k != "x-request-id"]
    return response.status_code, headers, response.content


async def _same_answer(client: httpx.AsyncClient, path: str) -> httpx.Response:
    lane = await client.get(path)
    api = await client.get(path, headers=LEFT_TO_THE_API)
    assert _comparable(lane) == _comparable(api), path
    assert lane.headers["x-request-id"] != api.headers["x-request-id"]
    return lane


async def test_public_reads_are_answered_by_the_lane_as_the_api_answers_them(
    app: FastAPI, client: httpx.AsyncClient, lane_answers: list[str]
) -> None:
    owner = await member(app)
    track = await create_track(app, owner, title="Café del Mar")
    paths = [
        f"/api/v1/tracks/{track.id}",
        "/api/v1/tracks",
        "/api/v1/tracks?limit=1",
        "/api/v1/tracks?limit=101",  # as many as the API gives (100)
        f"/api/v1/users/{owner.id}",
    ]
    for path in paths:
        answer = await _same_answer(client, path)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert lane_answers == [path.split("?")[0] for path in paths]
    # The profile is encoded as FastAPI encodes the response model.
    profile = await client.get(f"/api/v1/users/{owner.id}")
    assert (
        profile.content
        == json.dumps(profile.json(), ensure_ascii=False, separators=(",", ":")).encode()
    )


async def test_private_missing_and_unreadable_are_left_to_the_api(
    app: FastAPI, client: httpx.AsyncClient, lane_answers: list[str]
) -> None:
    owner = await member(app)
    banned = await member(app)
    private = await create_track(app, owner, is_public=False)
    of_banned = await create_track(app, banned)
    await set_user_fields(app, banned.id, is_banned=True)
    paths = [
        f"/api/v1/tracks/{private.id}",
        f"/api/v1/tracks/{uuid.uuid4()}",
        f"/api/v1/tracks/{of_banned.id}",
        f"/api/v1/users/{banned.id}",
        f"/api/v1/users/{uuid.uuid4()}",
        "/api/v1/tracks?limit=0",
    ]
    for path in paths:
        answer = await _same_answer(client, path)
        assert answer.status_code in (400, 404), (path, answer.text)
        assert answer.json()["success"] is False
    assert lane_answers == []


async def test_callers_and_other_shapes_go_through_the_api(
    app: FastAPI, client: httpx.AsyncClient, lane_answers: list[str]
) -> None:
    owner = await member(app)
    blocked = await member(app)
    track = await create_track(app, owner, is_public=False)
    public = await create_track(app, owner)
    blocking = await client.post(f"/api/v1/users/{blocked.id}/block", headers=owner.headers)
    assert blocking.status_code in (200, 201), blocking.text
    # Signed in: the owner sees the private track, the blocked member not the public one.
    own = await client.get(f"/api/v1/tracks/{track.id}", headers=owner.headers)
    assert own.status_code == 200
    hidden = await client.get(f"/api/v1/tracks/{public.id}", headers=blocked.headers)
    assert hidden.status_code == 404
    # Shapes the lane does not read: other query parameters, CORS, HEAD.
    assert (await client.get("/api/v1/tracks?limit=5&page=1")).status_code == 200
    assert (await client.get("/api/v1/tracks?genre=rock")).status_code == 200
    cors = await client.get(
        f"/api/v1/tracks/{public.id}", headers={"Origin": "http://elsewhere.example"}
    )
    assert cors.status_code == 200
    assert (await client.head(f"/api/v1/tracks/{public.id}")).status_code in (200, 405)
    assert lane_answers == []
