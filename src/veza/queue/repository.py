"""Queries of the queue domain. What a caller may see is decided here, once:

- A personal queue is its owner's alone: every query names the owner's queue.
- Its items are shown only while their track is listed for the owner (the catalog's
  ``listed_tracks``): an item whose track became private, blocked or deleted stays stored, in
  its place, but is left out of what the owner gets.
- A listening session is found by the digest of its token, while its host is a readable
  account (not deleted, banned or deactivated: their sessions end with them). Its items are
  shown only while their track is listed for everyone (``listed_tracks(None)``): everyone in
  the session plays them.

Positions are dense (0..n-1 over every stored item, shown or not). Every change takes the
parent row first (``locked_*``: a row lock on PostgreSQL; SQLite's writers are serialized by
``BEGIN IMMEDIATE``), so concurrent adds and removals keep them dense and the cap holds; the
parent's ``item_count`` is the next position and ``version`` counts changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.queries import insert_ignoring_duplicates
from veza.models import ListeningSession, PlayQueue, QueueItem, SessionItem, Track, User
from veza.tracks.repository import listed_tracks
from veza.users.repository import author_is_readable

Parent = type[PlayQueue] | type[ListeningSession]
Item = type[QueueItem] | type[SessionItem]


# Personal queue ------------------------------------------------------------------------------


async def get_queue(session: AsyncSession, user_id: uuid.UUID) -> PlayQueue | None:
    queue: PlayQueue | None = await session.scalar(
        select(PlayQueue)
        .where(PlayQueue.user_id == user_id)
        .execution_options(populate_existing=True)
    )
    return queue


async def locked_queue(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> PlayQueue:
    """The user's queue, made on first use, locked for this transaction's changes."""
    await session.execute(
        insert_ignoring_duplicates(
            session,
            PlayQueue,
            id=uuid.uuid4(),
            user_id=user_id,
            created_at=now,
            updated_at=now,
        )
    )
    queue: PlayQueue | None = await session.scalar(
        select(PlayQueue)
        .where(PlayQueue.user_id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert queue is not None  # inserted above, or already there
    return queue


async def listed_queue_items(
    session: AsyncSession, queue_id: uuid.UUID, viewer: User
) -> list[tuple[QueueItem, Track]]:
    rows = await session.execute(
        listed_tracks(viewer)
        .add_columns(QueueItem)
        .join(QueueItem, QueueItem.track_id == Track.id)
        .where(QueueItem.queue_id == queue_id)
        .order_by(QueueItem.position)
    )
    return [(item, track) for track, item in rows.all()]


async def get_queue_item(
    session: AsyncSession, queue_id: uuid.UUID, item_id: uuid.UUID
) -> QueueItem | None:
    item: QueueItem | None = await session.scalar(
        select(QueueItem).where(QueueItem.id == item_id, QueueItem.queue_id == queue_id)
    )
    return item


async def clear_queue(session: AsyncSession, queue_id: uuid.UUID, now: datetime) -> None:
    await session.execute(delete(QueueItem).where(QueueItem.queue_id == queue_id))
    await bump(
        session,
        PlayQueue,
        queue_id,
        now,
        item_count=0,
        current_track_id=None,
        current_position=0,
        is_playing=False,
    )


# Listening sessions --------------------------------------------------------------------------


def add_session(session: AsyncSession, listening: ListeningSession) -> None:
    session.add(listening)


async def session_by_token_hash(
    session: AsyncSession, token_hash: str, *, for_update: bool = False
) -> ListeningSession | None:
    statement = select(ListeningSession).where(
        ListeningSession.token_hash == token_hash, author_is_readable(ListeningSession.host_id)
    )
    if for_update:
        statement = statement.with_for_update()
    found: ListeningSession | None = await session.scalar(
        statement.execution_options(populate_existing=True)
    )
    return found


async def listed_session_items(
    session: AsyncSession, session_id: uuid.UUID
) -> list[tuple[SessionItem, Track]]:
    rows = await session.execute(
        listed_tracks(None)
        .add_columns(SessionItem)
        .join(SessionItem, SessionItem.track_id == Track.id)
        .where(SessionItem.session_id == session_id)
        .order_by(SessionItem.position)
    )
    return [(item, track) for track, item in rows.all()]


async def get_session_item(
    session: AsyncSession, session_id: uuid.UUID, item_id: uuid.UUID
) -> SessionItem | None:
    item: SessionItem | None = await session.scalar(
        select(SessionItem).where(SessionItem.id == item_id, SessionItem.session_id == session_id)
    )
    return item


async def delete_session(session: AsyncSession, session_id: uuid.UUID) -> None:
    await session.execute(delete(ListeningSession).where(ListeningSession.id == session_id))


async def delete_sessions_hosted_by(session: AsyncSession, host_id: uuid.UUID) -> list[uuid.UUID]:
    """Delete the sessions ``host_id`` hosts; their ids."""
    deleted = await session.execute(
        delete(ListeningSession)
        .where(ListeningSession.host_id == host_id)
        .returning(ListeningSession.id)
    )
    return list(deleted.scalars())


async def delete_queue_of(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(delete(PlayQueue).where(PlayQueue.user_id == user_id))


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


# Both kinds of queue -------------------------------------------------------------------------


async def bump(
    session: AsyncSession, parent: Parent, parent_id: uuid.UUID, now: datetime, **values: Any
) -> int:
    """Record a change of the parent (``values`` too); its new version."""
    version = await session.scalar(
        update(parent)
        .where(parent.id == parent_id)
        .values(version=parent.version + 1, updated_at=now, **values)
        .returning(parent.version)
    )
    return int(version or 0)


async def change_session(
    session: AsyncSession, session_id: uuid.UUID, now: datetime, **values: Any
) -> ListeningSession:
    """``bump`` for a session, returning the session as it is after the change."""
    changed: ListeningSession | None = await session.scalar(
        update(ListeningSession)
        .where(ListeningSession.id == session_id)
        .values(version=ListeningSession.version + 1, updated_at=now, **values)
        .returning(ListeningSession)
        .execution_options(populate_existing=True)
    )
    assert changed is not None  # locked by the caller
    return changed


async def reserve_slot(
    session: AsyncSession, parent: Parent, parent_id: uuid.UUID, cap: int, now: datetime
) -> tuple[int, int] | None:
    """The position of a new item and the parent's new version, or None when the parent
    already holds ``cap`` items. One atomic update: the cap holds under concurrent adds."""
    row = (
        await session.execute(
            update(parent)
            .where(parent.id == parent_id, parent.item_count < cap)
            .values(item_count=parent.item_count + 1, version=parent.version + 1, updated_at=now)
            .returning(parent.item_count, parent.version)
        )
    ).first()
    if row is None:
        return None
    count, version = row
    return int(count) - 1, int(version)


def add_item(session: AsyncSession, item: QueueItem | SessionItem) -> None:
    session.add(item)


async def remove_item(
    session: AsyncSession,
    parent: Parent,
    model: Item,
    parent_id: uuid.UUID,
    item: QueueItem | SessionItem,
    now: datetime,
) -> int | None:
    """Delete ``item`` and close its gap; the parent's new version, or None when the item was
    already gone (a concurrent removal)."""
    owner = model.queue_id if model is QueueItem else model.session_id  # type: ignore[union-attr]
    deleted = await session.execute(
        delete(model).where(model.id == item.id, owner == parent_id).returning(model.id)
    )
    if deleted.first() is None:
        return None
    await session.execute(
        update(model)
        .where(owner == parent_id, model.position > item.position)
        .values(position=model.position - 1)
    )
    return await bump(session, parent, parent_id, now, item_count=parent.item_count - 1)


async def item_positions(
    session: AsyncSession, model: Item, parent_id: uuid.UUID
) -> dict[uuid.UUID, int]:
    owner = model.queue_id if model is QueueItem else model.session_id  # type: ignore[union-attr]
    rows = await session.execute(select(model.id, model.position).where(owner == parent_id))
    return {item_id: position for item_id, position in rows.all()}


async def set_positions(
    session: AsyncSession, model: Item, positions: Mapping[uuid.UUID, int]
) -> None:
    if positions:
        await session.execute(
            update(model),
            [{"id": item_id, "position": position} for item_id, position in positions.items()],
        )


def ordered_ids(rows: Sequence[tuple[QueueItem | SessionItem, Track]]) -> list[uuid.UUID]:
    return [item.id for item, _ in rows]
