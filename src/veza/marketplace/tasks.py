"""Jobs of the marketplace: forgetting idempotency keys past their lifetime. Imported by
veza/registry.py alone."""

from __future__ import annotations

import structlog

from veza.kit.db import write_transaction
from veza.kit.jobs import JobContext, periodic, task
from veza.marketplace import repository
from veza.marketplace.orders import IDEMPOTENCY_KEY_LIFETIME
from veza.models import utcnow

log = structlog.get_logger("veza.marketplace.tasks")

SWEEP_IDEMPOTENCY_KEYS = "marketplace.sweep_idempotency_keys"


@task(SWEEP_IDEMPOTENCY_KEYS)
async def sweep_idempotency_keys(ctx: JobContext) -> int:
    """Keys older than their lifetime (24 hours, as Stripe's) are removed: the key may then be
    used again for a new order. Their orders stay."""
    async with write_transaction(ctx.db) as session:
        removed = await repository.delete_idempotency_keys_before(
            session, utcnow() - IDEMPOTENCY_KEY_LIFETIME
        )
    if removed:
        log.info("idempotency_keys_swept", removed=removed)
    return removed


@periodic(SWEEP_IDEMPOTENCY_KEYS, lambda settings: settings.jobs.cleanup_interval_seconds)
async def sweep_idempotency_keys_periodically(ctx: JobContext) -> int:
    return await sweep_idempotency_keys(ctx)
