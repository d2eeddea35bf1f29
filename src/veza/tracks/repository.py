"""Queries of the tracks domain. Visibility is decided here, once: ``readable_by``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, delete, func, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from veza.models import User
from veza.models.track import (
    TRACK_COMPLETED,
    TRACK_PROCESSING,
    UPLOAD_ACTIVE,
    Track,
    TrackHistory,
    TrackVersion,
    UploadChunk,
    UploadSession,
)


def is_admin(user: User | None) -> bool:
    return user is not None and (user.is_admin or user.role == "admin")


def readable_condition(viewer: User | None) -> ColumnElement[bool]:
    """Who may see a track: anyone for a public completed track of a live account; its creator
    and administrators always. (Share tokens are checked separately, per request.)"""
    live_creator = Track.creator_id.in_(select(User.id).where(User.deleted_at.is_(None)))
    public = and_(Track.is_public.is_(True), Track.status == TRACK_COMPLETED, live_creator)
    if viewer is None:
        return public
    if is_admin(viewer):
        return true()
    return or_(Track.creator_id == viewer.id, public)


def readable_by(viewer: User | None) -> Select[Track]:
    return select(Track).where(readable_condition(viewer))


async def get_readable(
    session: AsyncSession, track_id: uuid.UUID, viewer: User | None
) -> Track | None:
    track: Track | None = await session.scalar(readable_by(viewer).where(Track.id == track_id))
    return track


async def get_track(
    session: AsyncSession, track_id: uuid.UUID, *, for_update: bool = False
) -> Track | None:
    statement = select(Track).where(Track.id == track_id)
    if for_update:
        statement = statement.with_for_update()
    track: Track | None = await session.scalar(statement)
    return track


# Quota ---------------------------------------------------------------------------------------


async def stored_bytes(session: AsyncSession, user_id: uuid.UUID) -> int:
    """Bytes of every audio version the user's tracks keep."""
    total = await session.scalar(
        select(func.coalesce(func.sum(TrackVersion.file_size), 0))
        .join(Track, Track.id == TrackVersion.track_id)
        .where(Track.creator_id == user_id)
    )
    return int(total or 0)


