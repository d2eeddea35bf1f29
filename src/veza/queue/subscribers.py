"""What the queue domain does when other domains announce something."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit import events
from veza.queue import live, repository


@events.subscriber(events.USER_WITHDRAWN)
async def end_hosted_sessions(session: AsyncSession, *, user_id: uuid.UUID, **_: object) -> None:
    """A banned, deactivated or deleted host's listening sessions end: their rows go, and every
    socket following one hears ``session_ended`` and is closed (after the commit)."""
    for session_id in await repository.delete_sessions_hosted_by(session, user_id):
        live.announce(session, live.session_channel(session_id), live.SESSION_ENDED)


@events.subscriber(events.USER_DELETED)
async def erase_queue(session: AsyncSession, *, user_id: uuid.UUID, **_: object) -> None:
    """A deleted account's queue and playback state are erased."""
    await repository.delete_queue_of(session, user_id)
