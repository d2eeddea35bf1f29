"""What engagement does when other domains announce something."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.engagement import repository
from veza.kit import events


@events.subscriber(events.USER_DELETED)
async def remove_engagement(session: AsyncSession, *, user_id: uuid.UUID, **_: object) -> None:
    """A deleted account's likes, reposts and plays go, and the counters they added to drop by
    as much."""
    await repository.remove_engagement_of(session, user_id)
