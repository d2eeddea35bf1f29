"""getPlayQueue and savePlayQueue mapped onto the personal play queue (queue/service.py), so a
phone and the web app resume one queue: the same items, current track and position (ms in
both), the same live messages to the web app's queue socket.

Saving replaces the queue's items only when the tracks differ from the queue's (a client saving
its position every few seconds changes the state, not the items, and the web app keeps its
item ids); the ids must be songs the caller may play (70 otherwise).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.models import User
from veza.models.track import Track
from veza.queue import schemas as queue_schemas
from veza.queue import service as queues
from veza.queue.dependencies import QueueTools
from veza.subsonic import catalog, errors, presenters
from veza.subsonic.params import Params, track_id
from veza.tracks.errors import TrackNotFound


async def get_play_queue(
    session: AsyncSession, user: User, params: Params, tools: QueueTools
) -> dict[str, Any]:
    data = await queues.get_queue(session, user, tools=tools)
    ids = [item.track_id for item in data.items]
    found = (
        await catalog.songs(session, user, catalog.songs_statement(user).where(Track.id.in_(ids)))
        if ids
        else []
    )
    by_id = {s.track.id: s for s in found}
    queue = data.queue
    return {
        "playQueue": {
            "current": str(queue.current_track_id) if queue.current_track_id else None,
            "position": queue.current_position,
            "username": user.username,
            "changed": presenters.timestamp(queue.updated_at),
            "changedBy": "",
            "entry": [presenters.song(by_id[i]) for i in ids if i in by_id],
        }
    }


async def save_play_queue(
    session: AsyncSession, user: User, params: Params, tools: QueueTools
) -> dict[str, Any]:
    wanted = [track_id(raw) for raw in params.all("id")]
    current_raw = params.get("current")
    current = track_id(current_raw) if current_raw else None
    if current is not None and current not in wanted:
        raise errors.bad_value("current", "must be one of the ids saved")
    position = params.integer("position", 0, high=queue_schemas.MAX_POSITION_MS) or 0
    data = await queues.get_queue(session, user, tools=tools)
    try:
        if [item.track_id for item in data.items] != wanted:
            await queues.clear_queue(session, user)
            for song_id in wanted:
                body = queue_schemas.AddQueueItemRequest(track_id=song_id)
                await queues.add_item(session, user, body, tools=tools)
        state = queue_schemas.UpdateQueueRequest(
            current_track_id=current, current_position=position
        )
        await queues.update_queue(session, user, state, tools=tools)
    except TrackNotFound as exc:
        raise errors.not_found("Song") from exc
    return {}
