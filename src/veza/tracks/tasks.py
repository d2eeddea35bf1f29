"""Background jobs of the tracks domain: processing, restart recovery, sweeping."""

from __future__ import annotations

import uuid

import structlog

from veza.kit.jobs import JobContext, JobQueue, on_startup, periodic, task
from veza.models import utcnow
from veza.models.engagement import PLAY_DEDUP_WINDOW
from veza.tracks import engagement_repository, processing, repository

log = structlog.get_logger("veza.tracks.tasks")

PROCESS_TRACK = "tracks.process"
SWEEP = "tracks.sweep"
SWEEP_PLAY_MARKS = "tracks.sweep_play_marks"


def processing_job_id(track_id: uuid.UUID, generation: int) -> str:
    # One job per (track, audio generation): a duplicate enqueue of the same work is dropped.
    return f"{PROCESS_TRACK}:{track_id}:{generation}"


async def enqueue_processing(jobs: JobQueue, track_id: uuid.UUID, generation: int) -> None:
    await jobs.enqueue(
        PROCESS_TRACK, str(track_id), generation, job_id=processing_job_id(track_id, generation)
    )


@task(PROCESS_TRACK)
async def process_track(ctx: JobContext, track_id: str, generation: int) -> None:
    await processing.process_track(ctx, uuid.UUID(track_id), int(generation))


@on_startup
async def resume_interrupted_processing(ctx: JobContext) -> None:
    """A job cut short by a restart runs again: every track still in processing is re-queued
    (its attempt counter ends it as failed if it keeps being interrupted)."""
    async with ctx.db.reader() as session:
        pending = await repository.tracks_in_processing(session)
    for track_id, generation in pending:
        await enqueue_processing(ctx.jobs, track_id, generation)
    if pending:
        log.info("processing_resumed", tracks=len(pending))
    await processing.sweep(ctx)


@task(SWEEP)
async def sweep_task(ctx: JobContext) -> None:
    await processing.sweep(ctx)


@periodic(SWEEP, lambda settings: settings.jobs.cleanup_interval_seconds)
async def periodic_sweep(ctx: JobContext) -> None:
    await processing.sweep(ctx)


@periodic(SWEEP_PLAY_MARKS, lambda settings: settings.jobs.cleanup_interval_seconds)
async def sweep_play_marks(ctx: JobContext) -> int:
    """Remove play-dedup marks older than the window: one row per track and listener would
    otherwise stay forever. Removing them changes nothing, since a claim treats them as absent."""
    cutoff = utcnow() - PLAY_DEDUP_WINDOW
    async with ctx.db.writer() as session, session.begin():
        removed = await engagement_repository.delete_play_marks_before(session, cutoff)
    if removed:
        log.info("play_marks_swept", removed=removed)
    return removed
