"""The media domain reacts to new audio: it is processed once the change commits."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit import events
from veza.media.service import enqueue_processing


@events.subscriber(events.TRACK_AUDIO_CHANGED)
async def process_new_audio(
    session: AsyncSession, *, track_id: uuid.UUID, generation: int, **_: object
) -> None:
    enqueue_processing(session, track_id, generation)
