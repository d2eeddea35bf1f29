"""Suggestions from the names tables (migration 0017): their order, their folding, and the rows
following every create, update, visibility change and delete."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from tests.factories import Member, create_playlist, create_track, member
from veza.search.indexing import reindex

API = "/api/v1"


async def _suggested(
    client: httpx.AsyncClient, q: str, who: Member | None = None, limit: int = 5
) -> list[tuple[str, str, str | None]]:
    headers = who.headers if who else {}
    response = await client.get(
        f"{API}/search/suggestions", params={"q": q, "limit": limit}, headers=headers
    )
    assert response.status_code == 200, response.text
    found = response.json()["data"]["suggestions"]
    return [(s["type"], s["text"], s.get("subtitle")) for s in found]


async def _names(app: FastAPI, kind: str, key: object) -> set[tuple[int, str]]:
    """The rows of ``search_<kind>_names`` for one entity."""
    column = {"tracks": "track_id", "users": "user_id", "playlists": "playlist_id"}[kind]
    value = uuid.UUID(str(key))
    async with app.state.db.reader() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        rows = await session.execute(
            text(f"SELECT rank, name FROM search_{kind}_names WHERE {column} = :key"),  # noqa: S608
            {"key": value if postgres else value.hex},
        )
        return {(int(rank), name) for rank, name in rows.all()}


async def test_the_declared_order_exact_name_start_later_word_subtitle(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    artist = await member(app, username="lynx")
    await create_track(app, artist, title="Other", artist="Lynx band")
    await create_track(app, artist, title="Night lynx", artist="Someone")
    await create_track(app, artist, title="Lynx tales", artist="Someone")
    await create_track(app, artist, title="Lynx", artist="Someone")

    assert await _suggested(client, "lynx") == [
        ("track", "Lynx", "Someone"),  # the name equal to the query; tracks before users
        ("user", "lynx", None),
        ("track", "Lynx tales", "Someone"),  # a name starting with it
        ("track", "Night lynx", "Someone"),  # a later word of a name
        ("track", "Other", "Lynx band"),  # the subtitle
    ]
    # One or two letters: names only, never the subtitle.
    assert ("track", "Other", "Lynx band") not in await _suggested(client, "ly", limit=10)


async def test_names_fold_accents_case_and_punctuation(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    artist = await member(app)
    await create_track(app, artist, title="Ångström Über", artist="AC/DC")
    await create_track(app, artist, title="Plain", artist="R.E.M.")
    assert await _suggested(client, "angstrom ub") == [("track", "Ångström Über", "AC/DC")]
    assert await _suggested(client, "ÜBER") == [("track", "Ångström Über", "AC/DC")]
    for typed in ("acdc", "ac/dc", "ac dc"):
        assert await _suggested(client, typed) == [("track", "Ångström Über", "AC/DC")]
    assert await _suggested(client, "r.e.m") == [("track", "Plain", "R.E.M.")]


async def test_a_typo_is_corrected_among_the_names(app: FastAPI, client: httpx.AsyncClient) -> None:
    artist = await member(app)
    await create_track(app, artist, title="Seven Seas", artist="Metallica")
    assert await _suggested(client, "metalica") == [("track", "Seven Seas", "Metallica")]


async def test_track_names_follow_updates_visibility_and_deletes(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner, title="Wombat song", artist="Burrow")
    assert await _names(app, "tracks", track.id) == {
        (0, "wombat song"),
        (1, "song"),
        (2, "burrow"),
    }
    assert await _suggested(client, "womb") == [("track", "Wombat song", "Burrow")]

    response = await client.put(
        f"{API}/tracks/{track.id}", json={"title": "Koala song"}, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    assert (0, "koala song") in await _names(app, "tracks", track.id)
    assert await _suggested(client, "womb") == []
    assert await _suggested(client, "koal") == [("track", "Koala song", "Burrow")]

    await client.put(f"{API}/tracks/{track.id}", json={"is_public": False}, headers=owner.headers)
    assert await _suggested(client, "koal") == []
    assert await _suggested(client, "koal", owner) == [("track", "Koala song", "Burrow")]

    response = await client.delete(f"{API}/tracks/{track.id}", headers=owner.headers)
    assert response.status_code in (200, 204), response.text
    assert await _suggested(client, "koal", owner) == []


async def test_user_and_playlist_names_follow_their_updates(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app, username="dingo_one")
    response = await client.put(
        f"{API}/users/{owner.id}",
        json={"username": "numbat_one", "first_name": "Quolla", "last_name": "Marsupia"},
        headers=owner.headers,
    )
    assert response.status_code == 200, response.text
    assert await _names(app, "users", owner.id) >= {(0, "numbat one"), (2, "quolla marsupia")}
    assert await _suggested(client, "dingo") == []
    assert await _suggested(client, "numbat") == [("user", "numbat_one", "Quolla Marsupia")]
    assert await _suggested(client, "marsup") == [("user", "numbat_one", "Quolla Marsupia")]

    playlist = await create_playlist(app, owner, title="Road trip", is_public=True)
    response = await client.put(
        f"{API}/playlists/{playlist.id}", json={"title": "Bilby nights"}, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    assert await _suggested(client, "road tr") == []
    assert await _suggested(client, "bilby") == [("playlist", "Bilby nights", None)]
    response = await client.delete(f"{API}/playlists/{playlist.id}", headers=owner.headers)
    assert response.status_code in (200, 204), response.text
    assert await _names(app, "playlists", playlist.id) == set()
    assert await _suggested(client, "bilby") == []


async def test_reindex_rebuilds_the_names(app: FastAPI, client: httpx.AsyncClient) -> None:
    artist = await member(app)
    track = await create_track(app, artist, title="Pangolin", artist="Scales")
    async with app.state.db.writer() as session, session.begin():
        await session.execute(text("DELETE FROM search_tracks_names"))
    assert await _names(app, "tracks", track.id) == set()

    progress: list[tuple[str, int, int]] = []
    await reindex(app.state.db, lambda *step: progress.append(step))
    assert ("tracks names", 1, 1) in progress
    assert await _names(app, "tracks", track.id) == {(0, "pangolin"), (2, "scales")}
    assert await _suggested(client, "pango") == [("track", "Pangolin", "Scales")]
