"""SQLite reads the full-text index's matches first, whatever its statistics say.

FTS5 gives SQLite's planner no estimate for a MATCH, so with plain joins and no statistics
(a fresh self-hosted database) it read every readable track through the catalogue index and
ran the MATCH once per track: seconds per search at 100,000 tracks (docs/PERFORMANCE.md,
"Search"). Every statement a search runs must start from the index's matches.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from tests.factories import create_playlist, create_track, member

pytestmark = pytest.mark.skipif(
    os.environ.get("VEZA_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="SQLite's join order",
)
API = "/api/v1"


async def _statements_of(
    app: FastAPI, client: httpx.AsyncClient, path: str, q: str
) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def note(_c: Any, _cur: Any, statement: str, parameters: Any, _ctx: Any, _m: bool) -> None:
        seen.append((statement, parameters))

    engine = app.state.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        response = await client.get(f"{API}{path}", params={"q": q})
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert response.status_code == 200, response.text
    return [(statement, parameters) for statement, parameters in seen if "MATCH" in statement]


async def _plan(app: FastAPI, statement: str, parameters: Any) -> list[str]:
    async with app.state.db.engine.connect() as connection:
        rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return [str(row[3]) for row in rows.all()]


@pytest.mark.parametrize(
    "path", ["/search", "/tracks/search", "/playlists/search", "/search/suggestions"]
)
async def test_search_statements_start_from_the_index_s_matches(
    app: FastAPI, client: httpx.AsyncClient, path: str
) -> None:
    owner = await member(app)
    for number in range(30):
        await create_track(app, owner, title=f"Love song {number}", genre="rock")
        await create_track(app, owner, title=f"Other tune {number}")
    await create_playlist(app, owner, title="Love songs", is_public=True)

    statements = await _statements_of(app, client, path, "love")
    for statement, parameters in statements:
        plan = await _plan(app, statement, parameters)
        catalogue_first = [
            step
            for step in plan
            if step.startswith(("SCAN tracks", "SEARCH tracks USING INDEX ix_tracks_"))
        ]
        assert not catalogue_first, (statement, plan)
