"""search3 mapped onto the search domain: songs are the full-text engine's ranked track matches
(FTS5 or tsvector, typos and prefixes as GET /search has them, the same readable-by rule);
albums and artists, derived from the tags, match when their name contains every word of the
query. An empty query (``""``, what syncing clients send) lists everything, paged."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.models import User
from veza.models.track import Track
from veza.search import engine, vocabulary
from veza.search import repository as search
from veza.search.text import parse
from veza.subsonic import catalog, presenters
from veza.subsonic.params import Params


def _window(params: Params, name: str, max_size: int) -> tuple[int, int]:
    size = params.integer(f"{name}Count", 20, low=0, high=max_size)
    offset = params.integer(f"{name}Offset", 0)
    return offset or 0, 20 if size is None else size


def _contains_words(text: str, words: list[str]) -> bool:
    folded = text.casefold()
    return all(word in folded for word in words)


async def _ranked_songs(
    session: AsyncSession, user: User, text: str, offset: int, size: int
) -> list[catalog.Song]:
    if size == 0:
        return []
    if not text:
        statement = catalog.songs_statement(user).order_by(Track.title, Track.id)
        return await catalog.songs(session, user, statement.offset(offset).limit(size))
    query = parse(text)
    if query.empty:
        return []
    terms = await vocabulary.expand(session, query, [engine.TRACKS])
    match = engine.match(session, engine.TRACKS, search.IDS[engine.TRACKS], terms)
    tracks, _ = await search.ranked_page(
        session, engine.TRACKS, user, match, text, offset=offset, limit=size
    )
    ids = [t.id for t in tracks]
    if not ids:
        return []
    found = await catalog.songs(
        session, user, catalog.songs_statement(user).where(Track.id.in_(ids))
    )
    by_id = {s.track.id: s for s in found}
    return [by_id[i] for i in ids if i in by_id]


async def search3(
    session: AsyncSession, user: User, params: Params, *, max_size: int
) -> dict[str, Any]:
    text = (params.get("query") or "").strip().strip('"')
    words = [w.casefold() for w in text.split()]
    folder = params.integer("musicFolderId", None, low=1, high=2)
    albums = await catalog.library(session, user, folder)
    artist_offset, artist_size = _window(params, "artist", max_size)
    album_offset, album_size = _window(params, "album", max_size)
    song_offset, song_size = _window(params, "song", max_size)
    artists = [a for a in catalog.artists_of(albums) if _contains_words(a.name, words)]
    matched_albums = [a for a in albums if _contains_words(f"{a.name} {a.artist}", words)]
    songs = await _ranked_songs(session, user, text, song_offset, song_size)
    return {
        "searchResult3": {
            "artist": [
                presenters.artist(a) for a in artists[artist_offset : artist_offset + artist_size]
            ],
            "album": [
                presenters.album(a)
                for a in matched_albums[album_offset : album_offset + album_size]
            ],
            "song": [presenters.song(s) for s in songs],
        }
    }
