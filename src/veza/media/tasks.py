"""Jobs of the media domain: processing one track's audio, and resuming it after a restart.

Declarations only; the work is media/pipeline.py. Imported by veza/registry.py alone.
"""

from __future__ import annotations

import uuid

import structlog

from veza.kit.jobs import JobContext, on_startup, task
from veza.media import pipeline, repository
from veza.media.service import PROCESS_TRACK, processing_job_id

log = structlog.get_logger("veza.media.tasks")


@task(PROCESS_TRACK)
async def process_track(ctx: JobContext, track_id: str, generation: int) -> None:
    await pipeline.process_track(ctx, uuid.UUID(track_id), int(generation))


@on_startup
async def resume_interrupted_processing(ctx: JobContext) -> None:
    """A job cut short by a restart runs again: every track still in processing is re-queued
    (its attempt counter ends it as failed if it keeps being interrupted)."""
    async with ctx.db.reader() as session:
        pending = await repository.tracks_in_processing(session)
    for track_id, generation in pending:
        await ctx.jobs.enqueue(
            PROCESS_TRACK,
            str(track_id),
            generation,
            job_id=processing_job_id(track_id, generation),
        )
    if pending:
        log.info("processing_resumed", tracks=len(pending))
