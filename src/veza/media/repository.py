"""Queries of processing: tracks waiting for it, the attempt counter, generation-safe writes.

Every write is conditional on ``processing_generation``: the audio may change while a job
works, and a job's results are then for nobody.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.queries import rowcount
from veza.models.track import TRACK_PROCESSING, Track


async def tracks_in_processing(session: AsyncSession) -> Sequence[tuple[uuid.UUID, int]]:
    rows = await session.execute(
        select(Track.id, Track.processing_generation).where(Track.status == TRACK_PROCESSING)
    )
    return [(row[0], int(row[1])) for row in rows.all()]


async def start_processing_attempt(
    session: AsyncSession, track_id: uuid.UUID, generation: int, now: datetime
) -> int | None:
    """Count one more attempt at processing this audio; None when the job is stale."""
    result = await session.execute(
        update(Track)
        .where(
            Track.id == track_id,
            Track.status == TRACK_PROCESSING,
            Track.processing_generation == generation,
        )
        .values(processing_attempts=Track.processing_attempts + 1, processing_started_at=now)
        .execution_options(synchronize_session=False)
    )
    if not rowcount(result):
        return None
    attempts = await session.scalar(select(Track.processing_attempts).where(Track.id == track_id))
    return int(attempts or 0)


async def update_if_current(
    session: AsyncSession, track_id: uuid.UUID, generation: int, **values: Any
) -> bool:
    """Write processing results only if the audio did not change meanwhile."""
    result = await session.execute(
        update(Track)
        .where(Track.id == track_id, Track.processing_generation == generation)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) > 0


async def get_for_update(session: AsyncSession, track_id: uuid.UUID) -> Track | None:
    track: Track | None = await session.get(Track, track_id, with_for_update=True)
    return track
