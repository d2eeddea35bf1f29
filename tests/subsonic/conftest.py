"""Fixtures of the Subsonic tests: a member with a Subsonic password and the generated music
folder imported for them, and a client that signs each call with token + salt."""

from __future__ import annotations

import hashlib
import secrets
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import Member, member
from tests.library.conftest import run_import
from tests.library.music import make_music_folder
from tests.queue.conftest import server  # noqa: F401 - the live server, for real clients
from veza.kit.db import write_transaction
from veza.subsonic import credentials
from veza.subsonic.service import box_for

PASSWORD = "subsonic-secret-1"
NS = "{http://subsonic.org/restapi}"


@pytest.fixture(scope="session")
def music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("subsonic-library")
    return make_music_folder(base / "Music", base / "elsewhere")


@pytest.fixture(autouse=True)
async def _drain_jobs_at_teardown(app: FastAPI) -> AsyncIterator[None]:
    yield
    await app.state.jobs.drain()


async def with_password(app: FastAPI, someone: Member, password: str = PASSWORD) -> None:
    async with write_transaction(app.state.db) as session:
        await credentials.set_password(session, box_for(app.state.settings), someone.user, password)


@dataclass
class Sub:
    """A Subsonic client of the in-process app, signing as ``username``."""

    client: httpx.AsyncClient
    username: str
    password: str = PASSWORD

    def auth(self) -> dict[str, str]:
        salt = secrets.token_hex(6)
        token = hashlib.md5((self.password + salt).encode(), usedforsecurity=False).hexdigest()
        return {"u": self.username, "t": token, "s": salt, "v": "1.16.1", "c": "tests"}

    async def raw(self, method: str, **params: Any) -> httpx.Response:
        return await self.client.get(f"/rest/{method}", params={**self.auth(), **params})

    async def json(self, method: str, **params: Any) -> dict[str, Any]:
        response = await self.raw(method, f="json", **params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()["subsonic-response"]
        return body

    async def ok(self, method: str, **params: Any) -> dict[str, Any]:
        body = await self.json(method, **params)
        assert body["status"] == "ok", body
        return body

    async def error(self, method: str, **params: Any) -> int:
        body = await self.json(method, **params)
        assert body["status"] == "failed", body
        code: int = body["error"]["code"]
        return code

    async def xml(self, method: str, **params: Any) -> ET.Element:
        response = await self.raw(method, **params)
        assert response.headers["content-type"].startswith("application/xml")
        return ET.fromstring(response.content)  # noqa: S314 - our own server's answer


@dataclass
class Library:
    owner: Member
    sub: Sub
    music: Path


@pytest.fixture
async def library(app: FastAPI, client: httpx.AsyncClient, music: Path) -> Library:
    owner = await member(app)
    await with_password(app, owner)
    await run_import(app, owner.user.id, music)
    return Library(owner, Sub(client, owner.user.username), music)
