"""Trending hashtags: recent public track tags and comment #words, one count per author."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from tests.factories import create_comment, create_track, member
from tests.helpers import block

URL = "/api/v1/social/trending"


async def test_tags_count_once_per_author_from_public_recent_content(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    spammer, alice, bob = await member(app), await member(app), await member(app)
    for n in range(5):
        await create_track(app, spammer, title=f"Spam {n}", tags=["spam"])
    await create_track(app, alice, title="A", tags=["Lo-Fi", "spam"])
    song = await create_track(app, bob, title="B", tags=["lo-fi"])
    await create_track(app, bob, title="Hidden", tags=["secret"], is_public=False)
    await create_track(
        app, bob, title="Old", tags=["ancient"], created_at=datetime.now(UTC) - timedelta(days=30)
    )
    await create_comment(app, alice, song.id, content="so #chill, very #LoFi")
    await create_comment(app, spammer, song.id, content="#chill #chill #chill")

    response = await client.get(URL)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert [(t["tag"], t["count"]) for t in data["tags"]] == [
        ("chill", 2),
        ("lo-fi", 2),
        ("spam", 2),
        ("lofi", 1),
    ]
    assert data["window_hours"] == 168
    limited = await client.get(URL, params={"limit": 1})
    assert [t["tag"] for t in limited.json()["data"]["tags"]] == ["chill"]
    # A limit out of 1..50 is served at the nearest bound (the contract lists no 400 here).
    assert (await client.get(URL, params={"limit": 0})).status_code == 200

    # Cached for a short time: new content shows up at the next computation.
    await create_track(app, bob, title="New", tags=["fresh"])
    again = (await client.get(URL)).json()["data"]
    assert "fresh" not in [t["tag"] for t in again["tags"]]

    # A block takes the other account out of the viewer's counts.
    assert (await block(client, bob, alice)).status_code in (200, 201, 204)
    seen_by_bob = (await client.get(URL, headers=bob.headers)).json()["data"]["tags"]
    assert ("chill", 1) in [(t["tag"], t["count"]) for t in seen_by_bob]
