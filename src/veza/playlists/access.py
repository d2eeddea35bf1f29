"""The only ways to get a playlist for a caller, named for what the caller may then do.

Each guard first asks ``repository.readable_by``: a playlist the caller may not read is 404
(PLAYLIST_NOT_FOUND) whatever they wanted; a readable one they may not change in that way is
403. Who may do what:

- the owner and administrators: everything;
- a collaborator with ``admin``: metadata, tracks and collaborators (not the owner);
- ``write``: add, remove and reorder tracks;
- ``read``: read (a private playlist becomes readable to them), its analytics included.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.db import Reads
from veza.kit.errors import Forbidden
from veza.models import User, Viewer
from veza.models.playlist import PERMISSION_ADMIN, PERMISSION_WRITE, Playlist
from veza.playlists import repository
from veza.playlists.errors import (
    AnalyticsForbidden,
    CannotEditPlaylist,
    CannotEditTracks,
    CannotManageCollaborators,
    NotPlaylistOwner,
    PlaylistNotFound,
)


@dataclass(frozen=True)
class PlaylistAccess:
    """A playlist the caller may read, and what else they may do with it."""

    playlist: Playlist
    caller: Viewer | None
    permission: str | None  # the caller's collaborator permission, if they collaborate

    @property
    def manages(self) -> bool:
        """The owner or an administrator."""
        caller = self.caller
        return caller is not None and (
            caller.id == self.playlist.user_id or caller.is_administrator
        )

    @property
    def is_owner(self) -> bool:
        return self.caller is not None and self.caller.id == self.playlist.user_id

    @property
    def edits_metadata(self) -> bool:
        return self.manages or self.permission == PERMISSION_ADMIN

    @property
    def manages_collaborators(self) -> bool:
        return self.edits_metadata

    @property
    def edits_tracks(self) -> bool:
        return self.edits_metadata or self.permission == PERMISSION_WRITE

    @property
    def collaborates(self) -> bool:
        return self.permission is not None


async def readable_playlist(
    session: AsyncSession, playlist_id: uuid.UUID, caller: Viewer | None
) -> PlaylistAccess:
    if caller is None:
        playlist = await repository.get_readable(session, playlist_id, None)
        if playlist is None:
            raise PlaylistNotFound()
        return PlaylistAccess(playlist, None, None)
    found = await repository.get_readable_with_permission(session, playlist_id, caller)
    if found is None:
        raise PlaylistNotFound()
    playlist, permission = found
    # The owner's rights are the owner's, whatever a collaborator row would say.
    return PlaylistAccess(playlist, caller, None if caller.id == playlist.user_id else permission)


async def readable_page_head(reads: Reads, playlist_id: uuid.UUID, caller: Viewer) -> Row[Any]:
    """``readable_playlist``'s rule for the playlist's page, read as a row of its columns
    (``repository.readable_page_head``)."""
    head = await repository.readable_page_head(reads, playlist_id, caller)
    if head is None:
        raise PlaylistNotFound()
    return head


async def _requiring(
    session: AsyncSession,
    playlist_id: uuid.UUID,
    caller: User,
    allowed: str,
    refusal: type[Forbidden],
) -> PlaylistAccess:
    access = await readable_playlist(session, playlist_id, caller)
    if not getattr(access, allowed):
        raise refusal()
    return access


async def metadata_editor(
    session: AsyncSession, playlist_id: uuid.UUID, caller: User
) -> PlaylistAccess:
    """Owner, administrators, admin collaborators."""
    return await _requiring(session, playlist_id, caller, "edits_metadata", CannotEditPlaylist)


async def track_editor(
    session: AsyncSession, playlist_id: uuid.UUID, caller: User
) -> PlaylistAccess:
    """Owner, administrators, admin and write collaborators."""
    return await _requiring(session, playlist_id, caller, "edits_tracks", CannotEditTracks)


async def collaborator_manager(
    session: AsyncSession, playlist_id: uuid.UUID, caller: User
) -> PlaylistAccess:
    """Owner, administrators, admin collaborators."""
    return await _requiring(
        session, playlist_id, caller, "manages_collaborators", CannotManageCollaborators
    )


async def managed_playlist(
    session: AsyncSession, playlist_id: uuid.UUID, caller: User
) -> PlaylistAccess:
    """Owner and administrators only (deletion, share links, permissions)."""
    return await _requiring(session, playlist_id, caller, "manages", NotPlaylistOwner)


async def analytics_viewer(
    session: AsyncSession, playlist_id: uuid.UUID, caller: User
) -> PlaylistAccess:
    """Owner, administrators and collaborators of any permission."""
    access = await readable_playlist(session, playlist_id, caller)
    if not (access.manages or access.collaborates):
        raise AnalyticsForbidden()
    return access
