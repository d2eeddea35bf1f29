"""Playback forgets cached tracks once a change others could see has committed: a track's own
change (TRACK_CHANGED), or its creator's ban, deactivation or deletion (USER_WITHDRAWN)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit import events
from veza.kit.db import after_commit, provided
from veza.playback.cache import PlaybackCache


def _forget_now_and_after_commit(
    session: AsyncSession, forget: Callable[[PlaybackCache], None]
) -> None:
    cache = provided(session, PlaybackCache)
    if cache is None:  # a process that serves no playback (a worker)
        return
    # Now, so this request's own later reads miss; and after the commit, so a concurrent
    # request that cached the old state meanwhile is forgotten too.
    forget(cache)

    async def _forget() -> None:
        forget(cache)

    after_commit(session, _forget)


@events.subscriber(events.TRACK_CHANGED)
async def forget_cached_track(session: AsyncSession, *, track_id: uuid.UUID, **_: object) -> None:
    _forget_now_and_after_commit(session, lambda cache: cache.forget(track_id))


@events.subscriber(events.USER_WITHDRAWN)
async def forget_cached_tracks_of_user(
    session: AsyncSession, *, user_id: uuid.UUID, **_: object
) -> None:
    _forget_now_and_after_commit(session, lambda cache: cache.forget_creator(user_id))
