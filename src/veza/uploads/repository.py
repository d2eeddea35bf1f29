"""Queries of uploads: chunked upload sessions, their chunks, and the bytes they reserve."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.queries import rowcount, upsert
from veza.models.track import UPLOAD_ACTIVE, UploadChunk, UploadSession


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
    statement = upsert(
        session,
        UploadChunk,
        {"session_id": upload_id, "chunk_number": chunk_number, "size": size, "received_at": now},
        conflict=("session_id", "chunk_number"),
        update=("size", "received_at"),
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
    return rowcount(result) > 0


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


async def upload_ids_of(session: AsyncSession, user_id: uuid.UUID) -> Sequence[uuid.UUID]:
    rows = await session.scalars(select(UploadSession.id).where(UploadSession.user_id == user_id))
    return rows.all()
