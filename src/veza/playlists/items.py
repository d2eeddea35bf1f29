"""A playlist's entries: add, remove, reorder, never losing or duplicating a track.

Every edit starts with ``locked``: one UPDATE of the playlist row that bumps its version (and
entry count), checks the client's If-Match against the version it replaces, and holds the
row's write lock until the commit, so concurrent edits of one playlist queue behind each other
and each reads the entries the previous one committed. Positions are dense (0..n-1): an add
appends at ``entry_count`` (one row written, one updated, whatever the length), a removal
closes its gap, a reorder rewrites only the positions that change.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.errors import ValidationFailed
from veza.models import User, utcnow
from veza.playlists import entry_queries, repository, schemas
from veza.playlists.access import track_editor
from veza.playlists.changes import TRACK_ADDED, TRACK_REMOVED, TRACKS_REORDERED, changed
from veza.playlists.dependencies import PlaylistTools
from veza.playlists.errors import (
    PlaylistFull,
    PlaylistNotFound,
    StaleSnapshot,
    TrackAlreadyInPlaylist,
    TrackNotInPlaylist,
)
from veza.playlists.presenters import snapshot_id
from veza.tracks.access import listed_track


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match header names (None: no precondition). ``*`` matches any; a
    value that is not one of our snapshot ids can match none (412)."""
    if if_match is None or not if_match.strip() or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise StaleSnapshot()
    return int(value)


async def locked(
    session: AsyncSession,
    playlist_id: uuid.UUID,
    expected: int | None,
    *,
    entries: int = 0,
    max_entries: int | None = None,
) -> repository.Bumped:
    """Bump the playlist (see the module docstring); 412 on a stale If-Match, 400 when the
    entries would pass the cap."""
    bumped = await repository.bump(
        session,
        playlist_id,
        utcnow(),
        entries=entries,
        expected_version=expected,
        max_entries=max_entries,
    )
    if bumped is not None:
        return bumped
    current = await repository.get_playlist(session, playlist_id)
    if current is None:
        raise PlaylistNotFound()
    if expected is not None and current.version != expected:
        raise StaleSnapshot()
    raise PlaylistFull(f"A playlist holds at most {max_entries} tracks")


def _result(message: str, version: int) -> schemas.EditResult:
    return schemas.EditResult(message=message, snapshot_id=snapshot_id(version))


async def add_track(
    session: AsyncSession,
    user: User,
    playlist_id: uuid.UUID,
    body: schemas.PostPlaylistsIdTracksBody,
    *,
    tools: PlaylistTools,
    if_match: str | None = None,
) -> schemas.EditResult:
    """Owner, administrators, admin and write collaborators; the track must be one the caller
    is shown (404 otherwise) and not in the playlist yet (400)."""
    if body.track_id is None:
        raise ValidationFailed.field("track_id", "is required")
    access = await track_editor(session, playlist_id, user)
    track = await listed_track(session, body.track_id, user)
    bumped = await locked(
        session,
        access.playlist.id,
        expected_version(if_match),
        entries=1,
        max_entries=tools.max_tracks,
    )
    position = bumped.entry_count - 1
    if not await entry_queries.insert_entry(
        session, access.playlist.id, track.id, position, user.id, utcnow()
    ):
        raise TrackAlreadyInPlaylist()
    await changed(
        session, tools, user, access.playlist.id, TRACK_ADDED, {"track_id": str(track.id)}
    )
    return _result("Track added to playlist", bumped.version)


async def remove_track(
    session: AsyncSession,
    user: User,
    playlist_id: uuid.UUID,
    track_id: uuid.UUID,
    *,
    tools: PlaylistTools,
    if_match: str | None = None,
) -> schemas.EditResult:
    """Owner, administrators, admin and write collaborators; 404 when the track is not in it."""
    access = await track_editor(session, playlist_id, user)
    bumped = await locked(session, access.playlist.id, expected_version(if_match))
    if await entry_queries.delete_entry(session, access.playlist.id, track_id) is None:
        raise TrackNotInPlaylist()
    await repository.count_removed(session, access.playlist.id)
    await changed(
        session, tools, user, access.playlist.id, TRACK_REMOVED, {"track_id": str(track_id)}
    )
    return _result("Track removed from playlist", bumped.version)


async def reorder_tracks(
    session: AsyncSession,
    user: User,
    playlist_id: uuid.UUID,
    body: schemas.ReorderTracksRequest,
    *,
    tools: PlaylistTools,
    if_match: str | None = None,
) -> schemas.EditResult:
    """``track_ids`` must be exactly the tracks the caller is shown, each once, in the new
    order (400 otherwise: a list missing a track added meanwhile is refused, never applied).
    Entries hidden from the caller keep their places; the shown ones fill the other places in
    the order given."""
    access = await track_editor(session, playlist_id, user)
    bumped = await locked(session, access.playlist.id, expected_version(if_match))
    slots = await entry_queries.slots(session, access.playlist.id, user)
    shown = [slot for slot in slots if slot.shown]
    _check_full_list(body.track_ids, [slot.track_id for slot in shown])
    entry_of = {slot.track_id: slot.entry_id for slot in shown}
    places = [slot.position for slot in shown]
    old = {slot.entry_id: slot.position for slot in shown}
    moves = {
        entry_of[track_id]: place
        for track_id, place in zip(body.track_ids, places, strict=True)
        if old[entry_of[track_id]] != place
    }
    await entry_queries.set_positions(session, moves)
    await changed(session, tools, user, access.playlist.id, TRACKS_REORDERED, {"moved": len(moves)})
    return _result("Tracks reordered", bumped.version)


def _check_full_list(given: list[uuid.UUID], current: list[uuid.UUID]) -> None:
    if len(set(given)) != len(given):
        raise ValidationFailed.field("track_ids", "must not repeat a track")
    missing = set(current) - set(given)
    unknown = set(given) - set(current)
    if missing or unknown:
        raise ValidationFailed.field(
            "track_ids",
            "must list every track of the playlist, each once, in the new order "
            f"({len(missing)} missing, {len(unknown)} not in the playlist)",
        )
