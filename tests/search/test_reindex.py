"""`veza search reindex` rebuilds the indexes from the tables."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from typer.testing import CliRunner

from tests.factories import create_track, member
from veza.cli import app as cli
from veza.config import LogSettings, get_settings
from veza.kit.logging import configure_logging
from veza.search.indexing import reindex


async def _titles(client: httpx.AsyncClient, q: str) -> list[str]:
    response = await client.get("/api/v1/search", params={"q": q, "type": "track"})
    return [t["title"] for t in response.json()["data"]["tracks"]]


async def test_reindex_restores_a_lost_index(app: FastAPI, client: httpx.AsyncClient) -> None:
    artist = await member(app)
    for n in range(3):
        await create_track(app, artist, title=f"Narwhal {n}")
    async with app.state.db.writer() as session, session.begin():
        await session.execute(text("DELETE FROM search_tracks"))
    assert await _titles(client, "narwhal") == []

    progress: list[tuple[str, int, int]] = []
    indexed = await reindex(app.state.db, lambda *step: progress.append(step))
    assert indexed["tracks"] == 3 and indexed["users"] >= 1
    assert ("tracks", 3, 3) in progress
    assert sorted(await _titles(client, "narwhal")) == ["Narwhal 0", "Narwhal 1", "Narwhal 2"]


def test_the_command_reports_what_it_indexed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VEZA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("VEZA_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'veza.db'}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["search", "reindex"])
    finally:
        get_settings.cache_clear()
        configure_logging(LogSettings(level="WARNING"))
    assert result.exit_code == 0, result.output
    assert "indexed 0 tracks, 0 users, 0 playlists" in result.stdout
