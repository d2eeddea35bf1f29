"""The search operations' contract: what they refuse, how they page, facets and sorting."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import create_track, member
from tests.helpers import error_code

API = "/api/v1"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/search", {"q": ""}, "q"),
        ("/search", {"q": "   "}, "q"),
        ("/search", {"q": "x", "type": "album"}, "type"),
        ("/search", {"q": "x", "limit": 0}, "limit"),
        ("/search", {"q": "x", "cursor": "forged"}, "cursor"),
        ("/search/suggestions", {"q": " "}, "q"),
        ("/search/suggestions", {"q": "x", "limit": 0}, "limit"),
        ("/tracks/search", {"tag_mode": "XOR"}, "tag_mode"),
        ("/tracks/search", {"min_bpm": 140, "max_bpm": 120}, "min_bpm"),
        ("/tracks/search", {"min_duration": 300, "max_duration": 60}, "min_duration"),
        ("/tracks/search", {"min_date": "yesterday"}, "min_date"),
        (
            "/tracks/search",
            {"min_date": "2026-02-01T00:00:00Z", "max_date": "2026-01-01T00:00:00Z"},
            "min_date",
        ),
        ("/tracks/search", {"sort_by": "likes"}, "sort_by"),
        ("/tracks/search", {"sort_order": "up"}, "sort_order"),
        ("/playlists/search", {"page": 0}, "page"),
    ],
)
async def test_refusals_name_the_field(
    client: httpx.AsyncClient, path: str, params: dict[str, object], field: str
) -> None:
    response = await client.get(API + path, params=params)
    assert error_code(response, 400) == "VALIDATION_ERROR"
    assert response.json()["error"]["details"][0]["field"].endswith(field)


async def test_search_pages_every_type_with_one_cursor(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    artist = await member(app, username="okapi_band")
    for n in range(5):
        await create_track(app, artist, title=f"Okapi {n}")
    first = (await client.get(f"{API}/search", params={"q": "okapi", "limit": 3})).json()["data"]
    assert first["totals"] == {"tracks": 5, "users": 1, "playlists": 0}
    assert len(first["tracks"]) == 3 and len(first["users"]) == 1
    second = await client.get(
        f"{API}/search", params={"q": "okapi", "limit": 3, "cursor": first["next_cursor"]}
    )
    body = second.json()["data"]
    assert len(body["tracks"]) == 2 and body["users"] == [] and "next_cursor" not in body
    seen = {t["id"] for t in first["tracks"]} | {t["id"] for t in body["tracks"]}
    assert len(seen) == 5
    other = await client.get(
        f"{API}/search", params={"q": "other", "limit": 3, "cursor": first["next_cursor"]}
    )
    assert error_code(other, 400) == "VALIDATION_ERROR"
    only_users = await client.get(f"{API}/search", params={"q": "okapi", "type": "user"})
    assert only_users.json()["data"]["totals"] == {"tracks": 0, "users": 1, "playlists": 0}


async def test_faceted_track_search(app: FastAPI, client: httpx.AsyncClient) -> None:
    artist = await member(app)
    await create_track(
        app,
        artist,
        title="Tapir A",
        genre="Rock",
        bpm=120,
        duration=200,
        musical_key="Am",
        tags=["live", "raw"],
    )
    await create_track(
        app,
        artist,
        title="Tapir B",
        genre="Rock",
        bpm=90,
        duration=100,
        format="flac",
        tags=["live"],
    )
    await create_track(app, artist, title="Tapir C", genre="Jazz", bpm=150, duration=400)

    async def titles(**params: object) -> list[str]:
        response = await client.get(f"{API}/tracks/search", params=params)
        assert response.status_code == 200, response.text
        return [t["title"] for t in response.json()["data"]["tracks"]]

    response = await client.get(f"{API}/tracks/search", params={"q": "tapir"})
    data = response.json()["data"]
    assert data["pagination"]["total"] == 3
    assert data["facets"] == {
        "genre": {"Rock": 2, "Jazz": 1},
        "musical_key": {"Am": 1},
        "format": {"mp3": 2, "flac": 1},
    }
    assert await titles(q="tapir", genre="rock", sort_by="bpm", sort_order="asc") == [
        "Tapir B",
        "Tapir A",
    ]
    assert await titles(tags="live,raw", tag_mode="AND") == ["Tapir A"]
    assert sorted(await titles(tags="raw,live")) == ["Tapir A", "Tapir B"]
    assert await titles(min_bpm=100, max_bpm=130) == ["Tapir A"]
    assert await titles(min_duration=300) == ["Tapir C"]
    assert await titles(format="flac") == ["Tapir B"]
    assert await titles(musical_key="Am") == ["Tapir A"]
    assert await titles(sort_by="duration", sort_order="desc", limit=1) == ["Tapir C"]
    assert await titles(min_date="2000-01-01T00:00:00Z", q="tapir c") == ["Tapir C"]
    assert await titles(max_date="2000-01-01T00:00:00+00:00") == []


async def test_suggestions_mix_kinds_by_relevance(app: FastAPI, client: httpx.AsyncClient) -> None:
    artist = await member(app, username="ocelot")
    await create_track(app, artist, title="Ocelot dreams", artist="Ocelot")
    await create_track(app, artist, title="Night of the ocelots")
    response = await client.get(f"{API}/search/suggestions", params={"q": "ocel"})
    suggestions = response.json()["data"]["suggestions"]
    assert {(s["type"], s["text"]) for s in suggestions} == {
        ("user", "ocelot"),
        ("track", "Ocelot dreams"),
        ("track", "Night of the ocelots"),
    }
    assert len(suggestions) == 3
    exact = await client.get(f"{API}/search/suggestions", params={"q": "ocelot", "limit": 1})
    assert [s["text"] for s in exact.json()["data"]["suggestions"]] == ["ocelot"]
    # One or two letters: names only (the artist field of "Plain" does not count).
    await create_track(app, artist, title="Plain", artist="Ocelot")
    short = await client.get(f"{API}/search/suggestions", params={"q": "oc", "limit": 10})
    assert "Plain" not in [s["text"] for s in short.json()["data"]["suggestions"]]
    assert len(short.json()["data"]["suggestions"]) == 3


async def test_totals_are_counted_up_to_the_cap(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("veza.search.repository.COUNT_CAP", 3)
    artist = await member(app)
    for n in range(5):
        await create_track(app, artist, title=f"Dingo {n}")
    body = (await client.get(f"{API}/search", params={"q": "dingo", "limit": 2})).json()["data"]
    assert body["totals"]["tracks"] == 3
    assert len(body["tracks"]) == 2 and body["next_cursor"]
