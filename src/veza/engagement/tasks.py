"""Jobs of engagement: sweeping play-dedup marks. Imported by veza/registry.py alone."""

from __future__ import annotations

import structlog

from veza.engagement import repository
from veza.kit.db import write_transaction
from veza.kit.jobs import JobContext, periodic
from veza.models import utcnow
from veza.models.engagement import PLAY_DEDUP_WINDOW

log = structlog.get_logger("veza.engagement.tasks")

SWEEP_PLAY_MARKS = "tracks.sweep_play_marks"


@periodic(SWEEP_PLAY_MARKS, lambda settings: settings.jobs.cleanup_interval_seconds)
async def sweep_play_marks(ctx: JobContext) -> int:
    """Remove play-dedup marks older than the window: one row per track and listener would
    otherwise stay forever. Removing them changes nothing, since a claim treats them as absent."""
    cutoff = utcnow() - PLAY_DEDUP_WINDOW
    async with write_transaction(ctx.db) as session:
        removed = await repository.delete_play_marks_before(session, cutoff)
    if removed:
        log.info("play_marks_swept", removed=removed)
    return removed
