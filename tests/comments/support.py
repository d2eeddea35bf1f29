"""Helpers of the comments tests: the comments API, driven over HTTP (tracks and members are
made with tests/factories.py)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.factories import Member
from tests.helpers import API


async def post_comment(
    client: httpx.AsyncClient, who: Member, track_id: uuid.UUID, **body: Any
) -> httpx.Response:
    body.setdefault("content", "Nice one")
    return await client.post(f"{API}/tracks/{track_id}/comments", headers=who.headers, json=body)


async def comment(
    client: httpx.AsyncClient, who: Member, track_id: uuid.UUID, **body: Any
) -> dict[str, Any]:
    """Post a comment that must be accepted; its data."""
    response = await post_comment(client, who, track_id, **body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]["comment"]
    return data


async def track_comments(
    client: httpx.AsyncClient,
    track_id: uuid.UUID,
    viewer: Member | None = None,
    **params: Any,
) -> dict[str, Any]:
    headers = viewer.headers if viewer else {}
    response = await client.get(f"{API}/tracks/{track_id}/comments", headers=headers, params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def replies(
    client: httpx.AsyncClient, comment_id: str, viewer: Member | None = None, **params: Any
) -> dict[str, Any]:
    headers = viewer.headers if viewer else {}
    response = await client.get(
        f"{API}/comments/{comment_id}/replies", headers=headers, params=params
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def delete_comment(
    client: httpx.AsyncClient, who: Member, track_id: uuid.UUID, comment_id: str
) -> httpx.Response:
    return await client.delete(
        f"{API}/tracks/{track_id}/comments/{comment_id}", headers=who.headers
    )


async def edit_comment(
    client: httpx.AsyncClient, who: Member, comment_id: str, content: str
) -> httpx.Response:
    return await client.put(
        f"{API}/comments/{comment_id}", headers=who.headers, json={"content": content}
    )
