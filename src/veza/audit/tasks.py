"""Jobs of the audit domain: sealing new rows into the hash chain, and the retention sweep."""

from __future__ import annotations

from datetime import timedelta

from veza.audit import chain
from veza.kit.db import write_transaction
from veza.kit.jobs import JobContext, periodic
from veza.models import utcnow


@periodic("audit.seal", lambda settings: settings.audit.seal_interval_seconds)
async def seal(ctx: JobContext) -> int:
    return await chain.seal_pending(ctx.db)


@periodic("audit.sweep", lambda settings: settings.audit.sweep_interval_seconds)
async def sweep(ctx: JobContext) -> int:
    days = ctx.settings.audit.retention_days
    if days <= 0:
        return 0
    await chain.seal_pending(ctx.db)
    async with write_transaction(ctx.db) as session:
        return await chain.sweep(session, utcnow() - timedelta(days=days))
