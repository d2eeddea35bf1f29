"""Playlist methods mapped onto the playlists domain: the same services, so the same
permission rules (owner, admin and write collaborators edit tracks; owner and admin
collaborators rename; owner deletes), the same version bumps and audit trail.

A Subsonic playlist's songs are the entries the caller is shown; ``songIndexToRemove`` counts
in that list, as the client received it. A track is at most once in a Veza playlist: adding it
again is error 0.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.pagination import PageParams
from veza.models import User
from veza.models.track import Track
from veza.playlists import entry_queries, items
from veza.playlists import schemas as playlist_schemas
from veza.playlists import service as playlists
from veza.playlists.access import readable_playlist
from veza.playlists.dependencies import PlaylistTools
from veza.subsonic import catalog, errors, presenters
from veza.subsonic.params import Params, track_id

MAX_PLAYLISTS = 500


def _playlist_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise errors.not_found("Playlist") from exc


async def _owner_name(session: AsyncSession, user_id: uuid.UUID) -> str:
    owner = await session.get(User, user_id)
    return owner.username if owner is not None else ""


async def _element(
    session: AsyncSession, response: playlist_schemas.PlaylistResponse, songs: list[catalog.Song]
) -> dict[str, Any]:
    return {
        "id": str(response.id),
        "name": response.title,
        "comment": response.description,
        "owner": await _owner_name(session, response.user_id),
        "public": response.is_public,
        "songCount": len(songs) if songs else response.track_count,
        "duration": sum(s.track.duration or 0 for s in songs),
        "created": presenters.timestamp(response.created_at),
        "changed": presenters.timestamp(response.updated_at),
        "coverArt": next((str(s.track.id) for s in songs if s.track.cover_art_path), None),
    }


async def _songs_of(
    session: AsyncSession, user: User, playlist_id: uuid.UUID
) -> list[catalog.Song]:
    ids = [row.id for row in await entry_queries.shown_entries(session, playlist_id, user)]
    if not ids:
        return []
    found = await catalog.songs(
        session, user, catalog.songs_statement(user).where(Track.id.in_(ids))
    )
    by_id = {s.track.id: s for s in found}
    return [by_id[i] for i in ids if i in by_id]


async def get_playlists(
    session: AsyncSession, user: User, params: Params, tools: PlaylistTools
) -> dict[str, Any]:
    listed = await playlists.list_playlists(
        session, user, PageParams(page=1, limit=MAX_PLAYLISTS), None
    )
    elements = [await _element(session, p, []) for p in listed.playlists]
    return {"playlists": {"playlist": elements}}


async def _full(session: AsyncSession, user: User, playlist_id: uuid.UUID) -> dict[str, Any]:
    access = await readable_playlist(session, playlist_id, user)
    songs = await _songs_of(session, user, access.playlist.id)
    response = (await playlists.listed_responses(session, [access.playlist], user))[0]
    element = await _element(session, response, songs)
    element["entry"] = [presenters.song(s) for s in songs]
    return {"playlist": element}


async def get_playlist(
    session: AsyncSession, user: User, params: Params, tools: PlaylistTools
) -> dict[str, Any]:
    return await _full(session, user, _playlist_id(params.require("id")))


async def _add(
    session: AsyncSession,
    user: User,
    playlist_id: uuid.UUID,
    raw_ids: list[str],
    tools: PlaylistTools,
) -> None:
    for raw in raw_ids:
        body = playlist_schemas.PostPlaylistsIdTracksBody(track_id=track_id(raw))
        await items.add_track(session, user, playlist_id, body, tools=tools)


async def create_playlist(
    session: AsyncSession, user: User, params: Params, tools: PlaylistTools
) -> dict[str, Any]:
    """With ``name``: a new private playlist of the songs given. With ``playlistId``: that
    playlist's songs replaced by the songs given (as Subsonic defines it)."""
    existing = params.get("playlistId")
    if existing:
        playlist_id = _playlist_id(existing)
        for song in await _songs_of(session, user, playlist_id):
            await items.remove_track(session, user, playlist_id, song.track.id, tools=tools)
    else:
        body = playlist_schemas.CreatePlaylistRequest(title=params.require("name"), is_public=False)
        created = await playlists.create_playlist(session, user, body, tools=tools)
        playlist_id = created.playlist.id
    await _add(session, user, playlist_id, params.all("songId"), tools)
    return await _full(session, user, playlist_id)


async def update_playlist(
    session: AsyncSession, user: User, params: Params, tools: PlaylistTools
) -> dict[str, Any]:
    playlist_id = _playlist_id(params.require("playlistId"))
    fields: dict[str, Any] = {}
    if params.get("name") is not None:
        fields["title"] = params.get("name")
    if params.get("comment") is not None:
        fields["description"] = params.get("comment") or None
    if params.get("public") is not None:
        fields["is_public"] = params.boolean("public", False)
    if fields:
        body = playlist_schemas.UpdatePlaylistRequest(**fields)
        await playlists.update_playlist(session, user, playlist_id, body, tools=tools)
    removals = params.all("songIndexToRemove")
    if removals:
        shown = await _songs_of(session, user, playlist_id)
        doomed = set()
        for raw in removals:
            index = int(raw) if raw.isdigit() else -1
            if not 0 <= index < len(shown):
                raise errors.bad_value("songIndexToRemove", f"no song at index {raw}")
            doomed.add(shown[index].track.id)
        for doomed_id in doomed:
            await items.remove_track(session, user, playlist_id, doomed_id, tools=tools)
    await _add(session, user, playlist_id, params.all("songIdToAdd"), tools)
    return {}


async def delete_playlist(
    session: AsyncSession, user: User, params: Params, tools: PlaylistTools
) -> dict[str, Any]:
    await playlists.delete_playlist(session, user, _playlist_id(params.require("id")), tools=tools)
    return {}
