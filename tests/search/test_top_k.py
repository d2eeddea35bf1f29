"""The bounded top-k ranking gives the order of a full ranking: exact titles outside the k best
scores still come first, rows tied with the k-th are all ranked, and when the readable rule
hides the best candidates the page is ranked again over every match. The overfetch margin is
set to 0 so that k is the page itself."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import create_track, member

API = "/api/v1"


async def _search(client: httpx.AsyncClient, headers: Any = None, **params: Any) -> Any:
    response = await client.get(
        f"{API}/search", params={"type": "track", **params}, headers=headers or {}
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


@pytest.fixture(autouse=True)
def no_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("veza.search.repository.OVERFETCH", 0)


async def test_pages_of_one_follow_the_full_order(app: FastAPI, client: httpx.AsyncClient) -> None:
    artist = await member(app)
    heavy = {"artist": "Kestrel", "album": "Kestrel", "tags": ["kestrel"]}
    exact = await create_track(app, artist, title="Kestrel")
    tied = [await create_track(app, artist, title="Kestrel Kestrel Kestrel", **heavy)]
    tied += [await create_track(app, artist, title="Kestrel Kestrel Kestrel", **heavy)]
    tied += [await create_track(app, artist, title="Kestrel Kestrel Kestrel", **heavy)]
    await create_track(app, artist, title="Nest of the kestrel")

    full = await _search(client, q="Kestrel", limit=50)
    order = [t["id"] for t in full["tracks"]]
    assert order[0] == str(exact.id)  # exact title first, though it scores below the others
    # The three tied rows are the next ones, newest first.
    assert order[1:4] == [str(t.id) for t in reversed(tied)]
    walked: list[str] = []
    cursor = None
    while True:
        page = await _search(client, q="Kestrel", limit=1, **({"cursor": cursor} if cursor else {}))
        walked += [t["id"] for t in page["tracks"]]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert walked == order
    assert full["totals"]["tracks"] == 5


async def test_hidden_best_candidates_leave_the_page_to_visible_ones(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner, artist = await member(app), await member(app)
    for n in range(3):
        await create_track(app, owner, title=f"Osprey {n}", artist="Osprey", is_public=False)
    visible = [await create_track(app, artist, title=f"Quiet {n}", tags=["osprey"]) for n in "ab"]

    anonymous = await _search(client, q="osprey", limit=2)
    assert [t["id"] for t in anonymous["tracks"]] == [str(t.id) for t in reversed(visible)]
    assert anonymous["totals"]["tracks"] == 2
    mine = await _search(client, owner.headers, q="osprey", limit=3)
    assert [t["title"] for t in mine["tracks"]] == ["Osprey 2", "Osprey 1", "Osprey 0"]
    suggestions = await client.get(f"{API}/search/suggestions", params={"q": "osprey", "limit": 2})
    assert [s["text"] for s in suggestions.json()["data"]["suggestions"]] == ["Quiet b", "Quiet a"]


async def test_suggestions_rank_every_match_when_hidden_rows_leave_too_few(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    # k is the limit (5): four private best matches take four of the five candidates, so only
    # one of the two readable matches is a candidate; the readable count (2) asks for the rest.
    owner, artist = await member(app), await member(app)
    for n in range(4):
        await create_track(app, owner, title=f"Heron {n}", artist="Heron", is_public=False)
    await create_track(app, artist, title="Still water", album="Heron")
    await create_track(app, artist, title="Grey wings", tags=["heron"])

    response = await client.get(f"{API}/search/suggestions", params={"q": "heron", "limit": 5})
    texts = [s["text"] for s in response.json()["data"]["suggestions"]]
    assert texts == ["Still water", "Grey wings"]  # the album (weight 4) over the tag (2)
    mine = await client.get(
        f"{API}/search/suggestions", params={"q": "heron", "limit": 5}, headers=owner.headers
    )
    assert len(mine.json()["data"]["suggestions"]) == 5
