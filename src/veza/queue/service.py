"""The personal play queue: the caller's alone, persistent, resumed on any of their devices.

Every change is announced to the caller's other devices (queue/live.py) after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.errors import ValidationFailed
from veza.models import PlayQueue, QueueItem, Track, User, utcnow
from veza.queue import live, repository, schemas
from veza.queue.dependencies import QueueTools
from veza.queue.errors import QueueFull, QueueItemNotFound
from veza.tracks.access import listed_track
from veza.tracks.errors import TrackNotFound
from veza.tracks.presenters import track_response

# Responses -----------------------------------------------------------------------------------


def queue_view(queue: PlayQueue, shown_track_ids: set[uuid.UUID]) -> schemas.QueueView:
    view = schemas.QueueView.model_validate(queue)
    # The current track is told only while the owner may still read it.
    if view.current_track_id is not None and view.current_track_id not in shown_track_ids:
        view.current_track_id = None
    return view


def item_view(
    item: QueueItem, track: Track, public_url: str, viewer: User
) -> schemas.QueueItemView:
    return schemas.QueueItemView(
        id=item.id,
        track_id=item.track_id,
        position=item.position,
        added_at=item.added_at,
        track=track_response(track, public_url, viewer),
    )


async def queue_data(
    session: AsyncSession, user: User, queue: PlayQueue, public_url: str
) -> schemas.QueueData:
    rows = await repository.listed_queue_items(session, queue.id, user)
    shown = {track.id for _, track in rows}
    current = queue.current_track_id
    # The current track need not be queued; it is still told only if the owner may read it.
    if current is not None and current not in shown and await _readable(session, current, user):
        shown.add(current)
    return schemas.QueueData(
        queue=queue_view(queue, shown),
        items=[item_view(item, track, public_url, user) for item, track in rows],
    )


async def _readable(session: AsyncSession, track_id: uuid.UUID, user: User) -> bool:
    try:
        await listed_track(session, track_id, user)
    except TrackNotFound:
        return False
    return True


async def _current(session: AsyncSession, user: User, tools: QueueTools) -> schemas.QueueData:
    queue = await repository.get_queue(session, user.id)
    assert queue is not None
    return await queue_data(session, user, queue, tools.public_url)


# Reading -------------------------------------------------------------------------------------


async def get_queue(session: AsyncSession, user: User, *, tools: QueueTools) -> schemas.QueueData:
    queue = await repository.get_queue(session, user.id)
    if queue is None:
        # Nothing stored yet: the empty queue every user starts with (made on first change).
        now = utcnow()
        queue = PlayQueue(
            id=uuid.uuid4(),
            user_id=user.id,
            current_position=0,
            is_playing=False,
            repeat_mode="off",
            shuffle=False,
            volume=100,
            item_count=0,
            version=0,
            created_at=now,
            updated_at=now,
        )
        return schemas.QueueData(queue=queue_view(queue, set()), items=[])
    return await queue_data(session, user, queue, tools.public_url)


# Writing -------------------------------------------------------------------------------------


async def add_item(
    session: AsyncSession, user: User, body: schemas.AddQueueItemRequest, *, tools: QueueTools
) -> schemas.QueueItemData:
    """Append a track the caller may read (404 otherwise); 400 QUEUE_FULL at the cap."""
    track = await listed_track(session, body.track_id, user)
    now = utcnow()
    queue = await repository.locked_queue(session, user.id, now)
    slot = await repository.reserve_slot(
        session, PlayQueue, queue.id, tools.settings.max_items, now
    )
    if slot is None:
        raise QueueFull(f"The queue holds at most {tools.settings.max_items} items")
    position, version = slot
    item = QueueItem(
        id=uuid.uuid4(), queue_id=queue.id, track_id=track.id, position=position, added_at=now
    )
    repository.add_item(session, item)
    await session.flush()
    view = item_view(item, track, tools.public_url, user)
    live.announce(
        session,
        live.queue_channel(user.id),
        live.ITEM_ADDED,
        version=version,
        item=view.model_dump(mode="json"),
    )
    return schemas.QueueItemData(item=view)


async def remove_item(session: AsyncSession, user: User, item_id: uuid.UUID) -> schemas.Message:
    """Another user's item is not found, like one that does not exist."""
    now = utcnow()
    queue = await repository.locked_queue(session, user.id, now)
    item = await repository.get_queue_item(session, queue.id, item_id)
    if item is None:
        raise QueueItemNotFound()
    version = await repository.remove_item(session, PlayQueue, QueueItem, queue.id, item, now)
    if version is None:
        raise QueueItemNotFound()
    live.announce(
        session,
        live.queue_channel(user.id),
        live.ITEM_REMOVED,
        version=version,
        item_id=str(item_id),
    )
    return schemas.Message(message="Item removed from queue")


async def clear_queue(session: AsyncSession, user: User) -> schemas.Message:
    now = utcnow()
    queue = await repository.locked_queue(session, user.id, now)
    await repository.clear_queue(session, queue.id, now)
    refreshed = await repository.get_queue(session, user.id)
    assert refreshed is not None
    live.announce(session, live.queue_channel(user.id), live.CLEARED, version=refreshed.version)
    return schemas.Message(message="Queue cleared")


def _new_order(
    requested: Sequence[uuid.UUID], shown: Sequence[uuid.UUID], stored: dict[uuid.UUID, int]
) -> dict[uuid.UUID, int]:
    """Positions for ``requested``, a permutation of the items shown: they take the places the
    shown items held, in the new order; items not shown (their track hidden) keep theirs."""
    if len(set(requested)) != len(requested):
        raise ValidationFailed.field("item_order", "must not repeat an item id")
    if set(requested) != set(shown):
        raise ValidationFailed.field(
            "item_order", "must list every item of the queue exactly once", len(requested)
        )
    places = sorted(stored[item_id] for item_id in shown)
    return {
        item_id: place
        for item_id, place in zip(requested, places, strict=True)
        if stored[item_id] != place
    }


async def update_queue(
    session: AsyncSession, user: User, body: schemas.UpdateQueueRequest, *, tools: QueueTools
) -> schemas.QueueData:
    """Every field is checked before anything is written (400 with the field)."""
    given = body.model_fields_set
    wanted = body.current_track_id
    if "current_track_id" in given and wanted and not await _readable(session, wanted, user):
        raise ValidationFailed.field(
            "current_track_id", "must be a track you may play", str(wanted)
        )
    now = utcnow()
    queue = await repository.locked_queue(session, user.id, now)
    changes: dict[str, object] = {
        name: getattr(body, name)
        for name in ("current_track_id", "current_position", "is_playing", "repeat_mode")
        if name in given and (getattr(body, name) is not None or name == "current_track_id")
    }
    changes.update(
        {
            name: getattr(body, name)
            for name in ("shuffle", "volume")
            if name in given and getattr(body, name) is not None
        }
    )
    reorder: dict[uuid.UUID, int] | None = None
    if body.item_order is not None:
        rows = await repository.listed_queue_items(session, queue.id, user)
        stored = await repository.item_positions(session, QueueItem, queue.id)
        reorder = _new_order(body.item_order, repository.ordered_ids(rows), stored)
        await repository.set_positions(session, QueueItem, reorder)
    version = await repository.bump(session, PlayQueue, queue.id, now, **changes)
    data = await _current(session, user, tools)
    channel = live.queue_channel(user.id)
    if body.item_order is not None:
        order = [str(item.id) for item in data.items]
        live.announce(session, channel, live.ORDER, version=version, item_ids=order)
    live.announce(
        session, channel, live.STATE, version=version, queue=data.queue.model_dump(mode="json")
    )
    return data
