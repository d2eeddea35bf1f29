"""The only ways to get a track for a caller, named for the answer they give.

Every domain that acts on a track by id (catalog, uploads, media, playback, engagement,
comments, and the playlists, queue and marketplace to come) goes through one of these, so the
404-or-403 decision is taken once:

- ``openable_track``: whoever may open it (``openable_by``); 404 for everyone else.
- ``listed_track``: whoever the catalog shows it to (``listed_for``); 404 for everyone else
  (``listed_track_row``: the same, as a row).
- ``owned_track``: its creator; 403 for others who may open it, 404 for the rest.
- ``editable_track``: its creator and administrators; 403 for others it is listed for, 404
  for the rest.
- ``private_track_view``: its creator and administrators; 404 for everyone else (processing
  status, history and versions are nobody else's business).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.db import Reads
from veza.models import Track, User, Viewer
from veza.tracks import repository
from veza.tracks.errors import NotTrackOwner, OnlyTheOwner, TrackNotFound


def manages(user: Viewer | None, track: Track) -> bool:
    """The track's creator or an administrator: who sees its private figures and changes it."""
    return user is not None and (user.id == track.creator_id or user.is_administrator)


async def openable_track(session: AsyncSession, track_id: uuid.UUID, viewer: User | None) -> Track:
    track = await repository.get_openable(session, track_id, viewer)
    if track is None:
        raise TrackNotFound()
    return track


async def listed_track(
    session: AsyncSession, track_id: uuid.UUID, viewer: User | None, *, for_update: bool = False
) -> Track:
    track = await repository.get_listed(session, track_id, viewer, for_update=for_update)
    if track is None:
        raise TrackNotFound()
    return track


async def listed_track_row(reads: Reads, track_id: uuid.UUID, viewer: User | None) -> Row[Any]:
    """``listed_track`` as a row of ``repository.SHOWN_COLUMNS`` (no Track object), for the
    read that only encodes it."""
    row = await repository.get_listed_row(reads, track_id, viewer)
    if row is None:
        raise TrackNotFound()
    return row


async def owned_track(session: AsyncSession, track_id: uuid.UUID, user: User) -> Track:
    track = await openable_track(session, track_id, user)
    if track.creator_id != user.id:
        raise OnlyTheOwner()
    return track


async def editable_track(
    session: AsyncSession, track_id: uuid.UUID, user: User, *, for_update: bool = False
) -> Track:
    track = await listed_track(session, track_id, user, for_update=for_update)
    if not manages(user, track):
        raise NotTrackOwner()
    return track


async def private_track_view(
    session: AsyncSession, track_id: uuid.UUID, user: User | None
) -> Track:
    track = await repository.get_live(session, track_id)
    if track is None or not manages(user, track):
        raise TrackNotFound()
    return track


async def open_to_everyone(session: AsyncSession, track: Track) -> bool:
    """Whether an anonymous caller may open ``track`` (what a shared cache may hold)."""
    return await repository.get_openable(session, track.id, None) is not None
