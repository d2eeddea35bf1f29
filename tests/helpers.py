"""HTTP helpers shared by more than one domain's tests: social actions, the notification inbox,
reading answers, and the ``Uploader`` that drives the upload API.

Helpers used by a single domain stay in that domain's folder (e.g. tests/comments/support.py).
Rows are made in tests/factories.py.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from tests.factories import PASSWORD, Member
from veza.models import User

API = "/api/v1"


# Social actions and the inbox ------------------------------------------------------------------


async def follow(client: httpx.AsyncClient, who: Member, target: Member) -> httpx.Response:
    return await client.post(f"{API}/users/{target.id}/follow", headers=who.headers)


async def block(client: httpx.AsyncClient, who: Member, target: Member) -> httpx.Response:
    return await client.post(f"{API}/users/{target.id}/block", headers=who.headers)


async def delete_own_account(client: httpx.AsyncClient, who: Member) -> httpx.Response:
    """``who`` deletes their account through DELETE /users/{id}, confirming as it requires."""
    return await client.request(
        "DELETE",
        f"{API}/users/{who.id}",
        headers=who.headers,
        json={"password": PASSWORD, "confirm_text": "DELETE"},
    )


async def notifications(client: httpx.AsyncClient, who: Member, **params: Any) -> dict[str, Any]:
    response = await client.get(f"{API}/notifications", headers=who.headers, params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


# Reading answers -------------------------------------------------------------------------------


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


# Uploads ---------------------------------------------------------------------------------------


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

    async def new_version(self, track_id: str, content: bytes, chunks: int = 2) -> httpx.Response:
        """POST /tracks/{id}/versions with ``content`` sent as a chunked upload."""
        upload_id = await self.chunked_upload_id(content, chunks, "version.bin")
        return await self.client.post(
            f"/api/v1/tracks/{track_id}/versions",
            headers=self.headers,
            json={"upload_id": upload_id},
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


def md5hex(content: bytes) -> str:
    return hashlib.md5(content, usedforsecurity=False).hexdigest()
