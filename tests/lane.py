"""What the read-lane tests share: which requests the lane answered itself, and the check that
its answer is the API's, byte for byte (a body-size header sends the same request to the API)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from veza.kit import readlane

# The lane leaves a request with a body header to the API.
LEFT_TO_THE_API = {"Content-Length": "0"}


@pytest.fixture
def lane_answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Path and query string (when there is one) of each request the lane answered itself."""
    answered: list[str] = []
    serve = readlane.ReadLane._serve

    async def spy(self: Any, found: Any, scope: Any, send: Any) -> bool:
        done = await serve(self, found, scope, send)
        if done:
            query = scope["query_string"].decode()
            answered.append(scope["path"] + ("?" + query if query else ""))
        return done

    monkeypatch.setattr(readlane.ReadLane, "_serve", spy)
    return answered


def comparable(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [(k, v) for k, v in response.headers.multi_items() if k != "x-request-id"]
    return response.status_code, headers, response.content


async def same_answer(
    client: httpx.AsyncClient, path: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    """The lane's answer to ``path``, checked equal to the API's."""
    lane = await client.get(path, headers=headers)
    api = await client.get(path, headers={**(headers or {}), **LEFT_TO_THE_API})
    assert comparable(lane) == comparable(api), path
    assert lane.headers["x-request-id"] != api.headers["x-request-id"]
    return lane


async def fastapi_bytes(value: Any, model: Any, *, exclude_none: bool) -> bytes:
    """What FastAPI writes when a route returns ``value`` as ``model``."""
    probe = FastAPI()

    @probe.get("/", response_model=model, response_model_exclude_none=exclude_none)
    async def answer() -> Any:
        return value

    transport = httpx.ASGITransport(app=probe)
    async with httpx.AsyncClient(transport=transport, base_url="http://probe") as http:
        return (await http.get("/")).content
