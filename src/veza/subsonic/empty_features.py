"""Methods of features Veza does not have (internet radio, podcasts, bookmarks, shares through
Subsonic, now-playing, similar songs, artist biographies), answered with their empty element:
clients call them while loading their screens and show an error for a failed one. Info about
an unknown artist or album is still "not found" (70)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.models import User
from veza.subsonic import catalog, errors
from veza.subsonic.browsing import find_album
from veza.subsonic.params import Params

EMPTY_ANSWERS: dict[str, dict[str, Any]] = {
    "getNowPlaying": {"nowPlaying": {}},
    "getBookmarks": {"bookmarks": {}},
    "getInternetRadioStations": {"internetRadioStations": {}},
    "getPodcasts": {"podcasts": {}},
    "getNewestPodcasts": {"newestPodcasts": {}},
    "getShares": {"shares": {}},
}


async def _check_artist(session: AsyncSession, user: User, wanted: str) -> None:
    artists = catalog.artists_of(await catalog.library(session, user))
    if not any(a.id == wanted for a in artists):
        raise errors.not_found("Artist")


async def artist_info(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    await _check_artist(session, user, params.require("id"))
    return {"artistInfo2": {"similarArtist": []}}


async def artist_info_non_id3(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    await _check_artist(session, user, params.require("id"))
    return {"artistInfo": {"similarArtist": []}}


async def album_info(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    await find_album(session, user, params.require("id"))
    return {"albumInfo": {}}


async def similar_songs2(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    params.require("id")
    return {"similarSongs2": {"song": []}}


async def top_songs(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    params.require("artist")
    return {"topSongs": {"song": []}}


async def scan_status(session: AsyncSession, user: User, params: Params) -> dict[str, Any]:
    """Veza has no library scan: imports run from `veza import`; the count is the songs the
    caller is shown."""
    songs = sum(len(a.songs) for a in await catalog.library(session, user))
    return {"scanStatus": {"scanning": False, "count": songs}}
