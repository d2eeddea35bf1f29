"""Queries of the Subsonic credentials (a sealed password per user, API key digests)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from veza.models import User
from veza.models.library import SubsonicApiKey, SubsonicCredential


def _usable(statement):  # type: ignore[no-untyped-def]
    return statement.where(User.deleted_at.is_(None), User.is_active, User.is_banned.is_(False))


async def user_by_username(session: AsyncSession, username: str) -> User | None:
    """An account that may sign in, by its username in any letter case."""
    found: User | None = await session.scalar(
        _usable(select(User).where(func.lower(User.username) == username.lower()))
    )
    return found


async def credential_of(session: AsyncSession, user_id: uuid.UUID) -> SubsonicCredential | None:
    return await session.get(SubsonicCredential, user_id)


async def replace_credential(session: AsyncSession, user_id: uuid.UUID, sealed: bytes) -> None:
    await session.execute(delete(SubsonicCredential).where(SubsonicCredential.user_id == user_id))
    session.add(SubsonicCredential(user_id=user_id, sealed_password=sealed))
    await session.flush()


async def delete_credential(session: AsyncSession, user_id: uuid.UUID) -> bool:
    result = await session.execute(
        delete(SubsonicCredential).where(SubsonicCredential.user_id == user_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def user_by_api_key(session: AsyncSession, key_hash: str) -> User | None:
    found: User | None = await session.scalar(
        _usable(
            select(User)
            .join(SubsonicApiKey, SubsonicApiKey.user_id == User.id)
            .where(SubsonicApiKey.key_hash == key_hash)
        )
    )
    return found


def add_api_key(session: AsyncSession, key: SubsonicApiKey) -> None:
    session.add(key)


async def api_keys_of(session: AsyncSession, user_id: uuid.UUID) -> Sequence[SubsonicApiKey]:
    rows = await session.scalars(
        select(SubsonicApiKey)
        .where(SubsonicApiKey.user_id == user_id)
        .order_by(SubsonicApiKey.created_at)
    )
    return rows.all()


async def delete_api_key(session: AsyncSession, user_id: uuid.UUID, key_id: uuid.UUID) -> bool:
    result = await session.execute(
        delete(SubsonicApiKey).where(SubsonicApiKey.id == key_id, SubsonicApiKey.user_id == user_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
