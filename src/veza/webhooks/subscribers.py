"""Domain events that become webhook deliveries: each writes the outbox rows in the
publisher's transaction (``delivery.enqueue_event``), for the webhooks of whoever the event
concerns (catalogue.py)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit import events
from veza.marketplace import repository as marketplace_repository
from veza.webhooks import catalogue, repository
from veza.webhooks.delivery import enqueue_event


def _ids(**values: Any) -> dict[str, Any]:
    return {
        key: str(value) if isinstance(value, uuid.UUID) else value for key, value in values.items()
    }


@events.subscriber(events.TRACK_UPLOADED)
async def track_uploaded(
    session: AsyncSession, *, track_id: uuid.UUID, creator_id: uuid.UUID, **_: Any
) -> None:
    await enqueue_event(session, [creator_id], catalogue.TRACK_UPLOADED, _ids(track_id=track_id))


@events.subscriber(events.TRACK_PROCESSED)
async def track_processed(
    session: AsyncSession, *, track_id: uuid.UUID, creator_id: uuid.UUID, **_: Any
) -> None:
    await enqueue_event(session, [creator_id], catalogue.TRACK_PROCESSED, _ids(track_id=track_id))


@events.subscriber(events.TRACK_FAILED)
async def track_failed(
    session: AsyncSession,
    *,
    track_id: uuid.UUID,
    creator_id: uuid.UUID,
    message: str = "",
    **_: Any,
) -> None:
    data = _ids(track_id=track_id, message=message)
    await enqueue_event(session, [creator_id], catalogue.TRACK_FAILED, data)


@events.subscriber(events.TRACK_LIKED)
async def track_liked(
    session: AsyncSession,
    *,
    track_id: uuid.UUID,
    creator_id: uuid.UUID,
    user_id: uuid.UUID,
    **_: Any,
) -> None:
    data = _ids(track_id=track_id, user_id=user_id)
    await enqueue_event(session, [creator_id], catalogue.TRACK_LIKED, data)


@events.subscriber(events.TRACK_COMMENTED)
async def track_commented(
    session: AsyncSession,
    *,
    track_id: uuid.UUID,
    creator_id: uuid.UUID,
    comment_id: uuid.UUID,
    user_id: uuid.UUID,
    **_: Any,
) -> None:
    data = _ids(track_id=track_id, comment_id=comment_id, user_id=user_id)
    await enqueue_event(session, [creator_id], catalogue.TRACK_COMMENTED, data)


@events.subscriber(events.USER_FOLLOWED)
async def user_followed(
    session: AsyncSession, *, follower_id: uuid.UUID, followed_id: uuid.UUID, **_: Any
) -> None:
    data = _ids(user_id=follower_id, followed_id=followed_id)
    await enqueue_event(session, [followed_id], catalogue.USER_FOLLOWED, data)


@events.subscriber(events.PLAYLIST_UPDATED)
async def playlist_updated(
    session: AsyncSession, *, playlist_id: uuid.UUID, actor_id: uuid.UUID | None = None, **_: Any
) -> None:
    owner = await repository.playlist_owner(session, playlist_id)
    if owner is None:
        return
    data = _ids(playlist_id=playlist_id, actor_id=actor_id)
    await enqueue_event(session, [owner], catalogue.PLAYLIST_UPDATED, data)


@events.subscriber(events.ORDER_PAID)
async def order_paid(session: AsyncSession, *, order_id: uuid.UUID, **_: Any) -> None:
    parties = await marketplace_repository.order_parties(session, order_id)
    if parties:
        await enqueue_event(session, parties, catalogue.ORDER_PAID, _ids(order_id=order_id))


@events.subscriber(events.USER_DELETED)
async def user_deleted(session: AsyncSession, *, user_id: uuid.UUID, **_: Any) -> None:
    """A deleted account's webhooks go with it (its row stays, anonymised)."""
    await repository.delete_all_of(session, user_id)
