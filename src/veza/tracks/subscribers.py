"""What the catalog does when other domains announce something."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit import events
from veza.tracks import repository, share_links
from veza.tracks.service import forget_files_of


@events.subscriber(events.USER_DELETED)
async def remove_tracks_of_deleted_user(
    session: AsyncSession, *, user_id: uuid.UUID, keep_public_tracks: bool = False, **_: object
) -> None:
    """The user's tracks go (public ones stay when they asked to keep them), their files after
    the commit, and the share links they made."""
    tracks = await repository.tracks_of_user(session, user_id, except_public=keep_public_tracks)
    for track in tracks:
        forget_files_of(session, track)
    await repository.delete_tracks(session, [track.id for track in tracks])
    await share_links.delete_shares_by(session, user_id)
    await session.flush()
