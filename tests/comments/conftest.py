"""Fixtures of the comments tests: tracks inserted straight in the database, and helpers."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from tests.users.support import API, Member
from veza.models import Track
from veza.models.track import TRACK_COMPLETED

_titles = itertools.count(1)


async def create_track(app: FastAPI, owner: Member, **fields: Any) -> Track:
    """A processed track (public, completed, 180 s) owned by ``owner``; ``fields`` override."""
    values: dict[str, Any] = {
        "creator_id": owner.id,
        "title": f"Track {next(_titles)}",
        "status": TRACK_COMPLETED,
        "is_public": True,
        "duration": 180,
        "format": "mp3",
    }
    values.update(fields)
    track = Track(**values)
    async with app.state.db.writer() as session, session.begin():
        session.add(track)
    return track


async def set_track_fields(app: FastAPI, track_id: uuid.UUID, **values: Any) -> None:
    async with app.state.db.writer() as session, session.begin():
        await session.execute(update(Track).where(Track.id == track_id).values(**values))


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