async def reserved_bytes(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> int:
    """Bytes announced by the user's unfinished chunked uploads (counted against the quota)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(UploadSession.total_size), 0)).where(
            UploadSession.user_id == user_id,
            UploadSession.status == UPLOAD_ACTIVE,
            UploadSession.expires_at > now,
        )
    )
    return int(total or 0)


async def track_count(session: AsyncSession, user_id: uuid.UUID) -> int:
    count = await session.scalar(select(func.count()).where(Track.creator_id == user_id))
    return int(count or 0)


# Versions and history ------------------------------------------------------------------------


async def next_version_number(session: AsyncSession, track_id: uuid.UUID) -> int:
    current = await session.scalar(
        select(func.max(TrackVersion.version_number)).where(TrackVersion.track_id == track_id)
    )
    return int(current or 0) + 1


async def get_version(
    session: AsyncSession, track_id: uuid.UUID, version_id: uuid.UUID
) -> TrackVersion | None:
    version: TrackVersion | None = await session.scalar(
        select(TrackVersion).where(TrackVersion.id == version_id, TrackVersion.track_id == track_id)
    )
    return version


async def list_versions(session: AsyncSession, track_id: uuid.UUID) -> Sequence[TrackVersion]:
    result = await session.scalars(
        select(TrackVersion)
        .where(TrackVersion.track_id == track_id)
        .order_by(TrackVersion.version_number.desc())
    )
    return result.all()


def add_history(
    session: AsyncSession,
    track_id: uuid.UUID,
    action: str,
    *,
    user_id: uuid.UUID | None,
    changes: dict[str, Any] | None = None,
) -> TrackHistory:
    """Record one change to a track (the other tracks issues call this on metadata updates)."""
    entry = TrackHistory(track_id=track_id, user_id=user_id, action=action, changes=changes)
    session.add(entry)
    return entry


async def history_page(
    session: AsyncSession, track_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[Sequence[TrackHistory], int]:
    total = await session.scalar(select(func.count()).where(TrackHistory.track_id == track_id))
    rows = await session.scalars(
        select(TrackHistory)
        .where(TrackHistory.track_id == track_id)
        .order_by(TrackHistory.created_at.desc(), TrackHistory.id)
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total or 0)


# Upload sessions -----------------------------------------------------------------------------


async def get_upload_session(
    session: AsyncSession, upload_id: uuid.UUID, user_id: uuid.UUID, *, for_update: bool = False
) -> UploadSession | None:
    statement = select(UploadSession).where(
        UploadSession.id == upload_id, UploadSession.user_id == user_id
    )
    if for_update:
        statement = statement.with_for_update()
    upload: UploadSession | None = await session.scalar(statement)
    return upload


async def received_chunks(session: AsyncSession, upload_id: uuid.UUID) -> list[tuple[int, int]]:
    """(chunk number, size) of every chunk held, in order."""
    rows = await session.execute(
        select(UploadChunk.chunk_number, UploadChunk.size)
        .where(UploadChunk.session_id == upload_id)
        .order_by(UploadChunk.chunk_number)
    )
    return [(int(number), int(size)) for number, size in rows.all()]


async def record_chunk(
    session: AsyncSession, upload_id: uuid.UUID, chunk_number: int, size: int, now: datetime
) -> None:
    """Insert or replace a chunk's row in one statement (a re-sent chunk simply replaces it)."""
    values = {
        "session_id": upload_id,
        "chunk_number": chunk_number,
        "size": size,
        "received_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(UploadChunk).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["session_id", "chunk_number"],
        set_={"size": statement.excluded.size, "received_at": statement.excluded.received_at},
    )
    await session.execute(statement)


async def claim_upload(session: AsyncSession, upload_id: uuid.UUID, new_status: str) -> bool:
    """Move an active session to ``new_status``; False when another request already did."""
    result = await session.execute(
        update(UploadSession)
        .where(UploadSession.id == upload_id, UploadSession.status == UPLOAD_ACTIVE)
        .values(status=new_status)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def expired_uploads(
    session: AsyncSession, now: datetime, limit: int = 500
) -> Sequence[uuid.UUID]:
    rows = await session.scalars(
        select(UploadSession.id)
        .where(UploadSession.status == UPLOAD_ACTIVE, UploadSession.expires_at <= now)
        .limit(limit)
    )
    return rows.all()


async def delete_uploads(session: AsyncSession, upload_ids: Sequence[uuid.UUID]) -> None:
    if upload_ids:
        await session.execute(delete(UploadChunk).where(UploadChunk.session_id.in_(upload_ids)))
        await session.execute(delete(UploadSession).where(UploadSession.id.in_(upload_ids)))


# Processing ----------------------------------------------------------------------------------


async def tracks_in_processing(session: AsyncSession) -> Sequence[tuple[uuid.UUID, int]]:
    rows = await session.execute(
        select(Track.id, Track.processing_generation).where(Track.status == TRACK_PROCESSING)
    )
    return [(row[0], int(row[1])) for row in rows.all()]


async def start_processing_attempt(
    session: AsyncSession, track_id: uuid.UUID, generation: int, now: datetime
) -> int | None:
    """Count one more attempt at processing this audio; None when the job is stale."""
    result = await session.execute(
        update(Track)
        .where(
            Track.id == track_id,
            Track.status == TRACK_PROCESSING,
            Track.processing_generation == generation,
        )
        .values(processing_attempts=Track.processing_attempts + 1, processing_started_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        return None
    attempts = await session.scalar(select(Track.processing_attempts).where(Track.id == track_id))
    return int(attempts or 0)


async def update_if_current(
    session: AsyncSession, track_id: uuid.UUID, generation: int, **values: Any
) -> bool:
    """Write processing results only if the audio did not change meanwhile."""
    result = await session.execute(
        update(Track)
        .where(Track.id == track_id, Track.processing_generation == generation)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def tracks_of_user(
    session: AsyncSession, user_id: uuid.UUID, *, except_public: bool
) -> Sequence[Track]:
    statement = select(Track).where(Track.creator_id == user_id)
    if except_public:
        statement = statement.where(Track.is_public.is_(False))
    result = await session.scalars(statement)
    return result.all()
