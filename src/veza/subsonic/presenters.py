"""Subsonic elements (child/song, AlbumID3, ArtistID3) from the catalog's songs and albums,
with the OpenSubsonic additions Navidrome sends (mediaType, isCompilation, sortName...)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from veza.subsonic.catalog import Album, Artist, Song

_SUFFIX_MIME = {
    "mp3": "audio/mpeg",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
    "opus": "audio/ogg",
}


def timestamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def song(item: Song) -> dict[str, Any]:
    track, entry = item.track, item.entry
    suffix = track.format or "mp3"
    return {
        "id": str(track.id),
        "parent": item.album_id,
        "isDir": False,
        "title": track.title,
        "album": item.album_name,
        "artist": track.artist or None,
        "track": entry.track_number if entry else None,
        "discNumber": entry.disc_number if entry else None,
        "year": track.year,
        "genre": track.genre,
        "coverArt": str(track.id) if track.cover_art_path else None,
        "size": track.file_size,
        "contentType": track.mime_type or _SUFFIX_MIME.get(suffix, "application/octet-stream"),
        "suffix": suffix,
        "duration": track.duration,
        "bitRate": track.bitrate,
        "samplingRate": track.sample_rate,
        "channelCount": track.channels,
        "path": entry.source_path
        if entry
        else f"{item.album_artist}/{item.album_name}/{track.title}.{suffix}",
        "playCount": track.play_count,
        "created": timestamp(track.created_at),
        "starred": timestamp(item.starred),
        "albumId": item.album_id,
        "artistId": item.artist_id,
        "type": "music",
        "mediaType": "song",
        "isVideo": False,
        "bpm": track.bpm,
        "displayArtist": track.artist or None,
        "displayAlbumArtist": item.album_artist,
    }


def album(item: Album, *, with_songs: bool = False) -> dict[str, Any]:
    cover = item.cover
    years = [s.track.year for s in item.songs if s.track.year]
    genres = [s.track.genre for s in item.songs if s.track.genre]
    starred = [s.starred for s in item.songs if s.starred]
    body: dict[str, Any] = {
        "id": item.id,
        "name": item.name,
        "artist": item.artist,
        "artistId": item.artist_id,
        "coverArt": str(cover.track.id) if cover else None,
        "songCount": len(item.songs),
        "duration": sum(s.track.duration or 0 for s in item.songs),
        "playCount": sum(s.track.play_count for s in item.songs),
        "created": timestamp(item.created),
        "year": min(years) if years else None,
        "genre": genres[0] if genres else None,
        "starred": timestamp(max(starred)) if starred and len(starred) == len(item.songs) else None,
        "isCompilation": item.compilation,
        "displayArtist": item.artist,
        "sortName": item.name,
    }
    if with_songs:
        body["song"] = [song(s) for s in item.songs]
    return body


def artist(item: Artist, *, with_albums: bool = False) -> dict[str, Any]:
    cover = next((a.cover for a in item.albums if a.cover), None)
    body: dict[str, Any] = {
        "id": item.id,
        "name": item.name,
        "albumCount": len(item.albums),
        "coverArt": str(cover.track.id) if cover else None,
        "sortName": item.name,
    }
    if with_albums:
        body["album"] = [album(a) for a in item.albums]
    return body


def album_directory(item: Album) -> dict[str, Any]:
    """An album as a folder child (the non-ID3 browse of older clients)."""
    cover = item.cover
    years = [s.track.year for s in item.songs if s.track.year]
    return {
        "id": item.id,
        "parent": item.artist_id,
        "isDir": True,
        "title": item.name,
        "album": item.name,
        "artist": item.artist,
        "coverArt": str(cover.track.id) if cover else None,
        "year": min(years) if years else None,
        "created": timestamp(item.created),
        "mediaType": "album",
    }
