"""The library as Subsonic sees it: songs are the tracks the REST catalog lists for the caller
(``tracks.repository.listed_tracks``, the one visibility rule), with the album tags `veza
import` kept (library_entries); albums and artists are derived from them, never stored.

An album is the songs sharing album name and album artist (the album artist tag, else the
artist); its id is a digest of both ("al-..."), an artist's a digest of the name ("ar-..."), so
ids are stable across imports and servers. Music folder 1 is the caller's own tracks, folder 2
everything listed for them (the default).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from veza.models import User
from veza.models.engagement import TrackLike
from veza.models.library import LibraryEntry
from veza.models.track import Track
from veza.tracks.repository import listed_tracks

UNKNOWN_ALBUM = "[Unknown Album]"
UNKNOWN_ARTIST = "[Unknown Artist]"
OWN_FOLDER, ALL_FOLDER = 1, 2
MUSIC_FOLDERS = ((OWN_FOLDER, "My tracks"), (ALL_FOLDER, "Everything"))


def _digest(*parts: str) -> str:
    joined = "\x00".join(part.casefold() for part in parts)
    return hashlib.sha1(joined.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]


def artist_id(name: str) -> str:
    return "ar-" + _digest(name)


def album_id(artist: str, album: str) -> str:
    return "al-" + _digest(artist, album)


@dataclass
class Song:
    track: Track
    entry: LibraryEntry | None
    starred: datetime | None = None

    @property
    def album_artist(self) -> str:
        tagged = self.entry.album_artist if self.entry else None
        return tagged or self.track.artist or UNKNOWN_ARTIST

    @property
    def album_name(self) -> str:
        return self.track.album or UNKNOWN_ALBUM

    @property
    def album_id(self) -> str:
        return album_id(self.album_artist, self.album_name)

    @property
    def artist_id(self) -> str:
        return artist_id(self.track.artist or UNKNOWN_ARTIST)

    @property
    def order(self) -> tuple[int, int, str]:
        entry = self.entry
        disc = (entry.disc_number if entry else None) or 1
        number = (entry.track_number if entry else None) or 0
        return disc, number, self.track.title.casefold()


@dataclass
class Album:
    id: str
    name: str
    artist: str
    songs: list[Song] = field(default_factory=list)

    @property
    def artist_id(self) -> str:
        return artist_id(self.artist)

    @property
    def cover(self) -> Song | None:
        return next((s for s in self.songs if s.track.cover_art_path), None)

    @property
    def compilation(self) -> bool:
        return any(s.entry is not None and s.entry.compilation for s in self.songs)

    @property
    def created(self) -> datetime:
        return min(s.track.created_at for s in self.songs)


@dataclass
class Artist:
    id: str
    name: str
    albums: list[Album] = field(default_factory=list)


def songs_statement(viewer: User, folder: int | None = None) -> Select[Any]:
    statement = (
        listed_tracks(viewer)
        .add_columns(LibraryEntry)
        .outerjoin(LibraryEntry, LibraryEntry.track_id == Track.id)
    )
    if folder == OWN_FOLDER:
        statement = statement.where(Track.creator_id == viewer.id)
    return statement


async def _with_stars(
    session: AsyncSession, viewer: User, rows: Iterable[tuple[Track, LibraryEntry | None]]
) -> list[Song]:
    """The songs, each with when the viewer liked it (all the viewer's likes in one query: a
    listener has far fewer likes than a library has tracks)."""
    songs = [Song(track, entry) for track, entry in rows]
    if songs:
        result = await session.execute(
            select(TrackLike.track_id, TrackLike.created_at).where(TrackLike.user_id == viewer.id)
        )
        stars = {row[0]: row[1] for row in result.all()}
        for item in songs:
            item.starred = stars.get(item.track.id)
    return songs


async def songs(session: AsyncSession, viewer: User, statement: Select[Any]) -> list[Song]:
    rows = [(row[0], row[1]) for row in (await session.execute(statement)).all()]
    return await _with_stars(session, viewer, rows)


async def song(session: AsyncSession, viewer: User, track_id: uuid.UUID) -> Song | None:
    found = await songs(session, viewer, songs_statement(viewer).where(Track.id == track_id))
    return found[0] if found else None


async def random_songs(
    session: AsyncSession, viewer: User, statement: Select[Any], size: int
) -> list[Song]:
    return await songs(session, viewer, statement.order_by(func.random()).limit(size))


def albums_of(all_songs: Sequence[Song]) -> list[Album]:
    by_id: dict[str, Album] = {}
    for item in all_songs:
        album = by_id.get(item.album_id)
        if album is None:
            album = by_id[item.album_id] = Album(item.album_id, item.album_name, item.album_artist)
        album.songs.append(item)
    for album in by_id.values():
        album.songs.sort(key=lambda s: s.order)
    return sorted(by_id.values(), key=lambda a: (a.name.casefold(), a.artist.casefold()))


def artists_of(albums: Sequence[Album]) -> list[Artist]:
    by_id: dict[str, Artist] = {}
    for album in albums:
        artist = by_id.get(album.artist_id)
        if artist is None:
            artist = by_id[album.artist_id] = Artist(album.artist_id, album.artist)
        artist.albums.append(album)
    return sorted(by_id.values(), key=lambda a: a.name.casefold())


async def library(session: AsyncSession, viewer: User, folder: int | None = None) -> list[Album]:
    return albums_of(await songs(session, viewer, songs_statement(viewer, folder)))


async def starred_songs(session: AsyncSession, viewer: User) -> list[Song]:
    statement = (
        songs_statement(viewer)
        .join(TrackLike, TrackLike.track_id == Track.id)
        .where(TrackLike.user_id == viewer.id)
        .order_by(TrackLike.created_at.desc())
    )
    return await songs(session, viewer, statement)
