"""star, unstar, getStarred2 and scrobble, mapped onto engagement's likes and plays (the same
rules and counters as POST /tracks/{id}/like and /play), and getLyricsBySongId onto the
track's lyrics (tracks/lyrics.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.engagement import service as engagement
from veza.models import User
from veza.subsonic import catalog, errors, presenters
from veza.subsonic.params import Params, track_id
from veza.tracks import lyrics
from veza.tracks.errors import TrackNotFound

_ONLY_SONGS = "Veza stars songs only: star an album's or an artist's songs instead"


def _song_ids(params: Params) -> list[str]:
    if params.all("albumId") or params.all("artistId"):
        raise errors.SubsonicError(errors.GENERIC, _ONLY_SONGS)
    ids = params.all("id")
    if not ids:
        raise errors.missing("id")
    return ids


async def star(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    for raw in _song_ids(params):
        try:
            await engagement.like(session, user, track_id(raw))
        except TrackNotFound as exc:
            raise errors.not_found("Song") from exc
    return {}


async def unstar(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    for raw in _song_ids(params):
        await engagement.unlike(session, user, track_id(raw))
    return {}


async def starred2(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    songs = await catalog.starred_songs(session, user)
    return {"starred2": {"song": [presenters.song(s) for s in songs]}}


async def scrobble(
    session: AsyncSession, user: User, params: Params, client_ip: str | None
) -> dict[str, Any]:
    """A submission counts a play (deduplicated as the REST play is); "now playing"
    notifications (submission=false) are acknowledged and not recorded."""
    ids = params.all("id")
    if not ids:
        raise errors.missing("id")
    if not params.boolean("submission", True):
        for raw in ids:
            if await catalog.song(session, user, track_id(raw)) is None:
                raise errors.not_found("Song")
        return {}
    for raw in ids:
        try:
            await engagement.record_play(session, user, track_id(raw), None, client_ip)
        except TrackNotFound as exc:
            raise errors.not_found("Song") from exc
    return {}


async def lyrics_by_song_id(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    song_id = track_id(params.require("id"))
    found = await catalog.song(session, user, song_id)
    if found is None:
        raise errors.not_found("Song")
    view = (await lyrics.get_lyrics(session, user, song_id)).lyrics
    structured: list[dict[str, Any]] = []
    if view.content.strip():
        if view.is_synced and view.lines:
            lines = [{"start": int(line.time * 1000), "value": line.text} for line in view.lines]
        else:
            lines = [{"value": text} for text in view.content.splitlines()]
        structured.append(
            {
                "displayArtist": found.track.artist,
                "displayTitle": found.track.title,
                "lang": "xxx",
                "offset": 0,
                "synced": bool(view.is_synced and view.lines),
                "line": lines,
            }
        )
    return {"lyricsList": {"structuredLyrics": structured}}


async def lyrics_by_artist_and_title(
    session: AsyncSession, user: User, params: Params
) -> dict[str, Any]:
    """The original getLyrics: the first visible song with this artist and title (either may
    be left out, case ignored), its lyrics as plain text (LRC time tags removed)."""
    artist, title = (params.get("artist") or "").casefold(), (params.get("title") or "").casefold()
    if not artist and not title:
        return {"lyrics": {}}
    candidates = await catalog.songs(session, user, catalog.songs_statement(user))
    for found in candidates:
        if (not artist or (found.track.artist or "").casefold() == artist) and (
            not title or found.track.title.casefold() == title
        ):
            view = (await lyrics.get_lyrics(session, user, found.track.id)).lyrics
            text = (
                "\n".join(line.text for line in view.lines)
                if view.is_synced and view.lines
                else view.content
            )
            if text.strip():
                return {
                    "lyrics": {
                        "artist": found.track.artist,
                        "title": found.track.title,
                        "value": text,
                    }
                }
    return {"lyrics": {}}
