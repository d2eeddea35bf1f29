"""What the marketplace does when other domains announce something: listings of a track that
is deleted, and every listing of a deleted account, leave the store (archived). Purchases
already made are untouched: their buyers keep their downloads."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit import events
from veza.marketplace import repository
from veza.models import utcnow
from veza.tracks.repository import get_live


@events.subscriber(events.TRACK_CHANGED)
async def withdraw_listings_of_deleted_track(
    session: AsyncSession, *, track_id: uuid.UUID, **_: object
) -> None:
    if await get_live(session, track_id) is None:
        await repository.archive_listings(session, utcnow(), track_id=track_id)


@events.subscriber(events.USER_DELETED)
async def withdraw_listings_of_deleted_seller(
    session: AsyncSession, *, user_id: uuid.UUID, **_: object
) -> None:
    await repository.archive_listings(session, utcnow(), seller_id=user_id)
