"""A database too busy to take a request is a 503 with Retry-After, and the request left
nothing behind (kit/handlers.py)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import httpx
import pytest

from tests.auth.conftest import register
from tests.conftest import make_settings
from veza.app import create_app
from veza.config import DatabaseSettings, Settings


@pytest.mark.skipif(
    os.environ.get("VEZA_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="SQLite's one write lock",
)
async def test_a_write_waiting_past_the_busy_timeout_is_503_and_writes_nothing(
    tmp_path: Path, settings: Settings
) -> None:
    busy = make_settings(
        tmp_path,
        settings.effective_database_url,
        database=DatabaseSettings(sqlite_busy_timeout_ms=50),
    )
    app = create_app(busy)
    database_file = settings.effective_database_url.split("///", 1)[1]
    holder = sqlite3.connect(database_file, isolation_level=None)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
            refused = await register(client, "busy@example.com")
            assert refused.status_code == 503, refused.text
            assert refused.headers["Retry-After"] == "2"
            assert refused.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
            holder.execute("ROLLBACK")

            accepted = await register(client, "busy@example.com")
            # The refused sign-up left no account behind: the same address is free.
            assert accepted.status_code == 201, accepted.text
    finally:
        holder.close()
        await app.state.db.dispose()
