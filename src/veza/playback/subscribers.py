"""Playback forgets a cached track once a change others could see has committed."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit import events
from veza.kit.db import after_commit, provided
from veza.playback.cache import PlaybackCache


@events.subscriber(events.TRACK_CHANGED)
async def forget_cached_track(session: AsyncSession, *, track_id: uuid.UUID, **_: object) -> None:
    cache = provided(session, PlaybackCache)
    if cache is None:  # a process that serves no playback (a worker)
        return
    # Now, so this request's own later reads miss; and after the commit, so a concurrent
    # request that cached the old state meanwhile is forgotten too.
    cache.forget(track_id)

    async def _forget() -> None:
        cache.forget(track_id)

    after_commit(session, _forget)
