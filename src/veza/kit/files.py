"""The file outbox: a stored file is forgotten in the transaction that orphans it, and removed
only once that transaction has committed.

``forget(session, key)`` writes a ``storage_deletions`` row beside the change that stops
referencing the file (a deleted track, a replaced cover, an expired upload); the periodic
``files.sweep`` job removes the files and then the rows. A rolled-back change therefore never
loses a file, and a committed one never leaves an orphan for longer than a sweep interval.
With ``remove_after_commit=storage`` the files also go right after the commit, for callers
that want the space back at once (the row stays as the safety net).

``hold(session, key)`` keeps a key (or a prefix) for good: the sweep drops an outbox row that
is, lies under or contains a held key, and removes nothing (a sold track's audio stays for its
buyers after the seller deletes the track; marketplace/payments.py holds it when an order is
paid). ``remove_after_commit`` does not look at holds: it is for files nobody can have bought
(an upload's parts).

``files.sweep_staging`` clears the local staging folder of what stopped processes left there
(a killed upload's partial file, an interrupted job's work folder; kit/staging.py), at start-up
and at the same interval, once it is older than ``VEZA_MEDIA__STAGING_MAX_AGE_SECONDS``.
"""

from __future__ import annotations

import asyncio
import uuid

import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.db import after_commit
from veza.kit.jobs import JobContext, on_startup, periodic, task
from veza.kit.queries import insert_ignoring_duplicates
from veza.kit.storage import Storage
from veza.models.files import StorageDeletion, StorageHold

log = structlog.get_logger("veza.files")

SWEEP_FILES = "files.sweep"
SWEEP_STAGING = "files.sweep_staging"
SWEEP_BATCH = 1000


def forget(
    session: AsyncSession,
    key: str,
    *,
    prefix: bool = False,
    remove_after_commit: Storage | None = None,
) -> None:
    """Remove the file ``key`` (or every file under the prefix ``key/``) once the session's
    transaction has committed."""
    session.add(StorageDeletion(key=key, is_prefix=prefix))
    if remove_after_commit is None:
        return
    storage = remove_after_commit

    async def _remove() -> None:
        await _delete(storage, key, prefix=prefix)

    after_commit(session, _remove)


async def hold(session: AsyncSession, key: str) -> None:
    """Keep ``key`` (a file or a prefix) for good: the sweep never removes it, nor anything
    under it, whatever forgets it later (a sold track's audio stays for its buyers)."""
    await session.execute(
        insert_ignoring_duplicates(session, StorageHold, id=uuid.uuid4(), key=key)
    )


def _overlaps(key: str, held: str) -> bool:
    return key == held or key.startswith(held + "/") or held.startswith(key + "/")


async def _held_keys(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(StorageHold.key)))


async def _delete(storage: Storage, key: str, *, prefix: bool) -> None:
    if prefix:
        await storage.delete_prefix(key)
    else:
        await storage.delete(key)


async def sweep_forgotten(ctx: JobContext) -> int:
    """Remove the files of up to one batch of outbox rows, then the rows; a file that cannot be
    removed now keeps its row for the next sweep."""
    async with ctx.db.reader() as session:
        pending = (await session.scalars(select(StorageDeletion).limit(SWEEP_BATCH))).all()
        held = await _held_keys(session) if pending else []
    done: list[uuid.UUID] = []
    for item in pending:
        if any(_overlaps(item.key, key) for key in held):
            done.append(item.id)  # kept: its row goes, its files stay
            continue
        try:
            await _delete(ctx.storage, item.key, prefix=item.is_prefix)
        except Exception:
            log.exception("storage_deletion_failed", key=item.key)
            continue
        done.append(item.id)
    if done:
        async with ctx.db.writer() as session, session.begin():
            await session.execute(delete(StorageDeletion).where(StorageDeletion.id.in_(done)))
        log.info("files_swept", files_removed=len(done))
    return len(done)


@task(SWEEP_FILES)
async def sweep_files_now(ctx: JobContext) -> int:
    return await sweep_forgotten(ctx)


@periodic(SWEEP_FILES, lambda settings: settings.jobs.cleanup_interval_seconds)
async def sweep_files_periodically(ctx: JobContext) -> int:
    return await sweep_forgotten(ctx)


@on_startup
async def sweep_files_at_startup(ctx: JobContext) -> None:
    await sweep_forgotten(ctx)


async def sweep_staging(ctx: JobContext) -> int:
    """Remove the staging leftovers of stopped processes; how many files and folders went."""
    removed = await asyncio.to_thread(
        ctx.storage.staging.sweep, ctx.settings.media.staging_max_age_seconds
    )
    if removed:
        log.info("staging_swept", entries_removed=removed)
    return removed


@task(SWEEP_STAGING)
async def sweep_staging_now(ctx: JobContext) -> int:
    return await sweep_staging(ctx)


@periodic(SWEEP_STAGING, lambda settings: settings.jobs.cleanup_interval_seconds)
async def sweep_staging_periodically(ctx: JobContext) -> int:
    return await sweep_staging(ctx)


@on_startup
async def sweep_staging_at_startup(ctx: JobContext) -> None:
    await sweep_staging(ctx)
