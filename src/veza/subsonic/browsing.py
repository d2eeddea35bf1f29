"""Browsing methods: folders, indexes, artists, albums, album lists, songs, random songs,
and the system methods (ping, license, extensions)."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.models import User
from veza.models.track import Track
from veza.subsonic import catalog, errors, presenters
from veza.subsonic.params import Params, track_id

IGNORED_ARTICLES = "The El La Los Las Le Les"
EXTENSIONS = [
    {"name": "apiKeyAuthentication", "versions": [1]},
    {"name": "formPost", "versions": [1]},
    {"name": "songLyrics", "versions": [1]},
]
ALBUM_LIST_TYPES = {
    "random", "newest", "highest", "frequent", "recent", "alphabeticalByName",
    "alphabeticalByArtist", "starred", "byYear", "byGenre",
}  # fmt: skip


def ping() -> dict[str, Any]:
    return {}


def license_() -> dict[str, Any]:
    return {"license": {"valid": True}}


def extensions() -> dict[str, Any]:
    return {"openSubsonicExtensions": EXTENSIONS}


def music_folders() -> dict[str, Any]:
    return {
        "musicFolders": {"musicFolder": [{"id": i, "name": n} for i, n in catalog.MUSIC_FOLDERS]}
    }


def _folder(params: Params) -> int | None:
    return params.integer("musicFolderId", None, low=1, high=2)


def _index_letter(name: str) -> str:
    words = name.split(" ", 1)
    if len(words) == 2 and words[0] in IGNORED_ARTICLES.split():
        name = words[1]
    first = name[:1].upper()
    return first if first.isalpha() else "#"


def _indexed(artists: list[catalog.Artist], *, id3: bool) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for artist in artists:
        element = presenters.artist(artist) if id3 else {"id": artist.id, "name": artist.name}
        groups[_index_letter(artist.name)].append(element)
    return [{"name": letter, "artist": groups[letter]} for letter in sorted(groups)]


async def indexes(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    artists = catalog.artists_of(await catalog.library(session, user, _folder(params)))
    return {
        "indexes": {
            "lastModified": 0,
            "ignoredArticles": IGNORED_ARTICLES,
            "index": _indexed(artists, id3=False),
        }
    }


async def artists(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    found = catalog.artists_of(await catalog.library(session, user, _folder(params)))
    return {"artists": {"ignoredArticles": IGNORED_ARTICLES, "index": _indexed(found, id3=True)}}


async def artist(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    wanted = params.require("id")
    for found in catalog.artists_of(await catalog.library(session, user)):
        if found.id == wanted:
            return {"artist": presenters.artist(found, with_albums=True)}
    raise errors.not_found("Artist")


async def find_album(session: AsyncSession, user: User, wanted: str) -> catalog.Album:
    for found in await catalog.library(session, user):
        if found.id == wanted:
            return found
    raise errors.not_found("Album")


async def album(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    found = await find_album(session, user, params.require("id"))
    return {"album": presenters.album(found, with_songs=True)}


def _sorted_albums(albums: list[catalog.Album], kind: str, params: Params) -> list[catalog.Album]:
    if kind == "random":
        return random.sample(albums, len(albums))
    if kind == "newest":
        return sorted(albums, key=lambda a: a.created, reverse=True)
    if kind in ("frequent", "highest"):
        return sorted(albums, key=lambda a: sum(s.track.play_count for s in a.songs), reverse=True)
    if kind == "recent":
        return sorted(albums, key=lambda a: max(s.track.updated_at for s in a.songs), reverse=True)
    if kind == "alphabeticalByArtist":
        return sorted(albums, key=lambda a: (a.artist.casefold(), a.name.casefold()))
    if kind == "starred":
        return [a for a in albums if any(s.starred for s in a.songs)]
    if kind == "byYear":
        start = params.integer("fromYear", 0) or 0
        end = params.integer("toYear", 9999) or 9999
        low, high = min(start, end), max(start, end)
        chosen = [a for a in albums if any(low <= (s.track.year or -1) <= high for s in a.songs)]
        year = lambda a: min((s.track.year for s in a.songs if s.track.year), default=0)  # noqa: E731
        return sorted(chosen, key=year, reverse=start > end)
    if kind == "byGenre":
        genre = params.require("genre").casefold()
        return [
            a for a in albums if any((s.track.genre or "").casefold() == genre for s in a.songs)
        ]
    return albums  # alphabeticalByName: the catalog's order


async def album_list2(
    session: AsyncSession, user: User, params: Params, *, max_size: int
) -> dict[str, Any]:
    kind = params.require("type")
    if kind not in ALBUM_LIST_TYPES:
        raise errors.bad_value("type", f"one of {', '.join(sorted(ALBUM_LIST_TYPES))}")
    size = params.integer("size", 10, low=1, high=max_size) or 10
    offset = params.integer("offset", 0) or 0
    albums = _sorted_albums(await catalog.library(session, user, _folder(params)), kind, params)
    window = albums[offset : offset + size]
    return {"albumList2": {"album": [presenters.album(a) for a in window]}}


async def song(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    found = await catalog.song(session, user, track_id(params.require("id")))
    if found is None:
        raise errors.not_found("Song")
    return {"song": presenters.song(found)}


async def random_songs(
    session: AsyncSession, user: User, params: Params, *, max_size: int
) -> dict[str, Any]:
    size = params.integer("size", 10, low=1, high=max_size) or 10
    statement = catalog.songs_statement(user, _folder(params))
    genre = params.get("genre")
    if genre:
        statement = statement.where(Track.genre == genre)
    from_year, to_year = params.integer("fromYear"), params.integer("toYear")
    if from_year is not None:
        statement = statement.where(Track.year >= from_year)
    if to_year is not None:
        statement = statement.where(Track.year <= to_year)
    found = await catalog.random_songs(session, user, statement, size)
    return {"randomSongs": {"song": [presenters.song(s) for s in found]}}


def user_element(user: User) -> dict[str, Any]:
    return {
        "user": {
            "username": user.username,
            "email": None,
            "scrobblingEnabled": True,
            "adminRole": user.is_administrator,
            "settingsRole": False,
            "downloadRole": True,
            "uploadRole": False,
            "playlistRole": True,
            "coverArtRole": False,
            "commentRole": False,
            "podcastRole": False,
            "streamRole": True,
            "jukeboxRole": False,
            "shareRole": False,
            "folder": [catalog.OWN_FOLDER, catalog.ALL_FOLDER],
        }
    }
