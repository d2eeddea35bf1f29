"""Jobs of uploads: abandoned chunked sessions expire, with their parts. Imported by
veza/registry.py alone."""

from __future__ import annotations

import structlog

from veza.kit.db import write_transaction
from veza.kit.files import forget
from veza.kit.jobs import JobContext, on_startup, periodic, task
from veza.models import utcnow
from veza.tracks import keys
from veza.uploads import repository

log = structlog.get_logger("veza.uploads.tasks")

EXPIRE_UPLOADS = "uploads.expire"


async def expire_uploads(ctx: JobContext) -> int:
    """Drop the sessions past their expiry; their parts go right after the commit."""
    async with write_transaction(ctx.db) as session:
        expired = list(await repository.expired_uploads(session, utcnow()))
        for upload_id in expired:
            forget(
                session,
                keys.upload_parts(upload_id),
                prefix=True,
                remove_after_commit=ctx.storage,
            )
        await repository.delete_uploads(session, expired)
    if expired:
        log.info("uploads_expired", expired_uploads=len(expired))
    return len(expired)


@task(EXPIRE_UPLOADS)
async def expire_uploads_now(ctx: JobContext) -> int:
    return await expire_uploads(ctx)


@periodic(EXPIRE_UPLOADS, lambda settings: settings.jobs.cleanup_interval_seconds)
async def expire_uploads_periodically(ctx: JobContext) -> int:
    return await expire_uploads(ctx)


@on_startup
async def expire_uploads_at_startup(ctx: JobContext) -> None:
    await expire_uploads(ctx)
