"""The catalog's total past the exact-count threshold: a count shared for a few seconds, made
exact for each signed-in viewer (their own unlisted tracks in, blocked creators out)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.factories import admin, create_track, member
from tests.helpers import API, block, data
from veza.models.track import TRACK_PROCESSING
from veza.tracks.counts import CatalogCounts


async def _total(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> int:
    response = await client.get(f"{API}/tracks", params={"limit": 1}, headers=headers or {})
    assert response.status_code == 200
    return int(data(response)["pagination"]["total"])


async def test_large_totals_are_shared_and_corrected_for_each_viewer(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    app.state.db.provide(CatalogCounts, CatalogCounts(exact_up_to=2, ttl=60))
    alice, bob, carol = await member(app), await member(app), await member(app)
    for _ in range(3):
        await create_track(app, alice)
    await create_track(app, bob)
    await create_track(app, bob, is_public=False)
    await create_track(app, bob, status=TRACK_PROCESSING)
    await create_track(app, carol)
    assert (await block(client, bob, carol)).status_code == 200

    assert await _total(client) == 5
    # Bob: the 5 public ones, his 2 unlisted ones, not Carol's (he blocked her).
    assert await _total(client, bob.headers) == 6
    # Carol: not Bob's (the block hides both ways).
    assert await _total(client, carol.headers) == 4
    assert await _total(client, (await admin(app)).headers) == 7

    # Shared: a new public track shows in large totals once the count is refreshed...
    await create_track(app, alice)
    assert await _total(client) == 5
    # ...while the viewer's own part is exact at once.
    await create_track(app, bob, is_public=False)
    assert await _total(client, bob.headers) == 7


async def test_small_totals_are_exact_at_once(app: FastAPI, client: httpx.AsyncClient) -> None:
    app.state.db.provide(CatalogCounts, CatalogCounts(exact_up_to=10, ttl=60))
    alice = await member(app)
    await create_track(app, alice)
    assert await _total(client) == 1
    await create_track(app, alice)
    assert await _total(client) == 2
