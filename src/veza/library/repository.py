"""Queries of imported files."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from veza.models.library import LibraryEntry
from veza.models.track import TRACK_PROCESSING, Track
from veza.tracks.repository import get_live


async def imported_track(
    session: AsyncSession, user_id: uuid.UUID, content_sha256: str
) -> uuid.UUID | None:
    """The live track this user already imported with exactly this content."""
    track_id = await session.scalar(
        select(LibraryEntry.track_id).where(
            LibraryEntry.user_id == user_id, LibraryEntry.content_sha256 == content_sha256
        )
    )
    if track_id is None or await get_live(session, track_id) is None:
        return None
    return track_id


async def forget_deleted(session: AsyncSession, user_id: uuid.UUID, content_sha256: str) -> None:
    """The entry of a file whose track was deleted since: importing it again makes a new one."""
    entry = await session.scalar(
        select(LibraryEntry).where(
            LibraryEntry.user_id == user_id, LibraryEntry.content_sha256 == content_sha256
        )
    )
    if entry is not None and await get_live(session, entry.track_id) is None:
        await session.delete(entry)
        await session.flush()


async def unfinished_imports(
    session: AsyncSession, user_id: uuid.UUID
) -> Sequence[tuple[uuid.UUID, int]]:
    """Imported tracks still waiting for processing (an import cut short after its commit)."""
    rows = await session.execute(
        select(Track.id, Track.processing_generation)
        .join(LibraryEntry, LibraryEntry.track_id == Track.id)
        .where(
            LibraryEntry.user_id == user_id,
            Track.status == TRACK_PROCESSING,
        )
    )
    return [(row[0], row[1]) for row in rows]


async def track_status(session: AsyncSession, track_id: uuid.UUID) -> tuple[str, str | None]:
    row = (
        await session.execute(
            select(Track.status, Track.status_message).where(Track.id == track_id)
        )
    ).one()
    return row[0], row[1]
