"""Jobs of the webhooks domain (declarations; the work is in ``delivery``): one send, the sweep
of due retries and of what a restart left pending, the delivery log's retention."""

from __future__ import annotations

from datetime import timedelta

from veza.kit.db import write_transaction
from veza.kit.jobs import JobContext, on_startup, periodic, task
from veza.models import utcnow
from veza.webhooks import delivery, repository


@task(delivery.DELIVER_TASK)
async def deliver(ctx: JobContext, delivery_id: str) -> None:
    await delivery.attempt(ctx.db, ctx.settings, delivery_id)


@periodic("webhooks.retry_due", lambda settings: settings.webhooks.retry_sweep_seconds)
async def retry_due(ctx: JobContext) -> int:
    async with write_transaction(ctx.db) as session:
        return await delivery.enqueue_due(session)


@on_startup
async def resend_pending(ctx: JobContext) -> None:
    """A delivery written but not sent when the process stopped (crash, kill -9) goes now."""
    await retry_due(ctx)


@periodic("webhooks.prune_log", lambda settings: 3600)
async def prune_log(ctx: JobContext) -> int:
    before = utcnow() - timedelta(days=ctx.settings.webhooks.log_retention_days)
    async with write_transaction(ctx.db) as session:
        return await repository.prune_log(session, before)
