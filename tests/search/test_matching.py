"""Matching as people expect it from a music search box, the same on SQLite and PostgreSQL:
folded case and diacritics, prefixes, typos, words in any order across fields, punctuation,
exact titles first and title over artist/album over tags."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import create_track, member


async def _titles(client: httpx.AsyncClient, q: str, **params: Any) -> list[str]:
    response = await client.get("/api/v1/search", params={"q": q, "type": "track", **params})
    assert response.status_code == 200, response.text
    return [t["title"] for t in response.json()["data"]["tracks"]]


@pytest.fixture
async def catalogue(app: FastAPI) -> None:
    artist = await member(app)
    rows = [
        ("Crazy in Love", "Beyoncé", "Dangerously in Love", ["rnb"]),
        ("Hoppípolla", "Sigur Rós", "Takk...", ["post-rock"]),
        ("Around the World", "Daft Punk", "Homework", ["house"]),
        ("Enter Sandman", "Metallica", "Metallica", ["metal"]),
        ("Highway to Hell", "AC/DC", "Highway to Hell", ["rock"]),
        ("Losing My Religion", "R.E.M.", "Out of Time", ["alt"]),
        ("One", "U2", "Achtung Baby", ["rock"]),
        ("Éric", "Someone", None, None),
        ("Eric", "Someone Else", None, None),
        ("Love Song", "The Cure", "Disintegration", ["pop"]),
        ("Untitled", "Love Inc.", None, None),
        ("Quiet", "Nobody", None, ["love"]),
    ]
    for title, artist_name, album, tags in rows:
        await create_track(app, artist, title=title, artist=artist_name, album=album, tags=tags)


@pytest.mark.usefixtures("catalogue")
async def test_case_diacritics_prefixes_typos_and_punctuation(client: httpx.AsyncClient) -> None:
    assert await _titles(client, "beyonce") == ["Crazy in Love"]
    assert await _titles(client, "BEYONCÉ crazy") == ["Crazy in Love"]
    assert await _titles(client, "sigur ros") == ["Hoppípolla"]
    assert await _titles(client, "hoppipolla") == ["Hoppípolla"]
    assert await _titles(client, "daft pun") == ["Around the World"]
    assert await _titles(client, "metalica") == ["Enter Sandman"]
    assert await _titles(client, "sandman ent") == ["Enter Sandman"]
    assert await _titles(client, "acdc") == ["Highway to Hell"]
    assert await _titles(client, "ac/dc highway") == ["Highway to Hell"]
    assert await _titles(client, "rem") == ["Losing My Religion"]
    assert await _titles(client, "r.e.m.") == ["Losing My Religion"]
    assert await _titles(client, "u2") == ["One"]
    assert await _titles(client, "world daft") == ["Around the World"]


@pytest.mark.usefixtures("catalogue")
async def test_exact_title_first_then_title_over_artist_over_tags(
    client: httpx.AsyncClient,
) -> None:
    assert (await _titles(client, "Éric"))[:2] == ["Éric", "Eric"]
    assert (await _titles(client, "Eric"))[:2] == ["Eric", "Éric"]
    # "love": the titles first, then the artist, then the tag.
    titles = await _titles(client, "love")
    assert set(titles[:2]) == {"Love Song", "Crazy in Love"}
    assert titles[2:] == ["Untitled", "Quiet"]


@pytest.mark.usefixtures("catalogue")
async def test_nothing_matches_suggests_an_indexed_word(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/search", params={"q": "sandmxn hihgway"})
    body = response.json()["data"]
    assert body["totals"] == {"tracks": 0, "users": 0, "playlists": 0}
    assert body["did_you_mean"] == "sandman highway"


@pytest.mark.usefixtures("catalogue")
async def test_quoted_phrases_and_exclusions(client: httpx.AsyncClient) -> None:
    assert await _titles(client, '"crazy in love"') == ["Crazy in Love"]
    assert await _titles(client, '"love crazy"') == []
    assert "Crazy in Love" not in await _titles(client, "love -crazy")
    assert "Love Song" in await _titles(client, "love -crazy")
    # Nothing to look for is not an error: no results.
    response = await client.get("/api/v1/search", params={"q": "!!! ..."})
    assert response.status_code == 200
    assert response.json()["data"]["totals"] == {"tracks": 0, "users": 0, "playlists": 0}


async def test_a_word_followed_by_punctuation_is_finished_not_a_prefix(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    artist = await member(app)
    await create_track(app, artist, title="Nightswimming", artist="R.E.M.")
    await create_track(app, artist, title="R E Mountain Song", artist="Somebody")
    # Typed to the end of a word, the last one is being typed: "m" also matches "mountain".
    assert set(await _titles(client, "r e m")) == {"Nightswimming", "R E Mountain Song"}
    # Punctuation after it: a finished word, "m" alone.
    assert await _titles(client, "r.e.m.") == ["Nightswimming"]
    # An exclusion typed last leaves the words before it finished too.
    assert await _titles(client, "r e m -nightswimming") == []
