"""The folder-based (non-ID3) methods older clients browse with: getMusicDirectory, getAlbumList,
getStarred, search2, and getGenres. Folders are the derived artists and albums: an artist's
folder holds its albums, an album's its songs, so getIndexes leads somewhere."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.models import User
from veza.subsonic import annotation, browsing, catalog, errors, presenters, searching
from veza.subsonic.params import Params


async def music_directory(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    wanted = params.require("id")
    albums = await catalog.library(session, user)
    if wanted.startswith("ar-"):
        for artist in catalog.artists_of(albums):
            if artist.id == wanted:
                children = [presenters.album_directory(a) for a in artist.albums]
                return {"directory": {"id": artist.id, "name": artist.name, "child": children}}
    elif wanted.startswith("al-"):
        for album in albums:
            if album.id == wanted:
                songs = [presenters.song(s) for s in album.songs]
                return {
                    "directory": {
                        "id": album.id,
                        "parent": album.artist_id,
                        "name": album.name,
                        "child": songs,
                    }
                }
    raise errors.not_found("Directory")


async def album_list(
    session: AsyncSession, user: User, params: Params, *, max_size: int
) -> dict[str, Any]:
    listed = await browsing.album_list2(session, user, params, max_size=max_size)
    ids = [a["id"] for a in listed["albumList2"]["album"]]
    by_id = {a.id: a for a in await catalog.library(session, user)}
    return {"albumList": {"album": [presenters.album_directory(by_id[i]) for i in ids]}}


async def starred(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    return {"starred": (await annotation.starred2(session, user, params))["starred2"]}


async def search2(
    session: AsyncSession, user: User, params: Params, *, max_size: int
) -> dict[str, Any]:
    result = (await searching.search3(session, user, params, max_size=max_size))["searchResult3"]
    by_id = {a.id: a for a in await catalog.library(session, user)}
    return {
        "searchResult2": {
            "artist": [{"id": a["id"], "name": a["name"]} for a in result["artist"]],
            "album": [presenters.album_directory(by_id[a["id"]]) for a in result["album"]],
            "song": result["song"],
        }
    }


async def genres(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    songs: dict[str, int] = defaultdict(int)
    albums: dict[str, set[str]] = defaultdict(set)
    for album in await catalog.library(session, user):
        for song in album.songs:
            if song.track.genre:
                songs[song.track.genre] += 1
                albums[song.track.genre].add(album.id)
    return {
        "genres": {
            "genre": [
                {"value": name, "songCount": songs[name], "albumCount": len(albums[name])}
                for name in sorted(songs, key=str.casefold)
            ]
        }
    }
