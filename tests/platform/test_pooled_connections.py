"""Pooled PostgreSQL connections: tested before use only after sitting idle (kit/db.py)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection

from tests.conftest import make_settings
from veza.app import create_app
from veza.config import DatabaseSettings, Settings
from veza.kit.db import create_null_pool_engine

pytestmark = pytest.mark.skipif(
    not os.environ.get("VEZA_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="connection pooling with a server: PostgreSQL only",
)


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the pings the pool sends."""
    counted: list[int] = []
    original = AsyncAdapt_asyncpg_connection.ping

    def counting_ping(self: AsyncAdapt_asyncpg_connection) -> None:
        counted.append(1)
        original(self)

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counting_ping)
    yield counted


@asynccontextmanager
async def _client_with(
    tmp_path: Path, database_url: str, idle_seconds: float
) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        tmp_path, database_url, database=DatabaseSettings(ping_after_idle_seconds=idle_seconds)
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
    finally:
        await app.state.db.dispose()


async def test_a_connection_back_from_a_request_is_used_without_a_ping(
    tmp_path: Path, settings: Settings, pings: list[int]
) -> None:
    url = settings.effective_database_url
    async with _client_with(tmp_path, url, idle_seconds=10.0) as client:
        for _ in range(3):
            assert (await client.get("/api/v1/tracks")).status_code == 200
    assert pings == []


async def test_an_idle_connection_dropped_by_the_server_is_replaced(
    tmp_path: Path, settings: Settings, pings: list[int]
) -> None:
    url = settings.effective_database_url
    async with _client_with(tmp_path, url, idle_seconds=0.0) as client:
        assert (await client.get("/api/v1/tracks")).status_code == 200
        # The server ends every session of this database, as a restart would.
        admin = create_null_pool_engine(url)
        async with admin.connect() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        await admin.dispose()
        response = await client.get("/api/v1/tracks")
        assert response.status_code == 200, response.text
    assert pings, "the idle connection was not tested before use"
