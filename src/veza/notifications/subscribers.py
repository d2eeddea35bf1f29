"""Notifications that follow from other domains' events, and cleaning up after deletions."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit import events
from veza.notifications import repository, service


@events.subscriber(events.USER_DELETED)
async def remove_notifications_of(
    session: AsyncSession, *, user_id: uuid.UUID, **_: object
) -> None:
    await repository.remove_user(session, user_id)


@events.subscriber(events.USER_FOLLOWED)
async def tell_the_followed_user(
    session: AsyncSession, *, follower_id: uuid.UUID, followed_id: uuid.UUID, **_: object
) -> None:
    await service.notify(session, followed_id, follower_id, service.FOLLOW, "user", followed_id)
