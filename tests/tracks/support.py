"""Helpers of the catalog, engagement and sharing tests (tracks are inserted straight in the
database with the comments tests' ``create_track``; members come from the users tests)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tests.comments.conftest import create_track, set_track_fields
from tests.users.support import API, Member, admin, block, follow, member, set_user_fields
from veza.models import Track

__all__ = [
    "API",
    "Member",
    "admin",
    "block",
    "client_from",
    "create_track",
    "follow",
    "member",
    "set_track_fields",
    "set_user_fields",
    "track_row",
]


async def track_row(app: FastAPI, track_id: uuid.UUID | str) -> Track:
    async with app.state.db.reader() as session:
        track = await session.scalar(select(Track).where(Track.id == uuid.UUID(str(track_id))))
    assert track is not None
    return track


@asynccontextmanager
async def client_from(app: FastAPI, ip: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests come from ``ip`` (play dedup looks at the address)."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(ip, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def ids(response: httpx.Response, key: str = "tracks") -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"][key]]


def data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()["data"]


def error_code(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    code: str = response.json()["error"]["code"]
    return code
