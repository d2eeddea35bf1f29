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


async def _pagination(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str | int
) -> dict[str, object]:
    response = await client.get(f"{API}/tracks", params=params, headers=headers)
    assert response.status_code == 200, response.text
    pagination: dict[str, object] = data(response)["pagination"]
    return pagination


async def test_a_member_s_corrected_total_on_every_kind_of_page(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The correction is read with the page (its two counts as columns of the page's rows),
    or alone when the page is empty: the same total on a first, later, filtered, cursor and
    empty page, and on the pages the read lane answers."""
    app.state.db.provide(CatalogCounts, CatalogCounts(exact_up_to=1, ttl=60))
    alice, bob, carol = await member(app), await member(app), await member(app)
    for _ in range(3):
        await create_track(app, alice, genre="rock")
    await create_track(app, bob, genre="rock")
    await create_track(app, bob, genre="rock", is_public=False)
    await create_track(app, bob, genre="jazz", is_public=False)
    await create_track(app, carol, genre="rock")
    assert (await block(client, bob, carol)).status_code == 200
    # Bob: 4 public (not Carol's) and his 2 private ones; in rock, 3 + 1 + 1.
    headers = bob.headers
    for params in ({"limit": 1}, {"limit": 2, "page": 2}, {"limit": 1, "page": 50}, {}):
        assert (await _pagination(client, headers, **params))["total"] == 6, params
    for params in ({"limit": 1}, {"limit": 1, "page": 50}):
        pagination = await _pagination(client, headers, genre="rock", **params)
        assert pagination["total"] == 5, params
    first = await _pagination(client, headers, limit=2)
    following = await _pagination(client, headers, limit=2, cursor=str(first["next_cursor"]))
    assert following["total"] == 6
    # Carol, who sees none of Bob's: the 3 of Alice and hers; an empty page too.
    assert (await _pagination(client, carol.headers, limit=1))["total"] == 4
    assert (await _pagination(client, carol.headers, limit=1, page=9))["total"] == 4
