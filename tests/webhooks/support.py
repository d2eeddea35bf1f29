"""A real HTTP receiver on loopback that counts every connection, and helpers that register
webhooks and run the delivery jobs."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI

from tests.factories import Member
from tests.helpers import API, data
from veza.webhooks import tasks as webhook_tasks


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Listener:
    """Answers each request with the next queued ``Reply`` (200 "ok" when none is queued)."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[Received] = []
        self.replies: list[Reply] = []
        self.arrived = asyncio.Event()
        self._servers: list[asyncio.Server] = []
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def start(self) -> None:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._servers.append(server)
        with contextlib.suppress(OSError):  # ::1 on the same port, where the host has IPv6
            self._servers.append(
                await asyncio.start_server(self._serve, "::1", self.port, family=socket.AF_INET6)
            )

    async def close(self) -> None:
        for server in self._servers:
            server.close()
            await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append(Received(method, path, headers, body))
            self.arrived.set()
            reply = self.replies.pop(0) if self.replies else Reply()
            if reply.delay:
                await asyncio.sleep(reply.delay)
            extra = "".join(f"{k}: {v}\r\n" for k, v in reply.headers.items())
            writer.write(
                f"HTTP/1.1 {reply.status} X\r\ncontent-length: {len(reply.body)}\r\n"
                f"connection: close\r\n{extra}\r\n".encode("latin-1")
                + reply.body
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.CancelledError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


@contextlib.asynccontextmanager
async def listening() -> AsyncIterator[Listener]:
    listener = Listener()
    await listener.start()
    try:
        yield listener
    finally:
        await listener.close()


async def register(
    client: httpx.AsyncClient, who: Member, url: str, events: list[str] | None = None
) -> dict[str, Any]:
    response = await client.post(
        f"{API}/webhooks",
        headers=who.headers,
        json={"url": url, "events": events or ["user.followed", "webhook.test"]},
    )
    webhook: dict[str, Any] = data(response, 201)["webhook"]
    return webhook


async def run_jobs(app: FastAPI) -> None:
    await app.state.jobs.drain()


async def sweep(app: FastAPI) -> None:
    """The periodic retry sweep, now, then the sends it queued."""
    await webhook_tasks.retry_due(app.state.jobs.context)
    await app.state.jobs.drain()
