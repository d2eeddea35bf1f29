"""What every change to a playlist leaves behind: an audit row and the PLAYLIST_UPDATED event
(metadata, entries or collaborators), in the change's own transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.audit.service import record
from veza.kit import events
from veza.models import User
from veza.playlists.dependencies import PlaylistTools

# Audit actions of this domain.
CREATED = "playlist.created"
UPDATED = "playlist.updated"
DELETED = "playlist.deleted"
TRACK_ADDED = "playlist.track_added"
TRACK_REMOVED = "playlist.track_removed"
TRACKS_REORDERED = "playlist.tracks_reordered"
COLLABORATOR_ADDED = "playlist.collaborator_added"
COLLABORATOR_UPDATED = "playlist.collaborator_updated"
COLLABORATOR_REMOVED = "playlist.collaborator_removed"
SHARE_CREATED = "playlist.share_created"
SHARE_REVOKED = "playlist.share_revoked"
DUPLICATED = "playlist.duplicated"
IMPORTED = "playlist.imported"


async def changed(
    session: AsyncSession,
    tools: PlaylistTools,
    actor: User,
    playlist_id: uuid.UUID,
    action: str,
    details: dict[str, Any] | None = None,
    *,
    publish: bool = True,
) -> None:
    await record(
        session,
        action,
        user_id=actor.id,
        resource="playlist",
        resource_id=playlist_id,
        ip_address=tools.ip_address,
        user_agent=tools.user_agent,
        details=details,
    )
    if publish:
        await events.publish(
            session, events.PLAYLIST_UPDATED, playlist_id=playlist_id, actor_id=actor.id
        )
