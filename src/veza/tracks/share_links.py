"""Queries of tracks' share links (the rule that opens a track by link: tracks/sharing.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from veza.models.engagement import TrackShare


def add_share(session: AsyncSession, share: TrackShare) -> None:
    session.add(share)


async def share_by_token_hash(session: AsyncSession, token_hash: str) -> TrackShare | None:
    share: TrackShare | None = await session.scalar(
        select(TrackShare).where(TrackShare.token_hash == token_hash)
    )
    return share


async def get_share(session: AsyncSession, share_id: uuid.UUID) -> TrackShare | None:
    share: TrackShare | None = await session.scalar(
        select(TrackShare).where(TrackShare.id == share_id)
    )
    return share


async def revoke_share(session: AsyncSession, share_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(TrackShare)
        .where(TrackShare.id == share_id, TrackShare.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


async def delete_shares_by(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(delete(TrackShare).where(TrackShare.created_by == user_id))
