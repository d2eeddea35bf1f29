"""Typo corrections follow every write at once: a word a create or update brings is corrected
to from the next request, one no document holds any more is not (SQLite: the words' deletion
variants of migration 0018, kept by triggers; PostgreSQL: its vocabulary), and ``veza search
reindex`` rebuilds them."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import bindparam, text

from tests.factories import create_playlist, create_track, member
from veza.search.indexing import reindex

API = "/api/v1"


async def _suggested(client: httpx.AsyncClient, q: str) -> list[str]:
    response = await client.get(f"{API}/search/suggestions", params={"q": q})
    assert response.status_code == 200, response.text
    return [s["text"] for s in response.json()["data"]["suggestions"]]


async def _playlists(client: httpx.AsyncClient, q: str) -> list[str]:
    response = await client.get(f"{API}/search", params={"q": q, "type": "playlist"})
    assert response.status_code == 200, response.text
    return [p["title"] for p in response.json()["data"]["playlists"]]


async def _sqlite_words(app: FastAPI, kind: str, *words: str) -> dict[str, int] | None:
    """The documents holding each word in ``search_<kind>_words`` (None on PostgreSQL)."""
    async with app.state.db.reader() as session:
        if session.get_bind().dialect.name == "postgresql":
            return None
        statement = text(f"SELECT word, docs FROM search_{kind}_words WHERE word IN :words")  # noqa: S608
        statement = statement.bindparams(bindparam("words", expanding=True))
        rows = await session.execute(statement, {"words": list(words)})
        return {word: int(docs) for word, docs in rows.all()}


async def test_a_track_s_words_are_corrected_to_from_its_create_and_update(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner, title="Narwhalian dreams", artist="Quokkaband")
    # A letter left out, a letter swapped, a letter added.
    assert await _suggested(client, "narwhalan") == ["Narwhalian dreams"]
    assert await _suggested(client, "quokkabnad") == ["Narwhalian dreams"]

    response = await client.put(
        f"{API}/tracks/{track.id}", json={"title": "Pangolinish dreams"}, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    assert await _suggested(client, "narwhalan") == []
    assert await _suggested(client, "pangolinissh") == ["Pangolinish dreams"]
    assert await _suggested(client, "quokkabnad") == ["Pangolinish dreams"]
    words = await _sqlite_words(app, "tracks", "narwhalian", "pangolinish", "dreams")
    assert words in (None, {"pangolinish": 1, "dreams": 1})


async def test_a_word_is_corrected_to_while_a_document_holds_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    first = await create_playlist(app, owner, title="Axolotlian nights", is_public=True)
    second = await create_playlist(app, owner, title="Axolotlian mornings", is_public=True)
    assert await _sqlite_words(app, "playlists", "axolotlian") in (None, {"axolotlian": 2})

    response = await client.delete(f"{API}/playlists/{first.id}", headers=owner.headers)
    assert response.status_code in (200, 204), response.text
    assert await _playlists(client, "axolotlan") == ["Axolotlian mornings"]

    response = await client.delete(f"{API}/playlists/{second.id}", headers=owner.headers)
    assert response.status_code in (200, 204), response.text
    response = await client.get(f"{API}/search", params={"q": "axolotlan"})
    body = response.json()["data"]
    assert body["playlists"] == []
    # PostgreSQL's vocabulary keeps a word until `veza search reindex` prunes it (its
    # did_you_mean may still name it); SQLite's forgets it with its last document.
    if await _sqlite_words(app, "playlists", "axolotlian", "mornings") is not None:
        assert await _sqlite_words(app, "playlists", "axolotlian", "mornings") == {}
        assert "did_you_mean" not in body


async def test_reindex_rebuilds_the_corrections(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app)
    await create_track(app, owner, title="Capybarine waltz")
    async with app.state.db.writer() as session, session.begin():
        if session.get_bind().dialect.name != "postgresql":
            await session.execute(text("DELETE FROM search_tracks_deletions"))
            await session.execute(text("DELETE FROM search_tracks_words"))
    if await _sqlite_words(app, "tracks", "capybarine") is not None:
        assert await _suggested(client, "capybarnie") == []

    await reindex(app.state.db, lambda *_: None)
    assert await _suggested(client, "capybarnie") == ["Capybarine waltz"]
    assert await _sqlite_words(app, "tracks", "capybarine", "waltz") in (
        None,
        {"capybarine": 1, "waltz": 1},
    )


async def test_a_correction_may_be_any_letter(app: FastAPI, client: httpx.AsyncClient) -> None:
    # FTS5 does not fold "ø" (PostgreSQL's unaccent does): SQLite offers the indexed word one
    # edit from the folded query, as it would for a letter of a-z.
    owner = await member(app)
    await create_track(app, owner, title="Kyrie", artist="Øystein Sevåg")
    response = await client.get(f"{API}/search", params={"q": "oystein", "type": "track"})
    assert [t["title"] for t in response.json()["data"]["tracks"]] == ["Kyrie"]
